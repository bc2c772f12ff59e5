#include "common/html_template.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace concord {

struct HtmlTemplate::Node {
  enum Kind { kText, kValue, kSection, kInverted } kind = kText;
  std::string text;               // kText: as written; otherwise the name
  std::vector<std::string> path;  // the name split at '.' ("." is the current element)
  std::vector<Node> children;     // sections
};

namespace {

using Node = HtmlTemplate::Node;
using nlohmann::json;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

int LineOf(std::string_view text, size_t pos) {
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

// The value `path` names: in the innermost context that has its first part.
const json* Lookup(const std::vector<const json*>& contexts, const std::vector<std::string>& path) {
  if (path.size() == 1 && path[0] == ".") return contexts.back();
  for (auto it = contexts.rbegin(); it != contexts.rend(); ++it) {
    if (!(*it)->is_object()) continue;
    auto found = (*it)->find(path[0]);
    if (found == (*it)->end()) continue;
    const json* v = &*found;
    for (size_t i = 1; i < path.size(); ++i) {
      if (!v->is_object()) return nullptr;
      auto next = v->find(path[i]);
      if (next == v->end()) return nullptr;
      v = &*next;
    }
    return v;
  }
  return nullptr;
}

bool Truthy(const json* v) {
  if (v == nullptr || v->is_null()) return false;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) return !v->get_ref<const std::string&>().empty();
  if (v->is_array() || v->is_object()) return !v->empty();
  return true;
}

void RenderNodes(const std::vector<Node>& nodes, std::vector<const json*>& contexts,
                 std::string& out) {
  for (const Node& n : nodes) {
    switch (n.kind) {
      case Node::kText:
        out += n.text;
        break;
      case Node::kValue:
        if (const json* v = Lookup(contexts, n.path); v != nullptr && !v->is_null())
          out += HtmlEscape(v->is_string() ? v->get_ref<const std::string&>() : v->dump());
        break;
      case Node::kSection: {
        const json* v = Lookup(contexts, n.path);
        if (!Truthy(v)) break;
        if (v->is_array()) {
          for (const json& element : *v) {
            contexts.push_back(&element);
            RenderNodes(n.children, contexts, out);
            contexts.pop_back();
          }
        } else {
          contexts.push_back(v);
          RenderNodes(n.children, contexts, out);
          contexts.pop_back();
        }
        break;
      }
      case Node::kInverted:
        if (!Truthy(Lookup(contexts, n.path))) RenderNodes(n.children, contexts, out);
        break;
    }
  }
}

}  // namespace

namespace {

// `text` with every {{> name}} replaced by its partial's text, itself
// expanded, down to `depth` levels.
absl::StatusOr<std::string> ExpandPartials(std::string_view text,
                                           const HtmlTemplate::Partials& partials, int depth) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t start = text.find("{{", pos);
    while (start != std::string_view::npos && Trim(text.substr(start + 2)).substr(0, 1) != ">")
      start = text.find("{{", start + 2);
    if (start == std::string_view::npos) break;
    const size_t end = text.find("}}", start + 2);
    if (end == std::string_view::npos) break;  // Parse() names the unclosed tag
    const int line = LineOf(text, start);
    const std::string name(Trim(Trim(text.substr(start + 2, end - start - 2)).substr(1)));
    if (!partials)
      return absl::InvalidArgumentError(absl::StrCat("模板第 ", line, " 行：此处不能引用片段 {{> ",
                                                     name, "}} / template line ", line,
                                                     ": no partials here"));
    const std::optional<std::string_view> partial = partials(name);
    if (!partial)
      return absl::InvalidArgumentError(absl::StrCat("模板第 ", line, " 行：没有片段 ", name,
                                                     " / template line ", line,
                                                     ": no partial named ", name));
    if (depth == 0)
      return absl::InvalidArgumentError(absl::StrCat("模板第 ", line, " 行：片段嵌套过深 ", name,
                                                     " / template line ", line,
                                                     ": partials nested too deep at ", name));
    ASSIGN_OR_RETURN(std::string inner, ExpandPartials(*partial, partials, depth - 1));
    out.append(text.substr(pos, start - pos)).append(inner);
    pos = end + 2;
  }
  out += text.substr(pos);
  return out;
}

}  // namespace

