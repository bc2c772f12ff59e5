// Public keys given as a file or as Z85 text: a file of that name wins, since
// a 40-character path ("/work/wt-enrol/var/district/keys/hub.pub") is valid
// Z85 too, and taking the path for the key fails every handshake.
#include "hub/transport/curve_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace concord {
namespace {

TEST(CurveKeys, AFortyCharacterPathIsReadAsAFile) {
  auto kp = GenerateCurveKeyPair();
  ASSERT_TRUE(kp.ok());
  std::string path = "/tmp/ck-" + std::to_string(getpid()) + "-";
  path += std::string(40 - path.size() - 4, 'k') + ".pub";
  ASSERT_EQ(path.size(), 40u);
  ASSERT_TRUE(IsZ85Key(path)) << "the case this test is about";
  std::ofstream(path) << kp->public_z85 << "\n";
  auto loaded = LoadCurvePublicKey(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, kp->public_z85);
  // Without such a file, the text is the key.
  EXPECT_EQ(*LoadCurvePublicKey(kp->public_z85), kp->public_z85);
}

}  // namespace
}  // namespace concord
