// `concordctl petition ...`: petition intake through an agency's adapter
// (its POST /petitions, POST /petitions/query and GET /petitions,
// adapters/petition_connector.h).
//
//   concordctl petition register --adapter 127.0.0.1:7206 --csv FILE
//   concordctl petition register --adapter ... --intake-id ID --channel 来信 --matter M
//       [--received "YYYY-MM-DD HH:MM"] [--petitioner P] [--contact C] [--anonymous]
//       [--case-ref R] [--people N]
//   concordctl petition status --adapter ... [--intake-id ID]
//
// A CSV is checked here first with the adapter's own rules
// (domain/petition_intake.h): any bad row is printed as FILE:LINE: reason
// and nothing is sent (exit 2). Then the rows are posted in one request and,
// for up to --wait seconds, the ledger's answers are awaited (every id sent
// is followed, however many) and printed (intake id, status, ledger number
// 台账号, reason).
//
// Exit codes: 0 registered (or still registering when the wait ran out), 1 the
// ledger refused one, 2 bad input (nothing sent), 3 the adapter could not be
// reached or failed.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/http_client.h"
#include "domain/petition_intake.h"
#include "nlohmann/json.hpp"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {
namespace {

struct PetitionRegisterArgs {
  std::string adapter = "127.0.0.1:7206";  // the adapter's HTTP host:port
  std::string csv;                         // a petition CSV, or the fields below
  std::string intake_id, channel, matter, received, petitioner, contact, case_ref;
  bool anonymous = false;
  int people = 1;
  int wait_s = 10;  // how long to wait for the ledger numbers
};

using nlohmann::json;

std::string IntakeStatusText(const std::string& s) {
  if (s == "registering") return "登记中 registering";
  if (s == "registered") return "已登记 registered";
  if (s == "refused") return "被拒绝 refused";
  if (s == "already sent") return "此前已提交 already sent";
  return s;
}

void PrintPetitions(const std::vector<json>& petitions) {
  std::cout << Pad("登记编号 intake id", 24) << Pad("状态 status", 26)
            << Pad("台账号 ledger no", 20) << "原因 reason\n";
  for (const json& p : petitions)
    std::cout << Pad(p.value("intake_id", ""), 24)
              << Pad(IntakeStatusText(p.value("status", "")), 26)
              << Pad(p.value("ledger_no", ""), 20) << p.value("reason", "") << "\n";
}

// An adapter's HTTP API.
class AdapterHttp {
 public:
  bool Parse(const std::string& host_port) {
    spec_ = host_port;
    return SplitHostPort(host_port, host_, port_);
  }
  // The answer's status and JSON body; an error when the adapter is unreachable.
  absl::StatusOr<std::pair<int, json>> Call(const std::string& method, const std::string& target,
                                            const std::string& body = "") const {
    auto r = DaemonCall(host_, port_, method, target, body);
    if (!r.ok())
      return absl::UnavailableError(absl::StrCat("无法连接适配器 / cannot reach the adapter at ",
                                                 spec_, ": ", std::string(r.status().message())));
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded()) j = json{{"error", r->body}};
    return std::make_pair(r->status, std::move(j));
  }
  // The petitions with these intake ids that the adapter knows, by intake id
  // (none when it cannot be asked: the caller asks again).
  std::map<std::string, json> Query(const std::vector<std::string>& intake_ids) const {
    std::map<std::string, json> out;
    auto r = Call("POST", "/petitions/query", json{{"intake_ids", intake_ids}}.dump());
    if (r.ok() && r->first == 200)
      for (const json& p : r->second.value("petitions", json::array()))
        out[p.value("intake_id", "")] = p;
    return out;
  }

 private:
  std::string spec_, host_;
  uint16_t port_ = 0;
};

// Ids that need no escaping in a query string.
bool PlainId(const std::string& id) {
  for (char c : id)
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return !id.empty();
}

