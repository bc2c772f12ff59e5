// concordctl as an operator runs it: a real binary against a real hub.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "concord/v1/envelope.pb.h"
#include "hub/common/sqlite.h"
#include "tests/support/district.h"

namespace concord::testing {
namespace {

struct CtlResult {
  int exit_code;
  std::string out;
};

CtlResult Ctl(const std::string& args) {
  const std::string cmd = BinPath("concordctl") + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

void Traffic(TestDistrict& d, int n) {
  ClientThread b(d.ClientFor("b"), [](client::Client& c) {
    c.OnMessage([](const v1::Envelope&, sqlite::Db&) { return absl::OkStatus(); });
  });
  ClientThread a(d.ClientFor("a"));
  a.Call([&](client::Client& c) {
    for (int i = 0; i < n; ++i) {
      v1::TextNote note;
      note.set_body("m" + std::to_string(i));
      c.Publish(client::MakeEnvelope({"b"}, note));
    }
    return 0;
  });
  ASSERT_TRUE(WaitFor([&] { return b.Stats().received == static_cast<uint64_t>(n); }));
}

// After real traffic the chain verifies; a changed line and a deleted line are each named.
TEST(ConcordCtl, AuditVerifyNamesTheFirstBadLine) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  Traffic(d, 50);
  d.StopHub();
  CtlResult ok = Ctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("intact"), std::string::npos) << ok.out;
  {
    auto db = sqlite::Db::Open(d.hub_db());
    ASSERT_TRUE(db->Exec("UPDATE audit SET line = line || 'X' WHERE n = 5").ok());
  }
  CtlResult changed = Ctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(changed.exit_code, 1) << changed.out;
  EXPECT_NE(changed.out.find("line 5"), std::string::npos) << changed.out;
  {
    auto db = sqlite::Db::Open(d.hub_db());
    ASSERT_TRUE(db->Exec("UPDATE audit SET line = substr(line, 1, length(line) - 1) WHERE n = 5").ok());
    ASSERT_TRUE(db->Exec("DELETE FROM audit WHERE n = 3").ok());
  }
  CtlResult deleted = Ctl("audit verify --db " + d.hub_db());
  EXPECT_EQ(deleted.exit_code, 1) << deleted.out;
  EXPECT_NE(deleted.out.find("line 3"), std::string::npos) << deleted.out;
}

// The status table lists each principal with its queue, and --json is machine-readable.
TEST(ConcordCtl, StatusShowsPrincipals) {
  TestDistrict d({"a", "b"});
  ASSERT_TRUE(d.StartHub().ok());
  Traffic(d, 5);
  const std::string hp = "--hub-http 127.0.0.1:" + std::to_string(d.metrics_port());
  CtlResult table = Ctl("status " + hp);
  EXPECT_EQ(table.exit_code, 0) << table.out;
  EXPECT_NE(table.out.find("a "), std::string::npos);
  EXPECT_NE(table.out.find("queued"), std::string::npos);
  CtlResult json = Ctl("status --json " + hp);
  EXPECT_NE(json.out.find("\"delivered\": 5"), std::string::npos) << json.out;
}

// Unreachable hub: a clear message and exit code 3, not a crash.
TEST(ConcordCtl, UnreachableHubIsReported) {
  CtlResult r = Ctl("status --hub-http 127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("cannot reach"), std::string::npos) << r.out;
}

// Keys made by concordctl load, and revoke marks the registry entry.
TEST(ConcordCtl, KeysGenAddRevoke) {
  TestDistrict d({"a"});
  const std::string prefix = d.dir() + "/keys/newcomer";
  CtlResult gen = Ctl("keys gen --out " + prefix);
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  EXPECT_TRUE(LoadCurveKeyPair(prefix).ok());
  CtlResult again = Ctl("keys gen --out " + prefix);
  EXPECT_EQ(again.exit_code, 2) << "must not overwrite a key";
  CtlResult add = Ctl("keys add --registry " + d.registry_file() + " --name newcomer --pub " + prefix +
                ".pub --roles agency");
  ASSERT_EQ(add.exit_code, 0) << add.out;
  CtlResult rev = Ctl("keys revoke --registry " + d.registry_file() + " --name newcomer");
  ASSERT_EQ(rev.exit_code, 0) << rev.out;
  ASSERT_TRUE(d.StartHub().ok()) << "registry stays valid TOML";
  CtlResult missing = Ctl("keys revoke --registry " + d.registry_file() + " --name nobody");
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace concord::testing
