// HtmlTemplate: a page's shape written out as HTML, filled from JSON values,
// so the reports and documents officers print read as pages, not as string
// concatenation. A subset of Mustache:
//
//   {{name}}                 the value, HTML-escaped (strings as they are,
//                            numbers and booleans as JSON writes them)
//   {{a.b}}                  a field of a field
//   {{#list}}...{{/list}}    the inside once per element of an array (the
//                            element is looked up first, then the enclosing
//                            values), once for a true or non-empty value,
//                            never for false, null, "", [] or an absent name
//   {{^name}}...{{/name}}    the inside only when {{#name}} would not render
//   {{.}}                    the current element itself (an array of strings)
//   {{! a comment }}
//   {{> name}}               the text of the partial `name` in its place (a
//                            form's fields shared by two pages), when the
//                            caller of Parse() gives partials
//
// There is no unescaped form ({{{x}}} and {{&x}} are refused): what a
// template shows of the data is always escaped. Parse() checks the sections
// balance (InvalidArgument naming the line); Render() never fails (an absent
// name renders as "").
//
// Thread safety: a parsed template is immutable; Render() may run on any thread.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace concord {

class HtmlTemplate {
 public:
  // The text of the partial `name`; nullopt when there is none.
  using Partials = std::function<std::optional<std::string_view>(std::string_view name)>;

  // Without `partials`, {{> name}} is refused; an unknown partial, or
  // partials nested deeper than 8, is InvalidArgument naming the line.
  static absl::StatusOr<HtmlTemplate> Parse(std::string_view text,
                                            const Partials& partials = nullptr);
  // A template written in the code: a parse error is a programming error and
  // stops the process with its message (the tests render every such page).
  static HtmlTemplate ParseConstant(std::string_view text, const Partials& partials = nullptr);
  std::string Render(const nlohmann::json& values) const;

  struct Node;  // one piece of the parsed text (html_template.cc)

 private:
  explicit HtmlTemplate(std::shared_ptr<const std::vector<Node>> nodes)
      : nodes_(std::move(nodes)) {}
  std::shared_ptr<const std::vector<Node>> nodes_;
};

// `s` with <, >, & and " escaped.
std::string HtmlEscape(std::string_view s);

}  // namespace concord
