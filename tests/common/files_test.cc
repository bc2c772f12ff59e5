// MakeDataPrivate: a daemon's database files end up 0600 in a 0700 folder,
// and nothing else in that folder is touched (issue 16, "readable at rest").
#include "common/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/temp_folder.h"

namespace concord {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

void Touch(const std::string& path, mode_t mode) {
  std::ofstream(path) << "x";
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

TEST(MakeDataPrivateTest, DatabaseFilesAndTheirFolderBecomeTheOwnersOnly) {
  testing::TempFolder tmp;
  const std::string dir = tmp.File("data"), db = dir + "/hub.db";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  for (const char* suffix : {"", "-wal", "-shm", ".lock", ".audit-head"}) Touch(db + suffix, 0644);
  Touch(dir + "/court.key", 0640);  // a key shared with the daemons' group stays so
  ASSERT_EQ(symlink((dir + "/court.key").c_str(), (db + "-journal").c_str()), 0);

  const mode_t before = umask(0);
  umask(before);
  ASSERT_TRUE(MakeDataPrivate(db).ok());
  const mode_t after = umask(before);  // restore this test process's umask

  EXPECT_EQ(after, 077u);
  EXPECT_EQ(ModeOf(dir), 0700u);
  for (const char* suffix : {"", "-wal", "-shm", ".lock", ".audit-head"})
    EXPECT_EQ(ModeOf(db + suffix), 0600u) << suffix;
  EXPECT_EQ(ModeOf(dir + "/court.key"), 0640u);  // not followed through the link either
}

TEST(MakeDataPrivateTest, MakesTheFolderWhenMissing) {
  testing::TempFolder tmp;
  const std::string db = tmp.File("new/agency.db");
  const mode_t before = umask(022);
  ASSERT_TRUE(MakeDataPrivate(db).ok());
  umask(before);
  EXPECT_EQ(ModeOf(tmp.File("new")), 0700u);
}

}  // namespace
}  // namespace concord
