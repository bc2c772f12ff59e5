// ID numbers for the linkage tests.
#pragma once

#include <string>

#include "domain/linkage/normalize.h"

namespace concord::aid::testing {

// The first 17 characters of an ID number followed by their check character.
inline std::string WithCheck(const std::string& first17) { return first17 + IdCheckChar(first17); }

}  // namespace concord::aid::testing
