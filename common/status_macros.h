// Small helpers for absl::Status / absl::StatusOr propagation.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CONCORD_CONCAT_INNER(a, b) a##b
#define CONCORD_CONCAT(a, b) CONCORD_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` yields a non-OK status.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status _concord_st = (expr);       \
    if (!_concord_st.ok()) return _concord_st; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, Foo());` assigns the value or returns the status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(CONCORD_CONCAT(_concord_sor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
