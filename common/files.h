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

// For a daemon's --check-config: OK when `path` is a folder this process
// may write, or does not exist yet and the nearest existing folder above it
// may be written (the daemon makes it). InvalidArgument naming `what` (the
// config key, e.g. "[storage] data_dir") and the folder otherwise.
absl::Status CheckWritableFolder(const std::string& path, const std::string& what);

// Creates `path` with `mode` (O_EXCL: never over an existing file, so two
// writers cannot both make it; the mode without touching umask), writes
// `contents` and fsyncs it and its folder. AlreadyExists when the file is there.
absl::Status WriteNewFile(const std::string& path, const std::string& contents, unsigned mode);

// A secret file (a CurveZMQ or TLS key, the linkage key) just written 0600 in
// `path`'s folder: when that folder belongs to the group the daemons run as
// ("concord"; the packages' /etc/concord/keys, root:concord 0750), the file
// is given to that group, 0640, so the daemons read it and nobody else does.
// Elsewhere it is left as it is. PermissionDenied when it cannot be given.
absl::Status ShareSecretWithDaemons(const std::string& path);

// At a daemon's start, before it opens its database (DatabaseLock::Acquire
// calls it): what the process writes from now on is its own (umask 077:
// files 0600, folders 0700), and what an earlier version, a restore or a
// hand left readable by others is made so too: the database's folder 0700
// (not when it is the working folder) and the database's own files 0600 (it,
// its -wal, -shm and -journal, its .lock and .audit-head). Other files in
// that folder are left alone (a keys folder shared with the daemons' group
// must stay readable to it). Symbolic links are not followed. The first
// failure names its path; the rest is still done.
absl::Status MakeDataPrivate(const std::string& db_path);

}  // namespace concord
