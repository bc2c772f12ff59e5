#include "tools/concordctl/district_files.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/files.h"
#include "domain/agent_messages.h"
#include "domain/rules.h"

namespace concord::ctl {

absl::Status CheckName(const std::string& name, const std::string& what) {
  bool ok = !name.empty() && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      what, " 名称无效 / invalid ", what, " name \"", name,
      "\": 须为小写字母开头，仅含小写字母、数字、_ 或 - / must start with a-z and hold only "
      "a-z, 0-9, _ or -"));
}

absl::StatusOr<std::pair<std::string, std::string>> SplitAgencyName(const std::string& principal) {
  std::vector<std::string> parts = absl::StrSplit(principal, '.');
  if (parts.size() != 2)
    return absl::InvalidArgumentError(
        absl::StrCat("机关名称须为 <辖区>.<机关> / an agency's name is <district>.<agency>, e.g. "
                     "shangzhou.court; got \"",
                     principal, "\""));
  if (auto st = CheckName(parts[0], "district"); !st.ok()) return st;
  if (auto st = CheckName(parts[1], "agency"); !st.ok()) return st;
  if (parts[1] == "agent" || parts[1] == "ops")
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", parts[1], "\" 为保留名称 / is reserved (agents are <district>.agent.<kind>)"));
  return std::make_pair(parts[0], parts[1]);
}

absl::StatusOr<std::vector<AgencyEntry>> ParseAgencies(const std::string& text,
                                                       const std::string& source) {
  std::vector<AgencyEntry> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, '|');
    auto where = [&] { return absl::StrCat(source, ":", line_no, ": "); };
    if (f.size() < 3 || f[1].empty() || f[2].empty())
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "每行须为 名称|中文名称|角色 / each line is name|display|roles"));
    AgencyEntry a;
    a.name = f[0];
    if (auto st = CheckName(a.name, "agency"); !st.ok())
      return absl::InvalidArgumentError(absl::StrCat(where(), st.message()));
    if (a.name == "agent" || a.name == "ops")
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "\"", a.name, "\" 为保留名称 / is a reserved name"));
    for (const auto& seen : out)
      if (seen.name == a.name)
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "机关重复 / agency listed twice: ", a.name));
    a.display = f[1];
    a.roles = absl::StrSplit(f[2], ',', absl::SkipWhitespace());
    for (auto& r : a.roles) r = std::string(absl::StripAsciiWhitespace(r));
    if (f.size() > 3) a.superior = std::string(absl::StripAsciiWhitespace(f[3]));
    if (a.superior == a.name)
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "上一级机关不能是本机关 / an agency is not its own superior"));
    out.push_back(std::move(a));
  }
  if (out.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": 没有机关 / lists no agency (name|display|roles a line)"));
  // The superiors as the ledger agent will read them ([ledger.superiors]),
  // checked the way it checks them.
  ledger::RuleOptions chain;
  for (const auto& a : out)
    if (!a.superior.empty()) chain.superiors[a.name] = a.superior;
  for (const auto& [name, superior] : chain.superiors) {
    if (std::none_of(out.begin(), out.end(),
                     [&](const AgencyEntry& a) { return a.name == superior; }))
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": ", name, " 的上一级机关 ", superior,
                       " 不在机关表中 / names a superior that is not listed: ", superior));
    if (chain.IsAbove(name, name))
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": ", name, " 的上下级关系成环 / its chain of superiors comes back to it"));
  }
  return out;
}

absl::StatusOr<std::vector<AgencyEntry>> ReadAgenciesFile(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("无法读取机关表 / cannot read the agencies file ", path));
  return ParseAgencies(*text, path);
}

std::vector<AgencyEntry> DefaultAgencies(const std::string& d) {
  auto e = [&](const char* name, const char* suffix, std::vector<std::string> roles) {
    return AgencyEntry{name, absl::StrCat(d, suffix), std::move(roles)};
  };
  return {e("procuratorate", "人民检察院", {"agency", "procuratorate", "aid_grantor"}),
          e("plc", "委政法委", {"agency", "plc"}),
          e("court", "人民法院", {"agency", "court", "aid_grantor"}),
          e("police", "公安分局", {"agency", "police", "aid_grantor"}),
          e("justice", "司法局", {"agency", "justice", "aid_grantor"}),
          e("petition", "信访局", {"agency", "petition"})};
}