int CmdPetitionRegister(const PetitionRegisterArgs& a) {
  AdapterHttp adapter;
  if (!adapter.Parse(a.adapter)) return Fail(2, "--adapter 应为 host:port / must be host:port");
  json body = json::array();
  std::vector<int> lines;  // the CSV line of each entry
  if (!a.csv.empty()) {
    auto bytes = ReadFileToString(a.csv);
    if (!bytes.ok()) return Fail(2, std::string(bytes.status().message()));
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto parsed = ledger::ParsePetitionCsv(*bytes, now);
    if (!parsed.ok())
      return Fail(2, absl::StrCat(a.csv, ": ", std::string(parsed.status().message())));
    std::set<int> bad_lines;
    for (const csv::RowError& e : parsed->errors) {
      std::cerr << a.csv << ":" << e.line << ": " << e.reason << "\n";
      bad_lines.insert(e.line);
    }
    if (!bad_lines.empty())
      return Fail(
          2, absl::StrCat(bad_lines.size(), " 行有误，未提交任何登记 / ", bad_lines.size(),
                          bad_lines.size() == 1 ? " bad row" : " bad rows", ": nothing was sent"));
    if (parsed->rows.empty())
      return Fail(2, absl::StrCat(a.csv, ": 文件中没有登记 / no petitions in the file"));
    for (const ledger::PetitionRow& row : parsed->rows) {
      body.push_back(row.entered);
      lines.push_back(row.line);
    }
  } else {
    json p = {{"intake_id", a.intake_id},
              {"channel", a.channel},
              {"matter", a.matter},
              {"anonymous", a.anonymous},
              {"people", a.people}};
    for (const auto& [key, value] :
         {std::pair{"received", &a.received}, std::pair{"petitioner", &a.petitioner},
          std::pair{"contact", &a.contact}, std::pair{"case_ref", &a.case_ref}})
      if (!value->empty()) p[key] = *value;
    body.push_back(std::move(p));
  }

  auto sent = adapter.Call("POST", "/petitions", body.dump());
  if (!sent.ok()) return Fail(3, std::string(sent.status().message()));
  const auto& [status, reply] = *sent;
  if (status == 400) {
    for (const json& e : reply.value("errors", json::array())) {
      const size_t i = e.value("index", size_t{0});
      std::cerr << (i < lines.size() ? absl::StrCat(a.csv, ":", lines[i], ": ") : "")
                << e.value("error", "") << "\n";
    }
    return Fail(2, reply.value("error", reply.dump()));
  }
  if (status != 202)
    return Fail(3, absl::StrCat("适配器答复 / the adapter answered ", status, ": ",
                                reply.value("error", reply.dump())));

  // The ledger answers through the hub: wait for its numbers.
  std::vector<json> petitions = reply.value("petitions", std::vector<json>());
  std::vector<std::string> sent_before;
  for (const json& p : petitions)
    if (p.value("status", "") == "already sent") sent_before.push_back(p.value("intake_id", ""));
  // Each round asks only for those not yet registered or refused, however many were sent.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(a.wait_s);
  for (;;) {
    std::vector<std::string> unsettled;
    for (const json& p : petitions)
      if (const std::string s = p.value("status", ""); s == "registering" || s == "already sent")
        unsettled.push_back(p.value("intake_id", ""));
    if (unsettled.empty()) break;
    const std::map<std::string, json> found = adapter.Query(unsettled);
    bool pending = false;
    for (json& p : petitions) {
      if (auto it = found.find(p.value("intake_id", "")); it != found.end()) p = it->second;
      pending = pending || p.value("status", "") == "registering";
    }
    if (!pending || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  PrintPetitions(petitions);
  size_t registering = 0, refused = 0;
  for (const json& p : petitions) {
    registering += p.value("status", "") == "registering";
    refused += p.value("status", "") == "refused";
  }
  std::cout << "提交 " << petitions.size() << " 件 / " << petitions.size() << " petitions sent to "
            << a.adapter << "\n";
  for (const std::string& id : sent_before)
    std::cout << id << " 此前已提交，未重复登记 / " << id
              << " was sent before; not registered again\n";
  if (registering > 0)
    std::cout
        << registering
        << " 件仍在登记中（台账代理尚未答复），稍后用 concordctl petition status 查看 / "
        << registering
        << " still registering (no answer from the ledger yet): see concordctl petition status\n";
  return refused > 0 ? 1 : 0;
}

int CmdPetitionStatus(const std::string& adapter_spec, const std::string& intake_id) {
  AdapterHttp adapter;
  if (!adapter.Parse(adapter_spec)) return Fail(2, "--adapter 应为 host:port / must be host:port");
  std::vector<json> petitions;
  if (intake_id.empty() || !PlainId(intake_id)) {
    auto r = adapter.Call("GET", "/petitions");
    if (!r.ok()) return Fail(3, std::string(r.status().message()));
    if (r->first != 200) return Fail(3, r->second.value("error", r->second.dump()));
    for (const json& p : r->second.value("petitions", json::array()))
      if (intake_id.empty() || p.value("intake_id", "") == intake_id) petitions.push_back(p);
  } else {
    auto r = adapter.Call("GET", "/petitions?intake_id=" + intake_id);
    if (!r.ok()) return Fail(3, std::string(r.status().message()));
    if (r->first == 200)
      petitions.push_back(r->second);
    else if (r->first != 404)
      return Fail(3, r->second.value("error", r->second.dump()));
  }
  if (!intake_id.empty() && petitions.empty())
    return Fail(2, absl::StrCat("没有登记 ", intake_id, " / no petition ", intake_id));
  PrintPetitions(petitions);
  return 0;
}

}  // namespace

void AddPetitionCommands(CLI::App& app, Commands& commands) {
  auto* petition = app.add_subcommand("petition", "信访登记 / petition intake at an adapter");
  petition->require_subcommand(1);
  auto pr = std::make_shared<PetitionRegisterArgs>();
  auto* reg = petition->add_subcommand(
      "register", "登记信访件（单件或 CSV）/ register petitions (one, or a CSV file)");
  reg->add_option("--adapter", pr->adapter, "适配器 HTTP 地址 / the adapter's host:port");
  auto* csv = reg->add_option("--csv", pr->csv, "信访登记 CSV / petition CSV file");
  reg->add_option("--intake-id", pr->intake_id, "登记编号 / intake id")->excludes(csv);
  reg->add_option("--channel", pr->channel, "渠道 来信/来访/网上/电话/视频/转送 / channel")
      ->excludes(csv);
  reg->add_option("--matter", pr->matter, "信访事项 / matter")->excludes(csv);
  reg->add_option("--received", pr->received, "收到时间 \"YYYY-MM-DD HH:MM\" / received (CST)")
      ->excludes(csv);
  reg->add_option("--petitioner", pr->petitioner, "信访人 / petitioner")->excludes(csv);
  reg->add_option("--contact", pr->contact, "联系方式 / contact")->excludes(csv);
  reg->add_flag("--anonymous", pr->anonymous, "匿名 / anonymous")->excludes(csv);
  reg->add_option("--case-ref", pr->case_ref, "案号 / case number")->excludes(csv);
  reg->add_option("--people", pr->people, "人数（5 人以上为集体访）/ people (5+: group)")
      ->excludes(csv);
  reg->add_option("--wait", pr->wait_s, "等待台账号的秒数 / seconds to wait for ledger numbers");
  commands.On(reg, [pr] { return CmdPetitionRegister(*pr); });

  struct StatusArgs {
    std::string adapter = PetitionRegisterArgs().adapter, intake_id;
  };
  auto st = std::make_shared<StatusArgs>();
  auto* status = petition->add_subcommand("status", "登记状态与台账号 / status and ledger numbers");
  status->add_option("--adapter", st->adapter, "适配器 HTTP 地址 / the adapter's host:port");
  status->add_option("--intake-id", st->intake_id, "只看一件 / one petition only");
  commands.On(status, [st] { return CmdPetitionStatus(st->adapter, st->intake_id); });
}

}  // namespace concord::ctl
