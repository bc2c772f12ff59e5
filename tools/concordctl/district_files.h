// The files enrolment writes (`concordctl district init` at the hub,
// `concordctl agency init` at each agency): the district's ACL, hub.toml and
// an agency adapter's config, as text, from the district's name and its
// agencies. Nothing here knows a district's name: "shangzhou" is only an
// example in comments. The ACL template lives here and only here
// (deploy/make-district.sh runs `district init`; deploy/examples/acl.toml is
// this output for the demo district, kept equal by a test).
//
// Names: a district is [a-z][a-z0-9_-]*; its agencies are principals
// "<district>.<agency>" and its agents "<district>.agent.<kind>".
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace concord::ctl {

struct AgencyEntry {
  std::string name;  // short name in the district: "court"
  std::string display;
  std::vector<std::string> roles;  // "agency", "court", "aid_grantor"
  // The organ one level above it, another agency of the file ("city-court"):
  // it reviews this agency's answers (信访工作条例 art. 35). Empty: none on the bus.
  std::string superior{};
};

// OK when `name` is a district or agency short name ([a-z][a-z0-9_-]*);
// else InvalidArgument saying which `what` is wrong and why.
absl::Status CheckName(const std::string& name, const std::string& what);

// "shangzhou.court" -> {"shangzhou", "court"}; InvalidArgument otherwise.
absl::StatusOr<std::pair<std::string, std::string>> SplitAgencyName(const std::string& principal);

// An agencies file: one agency a line, "name|display|roles[|superior]"
// (roles comma separated; superior: another agency of the file, the organ
// above it; further |fields ignored), blank lines and # comments skipped.
// A superior that is not listed, or a chain of superiors that comes back to
// itself, is refused.
// `source` names the file in errors (with the line number).
absl::StatusOr<std::vector<AgencyEntry>> ParseAgencies(const std::string& text,
                                                       const std::string& source);

// ParseAgencies on the file `path` (agencies.txt), with its name in errors.
absl::StatusOr<std::vector<AgencyEntry>> ReadAgenciesFile(const std::string& path);

// The six political-legal agencies of a district whose display name is
// `district_display` (e.g. "上州区" -> "上州区人民检察院", ...).
std::vector<AgencyEntry> DefaultAgencies(const std::string& district_display);

// The district's acl.toml: agencies exchange Concord messages with each
// other and with the four agents by type; agents answer within the district.
std::string DistrictAcl(const std::string& district, const std::vector<AgencyEntry>& agencies);

struct HubSettings {
  std::string district;
  std::string endpoint = "tcp://0.0.0.0:7100";
  std::string metrics_address = "127.0.0.1";
  int metrics_port = 7180;
  std::string data_dir = "/var/lib/concord/hub";  // absolute
};
// hub.toml, with keys/hub.key, registry.toml and acl.toml beside it.
std::string HubToml(const HubSettings& s);

struct AdapterSettings {
  std::string principal;  // "shangzhou.court"
  std::string display;
  std::string hub_endpoint;  // "tcp://hub.example:7100"
  std::string data_dir;      // absolute
  int http_port = 7200;
  std::string linkage_key;  // a file; empty: no [aid] section
  // The clerks' web console ([console]); port 0 with enabled: any free port.
  struct Console {
    bool enabled = false;
    std::string address = "0.0.0.0";  // the agency's LAN
    int port = 8443;
    std::string cert = "keys/console.crt", key = "keys/console.key";
    std::vector<std::string> hosts;  // Host values accepted (empty: any)
    // principal -> display name of every agency of the district (histories,
    // the transfer form); from the district's agencies file.
    std::vector<std::pair<std::string, std::string>> agencies;
    std::string superior;  // the organ a reply is reviewed by (复查); empty: not named
  } console;
};
// The adapter's config (adapters/adapter_config.h), with keys/hub.pub and
// keys/<agency>.key beside it (and the console's keys/console.{crt,key}).
std::string AdapterToml(const AdapterSettings& s);

// The four agents (on the hub's machine): "ledger", "aid", "risk", "conference".
inline constexpr const char* kAgentKinds[] = {"ledger", "aid", "risk", "conference"};
// An agent's config for `district`: its name <district>.agent.<kind>, its key
// keys/<kind>.key, state /var/lib/concord/<kind>, and the agencies it names
// taken from their roles: the petition office ("petition"), supervisors
// ("plc"), conference convenors ("procuratorate", "plc"), hearing and
// reception hosts ("procuratorate"), the conference's agencies and their
// names in plan documents (every agency, display names). `hub_endpoint` is
// how the agent reaches the hub (tcp://127.0.0.1:7100 on the same machine).
// Empty for an unknown kind.
std::string AgentToml(const std::string& kind, const std::string& district,
                      const std::vector<AgencyEntry>& agencies, const std::string& hub_endpoint);

// The first line of every example config the packages install in
// /etc/concord (deploy/examples/): while it is there, `district init` and
// `agency init` replace the file as unedited; an officer who edits the file
// deletes the line, and the commands then refuse to overwrite it.
inline constexpr char kPackageExampleMark[] = "# 安装包示例 / package example:";
// True when `text` begins with kPackageExampleMark.
bool IsPackageExample(const std::string& text);

// `word` quoted for a POSIX shell when it needs it (printed command lines).
std::string ShellWord(const std::string& word);

}  // namespace concord::ctl
