#include "common/multipart.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace concord {
namespace {

constexpr size_t kMaxPartHeaderBytes = 8 * 1024;

absl::Status Bad(const std::string& chinese, const std::string& english) {
  return absl::InvalidArgumentError(
      absl::StrCat("上传的表单格式有误：", chinese, " / malformed multipart/form-data: ", english));
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(std::string(s)); }

// "type; a=b; c="d"" -> type (lower-cased) and its parameters (names
// lower-cased). False when a parameter is malformed or a quote never closes.
bool ParseHeaderValue(std::string_view value, std::string* type,
                      std::map<std::string, std::string>* params) {
  const size_t semi = value.find(';');
  *type = Lower(TrimSpace(value.substr(0, semi)));
  if (semi == std::string_view::npos) return true;
  std::string_view rest = value.substr(semi + 1);
  while (true) {
    rest = TrimSpace(rest);
    if (rest.empty()) return true;
    const size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return false;
    const std::string name = Lower(TrimSpace(rest.substr(0, eq)));
    if (name.empty() || name.find_first_of(" \t;\"") != std::string::npos) return false;
    rest = TrimSpace(rest.substr(eq + 1));
    std::string v;
    if (!rest.empty() && rest.front() == '"') {
      const size_t close = rest.find('"', 1);
      if (close == std::string_view::npos) return false;
      v = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      rest = TrimSpace(rest);
      if (!rest.empty() && rest.front() != ';') return false;
    } else {
      const size_t end = rest.find(';');
      v = std::string(TrimSpace(rest.substr(0, end)));
      if (v.find_first_of(" \t\"") != std::string::npos) return false;
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
    params->emplace(name, std::move(v));  // the first of a repeated name wins
    if (rest.empty()) return true;
    rest.remove_prefix(1);  // ';'
  }
}

bool BoundaryChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

}  // namespace

bool IsMultipartForm(std::string_view content_type) {
  return Lower(TrimSpace(content_type.substr(0, content_type.find(';')))) == "multipart/form-data";
}

absl::StatusOr<std::vector<FormPart>> ParseMultipartForm(std::string_view content_type,
                                                         std::string_view body, size_t max_parts) {
  std::string type;
  std::map<std::string, std::string> params;
  if (!ParseHeaderValue(content_type, &type, &params) || type != "multipart/form-data")
    return Bad("不是 multipart/form-data", "the content type is not multipart/form-data");
  const auto b = params.find("boundary");
  if (b == params.end() || b->second.empty() || b->second.size() > 70 || b->second.back() == ' ')
    return Bad("分隔符缺失或过长", "the boundary is missing or longer than 70 characters");
  for (char c : b->second)
    if (!BoundaryChar(c)) return Bad("分隔符含非法字符", "the boundary has a forbidden character");
  const std::string delimiter = "--" + b->second;
  const std::string next_delimiter = "\r\n" + delimiter;

  if (!body.starts_with(delimiter))
    return Bad("开头不是分隔符", "the body does not open with the boundary");
  size_t pos = delimiter.size();
  std::vector<FormPart> parts;
  while (true) {
    // After a delimiter: "--" closes the body, CRLF opens a part.
    if (body.substr(pos).starts_with("--")) return parts;
    if (!body.substr(pos).starts_with("\r\n"))
      return Bad("分隔符后缺少换行", "a boundary line does not end in CRLF");
    pos += 2;
    if (parts.size() == max_parts)
      return Bad(absl::StrCat("字段超过 ", max_parts, " 个"),
                 absl::StrCat("more than ", max_parts, " parts"));

    // The part's headers, up to an empty line.
    if (body.substr(pos).starts_with("\r\n"))
      return Bad("字段缺少 Content-Disposition", "a part has no Content-Disposition");
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos || headers_end - pos > kMaxPartHeaderBytes)
      return Bad("字段头过长或未结束", "a part's headers are too long or never end");
    FormPart part;
    bool disposition = false;
    std::string_view headers = body.substr(pos, headers_end - pos);
    pos = headers_end + 4;
    while (!headers.empty()) {
      const size_t eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' ||
          line.front() == '\t')
        return Bad("字段头格式有误", "a part's header line is malformed");
      const std::string name = Lower(line.substr(0, colon));
      const std::string_view value = line.substr(colon + 1);
      if (name == "content-disposition") {
        std::string kind;
        std::map<std::string, std::string> p;
        if (disposition || !ParseHeaderValue(value, &kind, &p) || kind != "form-data")
          return Bad("Content-Disposition 有误", "a part's Content-Disposition is not form-data");
        disposition = true;
        auto n = p.find("name");
        if (n == p.end() || n->second.empty()) return Bad("字段缺少名称", "a part has no name");
        part.name = n->second;
        if (auto f = p.find("filename"); f != p.end()) {
          part.is_file = true;
          part.filename = f->second;
        }
      } else if (name == "content-type") {
        part.content_type = std::string(TrimSpace(value));
      }
    }
    if (!disposition)
      return Bad("字段缺少 Content-Disposition", "a part has no Content-Disposition");

    // The part's bytes, up to CRLF and the next delimiter.
    const size_t end = body.find(next_delimiter, pos);
    if (end == std::string_view::npos)
      return Bad("缺少结束分隔符（文件可能不完整）",
                 "the closing boundary is missing (truncated body?)");
    part.data = std::string(body.substr(pos, end - pos));
    parts.push_back(std::move(part));
    pos = end + next_delimiter.size();
  }
}

const FormPart* FindPart(const std::vector<FormPart>& parts, std::string_view name) {
  for (const auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace concord