namespace {

// {D} is the district's name, {AGENCIES} its agencies' principals.
constexpr char kAclTemplate[] =
    R"(# 辖区 {D} 的访问控制 / the ACL of the district "{D}" (concordctl district init).
# 访问控制：谁可以向谁发送哪类消息；未列出的一律拒绝。
# ACL: who may send which payload type to whom; anything not allowed is refused.
# from: principal glob or role:<r>; type: payload type glob; to: recipient globs.

# Agencies exchange Concord messages with each other, by role and on topics.
# Not with the agents ("{D}.*" would match {D}.agent.*): what an
# agency may send to each agent is listed below, type by type.
[[allow]]
from = "role:agency"
type = "concord.v1.*"
to = [{AGENCIES}, "role:agency", "topic:*"]

# Granting agencies ask the aid agent before they grant (tokens only, aid.proto).
[[allow]]
from = "role:aid_grantor"
type = "concord.v1.AidCheckRequest"
to = ["role:aid"]

# Each step of an aid application (the procedure and its deadlines, no names).
[[allow]]
from = "role:aid_grantor"
type = "concord.v1.AidApplicationStep"
to = ["role:aid"]

# Numbers of one case at two agencies, as tokens (aid.proto AidCaseLinks).
[[allow]]
from = "role:aid_grantor"
type = "concord.v1.AidCaseLinks"
to = ["role:aid"]

# A granting agency corrects or withdraws its own registered grant (aid.proto AidGrantChange).
[[allow]]
from = "role:aid_grantor"
type = "concord.v1.AidGrantChange"
to = ["role:aid"]

# A granting agency re-keys its grants and links for a new linkage key (aid.proto AidRekey).
[[allow]]
from = "role:aid_grantor"
type = "concord.v1.AidRekey"
to = ["role:aid"]

# The aid agent answers, and tells the other granting agency.
[[allow]]
from = "role:aid"
type = "concord.v1.Aid*"
to = ["{D}.*"]

# The aid agent warns of aid deadlines, reports them overdue and escalates.
[[allow]]
from = "role:aid"
type = "concord.v1.DeadlineAlert"
to = ["{D}.*"]

# Agencies register petitions and record their handling in the shared ledger.
[[allow]]
from = "role:agency"
type = "concord.v1.Petition*"
to = ["role:ledger", "{D}.agent.ledger"]

# Agencies' consoles (and concordctl) read the ledger over the bus; the ledger
# agent answers each with a LedgerQueryReply (its own rule below).
[[allow]]
from = "role:agency"
type = "concord.v1.LedgerQuery"
to = ["role:ledger", "{D}.agent.ledger"]

# Reception days: slots, bookings and outcomes go to the ledger agent.
[[allow]]
from = "role:agency"
type = "concord.v1.Reception*"
to = ["role:ledger", "{D}.agent.ledger"]

# Handlers' risk forms go to the risk agent; the ledger tells it of each item.
[[allow]]
from = "role:agency"
type = "concord.v1.RiskReport"
to = ["role:risk", "{D}.agent.risk"]

# Agencies' consoles read the risk book (their own open risks, screenings).
[[allow]]
from = "role:agency"
type = "concord.v1.RiskQuery"
to = ["role:risk", "{D}.agent.risk"]

[[allow]]
from = "role:ledger"
type = "concord.v1.PetitionSnapshot"
to = ["role:risk", "{D}.agent.risk"]

# Agencies convene, give inputs, sign plans and report tasks to the conference agent.
[[allow]]
from = "role:agency"
type = "concord.v1.Conference*"
to = ["role:conference", "{D}.agent.conference"]

# Agencies' consoles read the conferences they take part in over the bus; the
# conference agent answers each with a ConferenceQueryReply (its rule below).
# (Also within the rule above; listed on its own like the ledger's read.)
[[allow]]
from = "role:agency"
type = "concord.v1.ConferenceQuery"
to = ["role:conference", "{D}.agent.conference"]

[[allow]]
from = "role:agency"
type = "concord.v1.Hearing*"
to = ["role:conference", "{D}.agent.conference"]

# The conference agent answers (ConferenceReply, ConferenceQueryReply), invites
# and issues the plans, and puts the plans' tasks on the ledger's clock.
[[allow]]
from = "role:conference"
type = "concord.v1.Conference*"
to = ["{D}.*"]

[[allow]]
from = "role:conference"
type = "concord.v1.TrackDeadline"
to = ["role:ledger", "{D}.agent.ledger"]

[[allow]]
from = "role:conference"
type = "concord.v1.AidStatusQuery"
to = ["role:aid"]

# The risk agent answers, warns and sends the monthly screening.
[[allow]]
from = "role:risk"
type = "concord.v1.*"
to = ["{D}.*"]

# The ledger agent answers (PetitionReply, LedgerQueryReply), shares each item's
# history and sends deadline alerts.
[[allow]]
from = "role:ledger"
type = "concord.v1.*"
to = ["{D}.*"]

# The operator may send text notes anywhere (debugging, drills).
[[allow]]
from = "role:ops"
type = "concord.v1.TextNote"
to = ["*"]

# 订阅：谁可以订阅哪些主题；未列出的一律拒绝（每个主体至多 64 个）。
# Subscriptions: who may subscribe to which topics; anything else is refused
# (at most 64 topics each). District notices go to every agency; the hub's
# dead-letter alerts (they name senders, recipients and message types) to the
# political-legal committee and the operator.
[[subscribe]]
from = "role:agency"
topics = ["district"]

[[subscribe]]
from = "{D}.plc"
topics = ["alerts"]

[[subscribe]]
from = "role:ops"
topics = ["alerts", "district"]

{RESERVE})";

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

}  // namespace

