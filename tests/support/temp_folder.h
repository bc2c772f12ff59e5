// A fresh folder under the test's temp dir (gtest's TempDir), removed with
// everything in it when the object goes. Header-only: any test may use it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace concord::testing {

class TempFolder {
 public:
  explicit TempFolder(const std::string& prefix = "concord") {
    std::string tmpl = ::testing::TempDir() + "/" + prefix + "_XXXXXX";
    EXPECT_NE(mkdtemp(tmpl.data()), nullptr) << tmpl;
    path_ = tmpl;
  }
  ~TempFolder() { std::filesystem::remove_all(path_); }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace concord::testing
