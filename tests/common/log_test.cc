// common/log.h: JSON lines with the time zone and the fields, and native
// journal records with the fields as journal fields (a real datagram socket
// standing in for journald's).
#include "common/log.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_folder.h"

namespace concord {
namespace {

// Runs `body` with stderr going to `path`.
template <typename F>
void WithStderrTo(const std::string& path, F body) {
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  FILE* f = std::fopen(path.c_str(), "w");
  dup2(fileno(f), STDERR_FILENO);
  body();
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::fclose(f);
}

TEST(LogTest, JsonLinesCarryTheZoneAndTheFields) {
  testing::TempFolder dir("log");
  setenv("CONCORD_LOG_FORMAT", "json", 1);
  setenv("TZ", "Asia/Shanghai", 1);
  tzset();
  WithStderrTo(dir.File("err"), [] {
    InitLogging("ledger-agent");
    SetLogField("agency", "shangzhou.agent.ledger");
    {
      const LogField no("ledger_no", "信-2026-000123");
      const LogField id("message_id", "0190-aaaa");
      LOG_WARN("逾期 {} 件 / {} overdue", 1, 1);
    }
    LOG_INFO("scan done \"quoted\"");
  });
  unsetenv("CONCORD_LOG_FORMAT");
  std::ifstream in(dir.File("err"));
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["process"], "ledger-agent");
  EXPECT_EQ(lines[0]["agency"], "shangzhou.agent.ledger");
  EXPECT_EQ(lines[0]["ledger_no"], "信-2026-000123");
  EXPECT_EQ(lines[0]["message_id"], "0190-aaaa");
  EXPECT_EQ(lines[0]["msg"], "逾期 1 件 / 1 overdue");
  const std::string time = lines[0]["time"];
  EXPECT_EQ(time.size(), std::string("2026-12-03T10:15:00.123+08:00").size()) << time;
  EXPECT_EQ(time.substr(time.size() - 6), "+08:00") << time;
  EXPECT_FALSE(lines[1].contains("ledger_no")) << "the scope ended";
  EXPECT_EQ(lines[1]["agency"], "shangzhou.agent.ledger");
  EXPECT_EQ(lines[1]["msg"], "scan done \"quoted\"");
  SetLogField("agency", "");
}

TEST(LogTest, JournalRecordsCarryTheFields) {
  testing::TempFolder dir("journal");
  const std::string path = dir.File("journal.sock");
  const int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  setenv("CONCORD_JOURNAL_SOCKET", path.c_str(), 1);
  setenv("CONCORD_LOG_FORMAT", "journal", 1);
  InitLogging("adapter");
  SetLogField("agency", "shangzhou.court");
  {
    const LogField no("ledger_no", "信-2026-000123");
    LOG_ERROR("两行\nsecond line");
  }
  char buf[4096];
  const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  ASSERT_GT(n, 0);
  const std::string record(buf, static_cast<size_t>(n));
  EXPECT_NE(record.find("PRIORITY=3\n"), std::string::npos) << record;
  EXPECT_NE(record.find("SYSLOG_IDENTIFIER=concord-adapter\n"), std::string::npos);
  EXPECT_NE(record.find("CONCORD_AGENCY=shangzhou.court\n"), std::string::npos);
  EXPECT_NE(record.find("CONCORD_LEDGER_NO=信-2026-000123\n"), std::string::npos);
  // A value with a newline: MESSAGE\n, its length as 8 bytes little-endian, the value.
  const std::string message = "两行\nsecond line";
  std::string framed = "MESSAGE\n";
  for (int i = 0; i < 8; ++i) framed += static_cast<char>(i == 0 ? message.size() : 0);
  EXPECT_NE(record.find(framed + message + "\n"), std::string::npos) << record;
  close(fd);
  unsetenv("CONCORD_JOURNAL_SOCKET");
  unsetenv("CONCORD_LOG_FORMAT");
  SetLogField("agency", "");
}

}  // namespace
}  // namespace concord
