// Whole-file reads and atomic whole-file writes.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace concord {

// NotFound (with the path, Chinese / English) when the file cannot be read.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes `contents` to `path` + ".tmp", then renames it over `path`: a reader
// sees the old file or the whole new one (ready files, the audit head).
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace concord