std::string DistrictAcl(const std::string& district, const std::vector<AgencyEntry>& agencies) {
  std::vector<std::string> names;
  for (const auto& a : agencies) names.push_back(Quoted(absl::StrCat(district, ".", a.name)));
  return absl::StrReplaceAll(kAclTemplate, {{"{D}", district},
                                            {"{AGENCIES}", absl::StrJoin(names, ", ")},
                                            {"{RESERVE}", ReserveRulesToml()}});
}

std::string HubToml(const HubSettings& s) {
  return absl::StrCat(R"(# concord-hub 配置 / hub configuration (concordctl district init)
# 辖区 / district: )",
                      s.district, R"(
[hub]
endpoint = )",
                      Quoted(s.endpoint),
                      R"(           # 各机关连接此地址 / the agencies connect here
metrics_address = )",
                      Quoted(s.metrics_address), R"(
metrics_port = )",
                      s.metrics_port, R"(
data_dir = )",
                      Quoted(s.data_dir), R"(   # hub.db：队列与审计链 / queues and the audit chain
secret_key = "keys/hub.key"   # 枢纽私钥，只在本机 / the hub's secret key, on this machine only
registry = "registry.toml"    # concordctl keys add | revoke | rotate
acl = "acl.toml"

[limits]
credit = 1024
max_queue_depth = 2000000
ack_timeout_ms = 5000
max_attempts = 5
heartbeat_ms = 1000

[storage]
synchronous = "FULL"

[security]
require_sealed = true   # 内容须加密给收件人 / payloads must be sealed to their recipients
)");
}

std::string AdapterToml(const AdapterSettings& s) {
  const auto name = SplitAgencyName(s.principal);
  const std::string district = name.ok() ? name->first : "";
  const std::string agency = name.ok() ? name->second : s.principal;
  std::string out = absl::StrCat(
      "# concord-adapter: ", s.display,
      " (concordctl agency init)\n[agency]\nname = ", Quoted(s.principal),
      "\ndisplay = ", Quoted(s.display), "\n\n[hub]\nendpoint = ", Quoted(s.hub_endpoint),
      "\npublic_key = \"keys/hub.pub\"   # 枢纽公钥 / the hub's public key\n\n"
      "[keys]\nsecret_key = \"keys/",
      agency,
      ".key\"   # 本机关私钥，不离开本机 / this agency's secret key, never leaves this machine\n\n"
      "[storage]\ndata_dir = ",
      Quoted(s.data_dir),
      "   # agency.db\n\n[http]\naddress = \"127.0.0.1\"   # 本机关系统与 concordctl / the "
      "agency's own systems\nport = ",
      s.http_port, "\n\n[subscriptions]\ntopics = [\"district\"]\n\n",
      "# 信访登记与办理 / petition intake and handling\n[petitions]\nledger = ",
      Quoted(absl::StrCat(district, ".agent.ledger")),
      "\n\n# CSV 导入 / CSV drop folders: aid grants here, petitions in petitions/\n[csv]\n"
      "drop_dir = ",
      Quoted(absl::StrCat(s.data_dir, "/drop")), "\n");
  if (!s.linkage_key.empty())
    absl::StrAppend(
        &out,
        "\n# 司法救助：发放前查重 / judicial aid: the pre-grant duplicate check\n[aid]\n"
        "linkage_key = ",
        Quoted(s.linkage_key),
        "   # 仅各救助机关共有 / shared by the granting agencies only\nagent = \"role:aid\"\n"
        "conference = ",
        Quoted(absl::StrCat(district, ".agent.conference")), "\n");
  if (s.console.enabled) {
    std::vector<std::string> hosts;
    for (const auto& h : s.console.hosts) hosts.push_back(Quoted(h));
    absl::StrAppend(
        &out,
        "\n# 办案人员网页控制台（HTTPS，个人账号：concordctl account add）/ the clerks' web "
        "console "
        "(HTTPS, personal accounts: concordctl account add)\n[console]\naddress = ",
        Quoted(s.console.address),
        "   # 本机关局域网，防火墙见 docs/operations.md / the agency's LAN\nport = ",
        s.console.port, "\ncert = ", Quoted(s.console.cert),
        "   # 换为本单位 CA 签发的证书 / replace with one the agency's CA signed\nkey = ",
        Quoted(s.console.key), "\nhosts = [", absl::StrJoin(hosts, ", "),
        "]   # 浏览器地址栏中的 主机:端口 / the Host values accepted (empty: any)\n"
        "idle_minutes = 30\nconference = ",
        Quoted(absl::StrCat(district, ".agent.conference")),
        "\nrisk = ", Quoted(absl::StrCat(district, ".agent.risk")), "\n");
    if (!s.console.superior.empty())
      absl::StrAppend(&out, "superior = ", Quoted(s.console.superior),
                      "   # 答复意见书：请求复查的上一级机关 / where a reply is reviewed\n");
    if (!s.console.agencies.empty()) {
      absl::StrAppend(&out,
                      "\n[console.agencies]   # 辖区各机关名称：办理记录与转送 / the district's "
                      "agencies: histories and transfers\n");
      for (const auto& [principal, display] : s.console.agencies)
        absl::StrAppend(&out, Quoted(principal), " = ", Quoted(display), "\n");
    }
  }
  return out;
}

