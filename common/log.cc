#include "common/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

namespace concord {
namespace {

// Process fields first, then this thread's (a thread's value wins).
std::map<std::string, std::string>& ProcessFields() {
  static std::map<std::string, std::string> fields;
  return fields;
}
thread_local std::map<std::string, std::string> thread_fields;

// Calls fn(key, value) for each field of the event being logged on this
// thread, without copying them.
template <typename F>
void ForEachField(F fn) {
  for (const auto& [k, v] : ProcessFields())
    if (!thread_fields.contains(k)) fn(k, v);
  for (const auto& [k, v] : thread_fields) fn(k, v);
}

// "2026-12-03T10:15:00.123+08:00".
std::string IsoTime(spdlog::log_clock::time_point t) {
  const auto since = t.time_since_epoch();
  const std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since).count() % 1000;
  std::tm local{};
  localtime_r(&secs, &local);
  char base[32], zone[8];
  std::strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &local);
  std::strftime(zone, sizeof zone, "%z", &local);  // +0800
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03d%.3s:%s", base, static_cast<int>(ms), zone, zone + 3);
  return out;
}

const char* LevelName(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "info";
  }
}

// syslog priorities: err 3, warning 4, info 6, debug 7.
int Priority(spdlog::level::level_enum l) {
  return l >= spdlog::level::critical ? 2
         : l == spdlog::level::err    ? 3
         : l == spdlog::level::warn   ? 4
         : l == spdlog::level::info   ? 6
                                      : 7;
}

enum class Form { kText, kJson, kJournal };

class StructuredSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  StructuredSink(Form form, std::string process) : form_(form), process_(std::move(process)) {
    if (form_ == Form::kJournal) journal_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  }
  ~StructuredSink() override {
    if (journal_ >= 0) close(journal_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string text(msg.payload.data(), msg.payload.size());
    if (form_ == Form::kJournal && SendJournal(msg, text)) return;
    std::string line;
    if (form_ == Form::kJson) {
      nlohmann::json j = {
          {"time", IsoTime(msg.time)}, {"level", LevelName(msg.level)}, {"process", process_}};
      ForEachField([&](const std::string& k, const std::string& v) { j[k] = v; });
      j["msg"] = text;
      line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
      const char level = static_cast<char>(std::toupper(LevelName(msg.level)[0]));
      line = IsoTime(msg.time) + " " + level + " [" + process_ + "] " + text;
      ForEachField([&](const std::string& k, const std::string& v) { line += " " + k + "=" + v; });
      line += "\n";
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  // The journal's native protocol: KEY=value lines; a value with a newline
  // is KEY\n<64-bit little-endian length><value>\n.
  bool SendJournal(const spdlog::details::log_msg& msg, const std::string& text) {
    if (journal_ < 0) return false;
    std::string d;
    auto field = [&](std::string key, const std::string& value) {
      for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (value.find('\n') == std::string::npos) {
        d += key + "=" + value + "\n";
        return;
      }
      d += key + "\n";
      uint64_t n = value.size();
      for (int i = 0; i < 8; ++i) d += static_cast<char>((n >> (8 * i)) & 0xff);
      d += value + "\n";
    };
    field("MESSAGE", text);
    field("PRIORITY", std::to_string(Priority(msg.level)));
    field("SYSLOG_IDENTIFIER", "concord-" + process_);
    ForEachField([&](const std::string& k, const std::string& v) { field("CONCORD_" + k, v); });
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const char* path = std::getenv("CONCORD_JOURNAL_SOCKET");  // tests' stand-in journal
    if (path == nullptr || std::strlen(path) >= sizeof addr.sun_path)
      path = "/run/systemd/journal/socket";
    std::strcpy(addr.sun_path, path);
    return sendto(journal_, d.data(), d.size(), MSG_NOSIGNAL,
                  reinterpret_cast<const sockaddr*>(&addr),
                  sizeof addr) == static_cast<ssize_t>(d.size());
  }

  const Form form_;
  const std::string process_;
  int journal_ = -1;
};

// systemd sets JOURNAL_STREAM=<dev>:<inode> when stderr is the journal.
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == st.st_dev && ino == st.st_ino;
}

Form ChooseForm() {
  const char* f = std::getenv("CONCORD_LOG_FORMAT");
  const std::string form = f ? f : "";
  if (form == "json") return Form::kJson;
  if (form == "journal") return Form::kJournal;
  if (form == "text") return Form::kText;
  return StderrIsJournal() ? Form::kJournal : Form::kText;
}

}  // namespace

void InitLogging(const std::string& process_name) {
  auto sink = std::make_shared<StructuredSink>(ChooseForm(), process_name);
  auto logger = std::make_shared<spdlog::logger>(process_name, sink);
  const char* level = std::getenv("CONCORD_LOG_LEVEL");
  logger->set_level(level ? spdlog::level::from_str(level) : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void SetLogField(const std::string& key, const std::string& value) {
  if (value.empty())
    ProcessFields().erase(key);
  else
    ProcessFields()[key] = value;
}

LogField::LogField(std::string key, const std::string& value) : key_(std::move(key)) {
  if (auto it = thread_fields.find(key_); it != thread_fields.end()) {
    had_previous_ = true;
    previous_ = it->second;
  }
  thread_fields[key_] = value;
}

LogField::~LogField() {
  if (had_previous_)
    thread_fields[key_] = previous_;
  else
    thread_fields.erase(key_);
}

}  // namespace concord