absl::StatusOr<HtmlTemplate> HtmlTemplate::Parse(std::string_view original,
                                                 const Partials& partials) {
  ASSIGN_OR_RETURN(const std::string expanded, ExpandPartials(original, partials, 8));
  const std::string_view text = expanded;
  std::vector<Node> root;
  // The open sections, innermost last: where their children go, and their
  // names. Only the innermost vector grows while pointers to it are held, so
  // the pointers below it stay valid.
  std::vector<std::vector<Node>*> stack = {&root};
  std::vector<std::pair<std::string, size_t>> open;  // name, position
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = text.find("{{", pos);
    if (start == std::string_view::npos) {
      stack.back()->push_back({Node::kText, std::string(text.substr(pos)), {}, {}});
      break;
    }
    if (start > pos)
      stack.back()->push_back({Node::kText, std::string(text.substr(pos, start - pos)), {}, {}});
    const size_t end = text.find("}}", start + 2);
    if (end == std::string_view::npos)
      return absl::InvalidArgumentError(absl::StrCat("模板第 ", LineOf(text, start),
                                                     " 行：{{ 没有闭合 / template line ",
                                                     LineOf(text, start), ": unclosed {{"));
    std::string_view tag = Trim(text.substr(start + 2, end - start - 2));
    pos = end + 2;
    if (tag.empty()) continue;
    const char sigil = tag[0];
    if (sigil == '!') continue;
    if (sigil == '{' || sigil == '&')
      return absl::InvalidArgumentError(absl::StrCat(
          "模板第 ", LineOf(text, start), " 行：不支持不转义的输出 / template line ",
          LineOf(text, start), ": unescaped output ({{{...}}}, {{&...}}) is not supported"));
    std::string name(sigil == '#' || sigil == '^' || sigil == '/' ? Trim(tag.substr(1)) : tag);
    std::vector<std::string> path = name == "."
                                        ? std::vector<std::string>{"."}
                                        : std::vector<std::string>(absl::StrSplit(name, '.'));
    if (sigil == '#' || sigil == '^') {
      stack.back()->push_back(
          {sigil == '#' ? Node::kSection : Node::kInverted, name, std::move(path), {}});
      stack.push_back(&stack.back()->back().children);
      open.emplace_back(name, start);
    } else if (sigil == '/') {
      if (open.empty() || open.back().first != name)
        return absl::InvalidArgumentError(absl::StrCat(
            "模板第 ", LineOf(text, start), " 行：{{/", name, "}} 与所开的段不符 / template line ",
            LineOf(text, start), ": {{/", name, "}} closes ",
            open.empty() ? "nothing" : absl::StrCat("{{#", open.back().first, "}}")));
      open.pop_back();
      stack.pop_back();
    } else {
      stack.back()->push_back({Node::kValue, name, std::move(path), {}});
    }
  }
  if (!open.empty())
    return absl::InvalidArgumentError(
        absl::StrCat("模板第 ", LineOf(text, open.back().second), " 行：{{#", open.back().first,
                     "}} 没有结束 / template line ", LineOf(text, open.back().second), ": {{#",
                     open.back().first, "}} is never closed"));
  return HtmlTemplate(std::make_shared<const std::vector<Node>>(std::move(root)));
}

HtmlTemplate HtmlTemplate::ParseConstant(std::string_view text, const Partials& partials) {
  auto t = Parse(text, partials);
  if (!t.ok()) {
    fprintf(stderr, "HtmlTemplate::ParseConstant: %s\n", std::string(t.status().message()).c_str());
    std::abort();
  }
  return *std::move(t);
}

std::string HtmlTemplate::Render(const nlohmann::json& values) const {
  std::string out;
  std::vector<const json*> contexts = {&values};
  RenderNodes(*nodes_, contexts, out);
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace concord