namespace {

bool HasRole(const AgencyEntry& a, const char* role) {
  return std::find(a.roles.begin(), a.roles.end(), role) != a.roles.end();
}

// The principals of the agencies holding any of `roles`, as a TOML array.
std::string WithRoles(const std::string& district, const std::vector<AgencyEntry>& agencies,
                      std::initializer_list<const char*> roles) {
  std::vector<std::string> out;
  for (const auto& a : agencies)
    if (std::any_of(roles.begin(), roles.end(), [&](const char* r) { return HasRole(a, r); }))
      out.push_back(Quoted(absl::StrCat(district, ".", a.name)));
  return absl::StrCat("[", absl::StrJoin(out, ", "), "]");
}

}  // namespace

std::string AgentToml(const std::string& kind, const std::string& district,
                      const std::vector<AgencyEntry>& agencies, const std::string& hub_endpoint) {
  struct Kind {
    const char* kind;
    const char* display;
    const char* daemon;
    int port;
  };
  static constexpr Kind kKinds[] = {
      {"aid", "司法救助登记查重代理", "concord-aid-agent", 7190},
      {"ledger", "信访台账与期限监督代理", "concord-ledger-agent", 7191},
      {"risk", "风险评估预警代理", "concord-risk-agent", 7192},
      {"conference", "联席会议与化解方案代理", "concord-conference-agent", 7193}};
  const Kind* k = nullptr;
  for (const Kind& c : kKinds)
    if (kind == c.kind) k = &c;
  if (!k) return "";
  const std::string d = district;
  auto agent = [&](const char* other) { return Quoted(absl::StrCat(d, ".agent.", other)); };
  const std::string calendar = "\"/usr/share/concord/calendar/cn-holidays.txt\"";
  std::string out = absl::StrCat(
      "# ", k->daemon,
      " 配置 / configuration (concordctl district init --agents)\n# 辖区 / district: ", d,
      "\n[agency]\nname = ", agent(k->kind), "\ndisplay = ", Quoted(k->display),
      "\n\n[hub]\nendpoint = ", Quoted(hub_endpoint),
      "\npublic_key = \"keys/hub.pub\"\n\n[keys]\nsecret_key = \"keys/", k->kind,
      ".key\"   # 本代理私钥，只在本机 / this agent's secret key, on this machine only\n\n"
      "[storage]\ndata_dir = \"/var/lib/concord/",
      k->kind,
      "\"\n\n[http]\naddress = \"127.0.0.1\"   # /health, /metrics and the agent's views\nport = ",
      k->port, "\n\n");
  if (kind == "aid") {
    absl::StrAppend(
        &out,
        "[aid]   # 不持有关联密钥 / never holds the linkage key\nprovince = \"陕西省\"\n"
        "calendar = ",
        calendar,
        "   # 救助期限按工作日 / aid deadlines in working days\n"
        "payment_working_days = 2   # 救助金到账后通知领取 / to tell and pay once the "
        "funds arrive\nsupervisors = ",
        WithRoles(d, agencies, {"plc"}),
        "   # 救助期限逾期督办 / escalations of aid deadlines\n"
        "duplicate_probability = 0.9\npossible_probability = 0.5\nstatus_askers = [",
        agent("conference"), "]\n\n",
        R"(# 救助上限：上一年度全省职工月平均工资 × 36（2014 意见；docs/aid.md）/ cap: 36 x the
# province's average monthly wage of the year before. 示例数字，请按省统计局公布数字填写 /
# example figures: enter the province's published ones.
[aid.wages]
"2024" = 7800
"2025" = 8200
)");
  } else if (kind == "ledger") {
    absl::StrAppend(&out, "[ledger]\ncalendar = ", calendar,
                    "   # 节假日与调休 / holidays and make-up working days\n");
    // The petition office: the first agency with the role (the 15-day transfer rule).
    for (const auto& a : agencies)
      if (HasRole(a, "petition")) {
        absl::StrAppend(&out, "petition_office = ", Quoted(absl::StrCat(d, ".", a.name)),
                        "   # 15 日内转送 / its items owe the 15-day transfer rule\n");
        break;
      }
    absl::StrAppend(
        &out, "supervisors = ", WithRoles(d, agencies, {"plc"}),
        "   # 重大、集体事项的第二次督办 / second escalation; read every item\n"
        "scan_seconds = 5\nwarn_same_day_hours = 4\nwarn_days = 2\nwarn_month_days = 7\n"
        "second_escalation_days = 3\nprocedural_reply_working_days = false\n"
        "group_threshold = 5   # 集体访：人数达到 / a group petition from this many people\n"
        "reception_hosts = ",
        WithRoles(d, agencies, {"procuratorate"}),
        "\nreception_bookers = ", WithRoles(d, agencies, {"petition"}), "\nobservers = [",
        agent("risk"), "]\ntrackers = [", agent("conference"),
        "]\nprocuratorates = ", WithRoles(d, agencies, {"procuratorate"}),
        "   # 7 日程序性答复、3 个月答复 / owe the 7 days and 3 months (件件有回复)\n");
    // The organs above (review and re-review go up to them, 条例 arts. 35-36).
    std::string superiors;
    for (const auto& a : agencies)
      if (!a.superior.empty())
        absl::StrAppend(&superiors, Quoted(absl::StrCat(d, ".", a.name)), " = ",
                        Quoted(absl::StrCat(d, ".", a.superior)), "\n");
    if (!superiors.empty())
      absl::StrAppend(&out,
                      "\n[ledger.superiors]   # 复查、复核的上一级机关 / the organ above each "
                      "agency (review, re-review)\n",
                      superiors);
  } else if (kind == "risk") {
    absl::StrAppend(
        &out, "[risk]\nfactors = \"/usr/share/concord/risk/factors.toml\"\ncalendar = ", calendar,
        "\nsupervisors = ", WithRoles(d, agencies, {"plc"}),
        "\nconvenors = ", WithRoles(d, agencies, {"procuratorate"}), "\nledger = ", agent("ledger"),
        "   # 唯一的信访快照来源 / the only sender of petition snapshots\n"
        "scan_seconds = 60\n");
  } else {
    std::vector<std::string> all, names;
    for (const auto& a : agencies) {
      all.push_back(Quoted(absl::StrCat(d, ".", a.name)));
      names.push_back(absl::StrCat(all.back(), " = ", Quoted(a.display)));
    }
    absl::StrAppend(
        &out, "[conference]\nconvenors = ", WithRoles(d, agencies, {"procuratorate", "plc"}),
        "\nagencies = [", absl::StrJoin(all, ", "), "]\nledger = ", agent("ledger"),
        "\naid = ", agent("aid"),
        "\naid_timeout_seconds = 300\nhearing_hosts = ", WithRoles(d, agencies, {"procuratorate"}),
        "\n\n[conference.names]   # 方案文书中的机关名称 / the agencies' names in the "
        "plan document\n",
        absl::StrJoin(names, "\n"), "\n");
  }
  return out;
}

bool IsPackageExample(const std::string& text) {
  return absl::StartsWith(text, kPackageExampleMark);
}

std::string ShellWord(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word)
    plain = plain && (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                      absl::string_view("_-./:,=@+%").find(c) != absl::string_view::npos);
  if (plain) return std::string(word);
  return absl::StrCat("'", absl::StrReplaceAll(word, {{"'", "'\\''"}}), "'");
}

}  // namespace concord::ctl
