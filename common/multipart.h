// multipart/form-data bodies (RFC 7578) as browsers send a form with a file:
// the console's uploads (a CSV of aid grants).
//
// Strict by design, since the body comes from the LAN: the boundary must be
// in the Content-Type (1-70 characters, quoted or not); the body must start
// with "--boundary" (a preamble before it is refused), every delimiter line
// must end in CRLF, every part must carry a Content-Disposition of
// "form-data" with a name, and the body must close with "--boundary--"
// (whatever follows that close is ignored, as RFC 2046 says). A part's
// headers are at most 8 KiB; at most `max_parts` parts. Header names are
// matched without regard to case; parameter values are quoted strings as the
// HTML standard writes them (no backslash escapes: a browser sends '"' in a
// name as %22, which is left as it stands) or bare tokens. RFC 2231
// filename* is not read (browsers send the UTF-8 name in filename).
//
// The caller bounds the body's size before it calls (the web server's
// max_body_bytes). Pure functions: any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace concord {

struct FormPart {
  std::string name;          // the form field's name
  std::string filename;      // "" for a text field (an empty file input sends filename="")
  bool is_file = false;      // the part had a filename parameter, even ""
  std::string content_type;  // the part's Content-Type, "" when absent
  std::string data;          // the bytes, as sent
};

// True when `content_type` is multipart/form-data (any parameters).
bool IsMultipartForm(std::string_view content_type);

// The parts of `body`, in order. InvalidArgument ("中文 / English") for a
// body that breaks any rule above; do not retry.
absl::StatusOr<std::vector<FormPart>> ParseMultipartForm(std::string_view content_type,
                                                         std::string_view body,
                                                         size_t max_parts = 32);

// The first part named `name`, or null.
const FormPart* FindPart(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace concord
