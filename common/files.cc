#include "common/files.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace concord {

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("无法读取 / cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return absl::InternalError(absl::StrCat("cannot rename ", tmp, ": ", strerror(errno)));
  return absl::OkStatus();
}

absl::Status CheckWritableFolder(const std::string& path, const std::string& what) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(path, ec);
  while (!std::filesystem::exists(dir, ec) && dir.has_parent_path() && dir != dir.parent_path())
    dir = dir.parent_path();
  if (!std::filesystem::is_directory(dir, ec))
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, ": ", dir.string(), " 不是文件夹 / is not a folder"));
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": 无法写入 ", dir.string(),
                                                   " / cannot write ", dir.string(), " (",
                                                   strerror(errno), ")"));
  return absl::OkStatus();
}

absl::Status WriteNewFile(const std::string& path, const std::string& contents, unsigned mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return errno == EEXIST
               ? absl::AlreadyExistsError(absl::StrCat("文件已存在 / already exists: ", path))
               : absl::InternalError(
                     absl::StrCat("无法建立 / cannot create ", path, ": ", strerror(errno)));
  const bool ok =
      write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) &&
      fsync(fd) == 0;
  close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("无法写入 / cannot write ", path));
  // The new name too, so that the file is there after a crash.
  const std::string parent = std::filesystem::path(path).parent_path().string();
  if (const int dir =
          open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dir >= 0) {
    (void)fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

absl::Status ShareSecretWithDaemons(const std::string& path) {
  static constexpr char kDaemonGroup[] = "concord";
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  struct stat folder {};
  const group* g = getgrnam(kDaemonGroup);
  if (g == nullptr || stat(dir.c_str(), &folder) != 0 || folder.st_gid != g->gr_gid)
    return absl::OkStatus();
  if (chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0 || chmod(path.c_str(), 0640) != 0)
    return absl::PermissionDeniedError(absl::StrCat("无法把密钥交给 ", kDaemonGroup,
                                                    " 组 / cannot give the key to group ",
                                                    kDaemonGroup, ": ", path));
  return absl::OkStatus();
}

absl::Status MakeDataPrivate(const std::string& db_path) {
  namespace fs = std::filesystem;
  umask(077);
  const fs::path dir = fs::path(db_path).parent_path();
  absl::Status first = absl::OkStatus();
  auto restrict = [&](const fs::path& p, mode_t mode) {
    struct stat st;
    if (lstat(p.c_str(), &st) != 0 || S_ISLNK(st.st_mode) || (st.st_mode & 07777) == mode) return;
    if (chmod(p.c_str(), mode) != 0 && first.ok())
      first = absl::PermissionDeniedError(absl::StrCat(
          "无法收紧权限 / cannot restrict the mode of ", p.string(), ": ", strerror(errno)));
  };
  std::error_code ec;
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    restrict(dir, 0700);
  }
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".lock", ".audit-head"})
    restrict(db_path + suffix, 0600);
  return first;
}

}  // namespace concord
