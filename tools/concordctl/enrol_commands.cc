// `concordctl district init | agency init | agency rotate`: enrolment, each
// key pair made on the machine that uses it. Only public keys travel between
// machines: the hub's to every agency, each agency's to the hub officer.
// These command lines are stable (scripts and the multi-machine test use them).
//
// At the hub machine (makes keys/hub.{pub,key}, hub.toml, acl.toml and an
// empty registry.toml in DIR; prints the hub's public key and, per agency,
// the `agency init` line to hand over):
//   concordctl district init --dir /etc/concord --district shangzhou --display 上州区
//       [--endpoint tcp://0.0.0.0:7100] [--data-dir /var/lib/concord/hub]
//       [--metrics-port 7180] [--agencies agencies.txt] [--agents] [--force]
//   agencies.txt: one agency a line, name|display|roles[|superior], e.g.
//       court|上州区人民法院|agency,court,aid_grantor|city-court
//       city-court|上州市中级人民法院|agency,court
//   (superior: the organ above, on the bus too; it reviews the agency's answers)
//   (absent: the six political-legal agencies named after --display).
//   --agents: the four agents run on this machine: also makes keys/<kind>.{pub,key},
//   <kind>.toml (district_files.h AgentToml) and their registry entries.
//   Existing files are refused unless --force; --force rewrites hub.toml and
//   acl.toml but never replaces an existing key pair or registry.toml. The
//   packages' unedited examples (first line kPackageExampleMark) are replaced.
//
// At each agency machine (makes keys/<agency>.{pub,key}, keys/hub.pub and
// <agency>.toml in DIR; prints on stdout only its public key, then the exact
// `concordctl keys add ...` line for the hub officer):
//   concordctl agency init --dir /etc/concord --name shangzhou.court --display 上州区人民法院
//       --hub tcp://HUB-HOST:7100 --hub-key Z85|FILE [--roles agency,court]
//       [--data-dir /var/lib/concord/court] [--http-port 7200]
//       [--linkage-key keys/linkage.key] [--registry /etc/concord/registry.toml] [--force]
//
// Key rotation, at the agency (makes keys/<agency>-<UTC time>.{pub,key},
// points the config's [keys] secret_key at it, keeps the old files; prints the
// new public key and the `concordctl keys rotate ...` line for the hub
// officer; then restart the adapter):
//   concordctl agency rotate --config /etc/concord/court.toml [--registry
//   /etc/concord/registry.toml]
// and at the hub (keys_commands.cc): concordctl keys rotate --registry ... --name ... --pub ...
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/files.h"
#include "hub/registry/registry.h"
#include "hub/transport/curve_keys.h"
#include "hub/transport/envelope_sign.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"
#include "tools/concordctl/district_files.h"
#include "tools/concordctl/self_signed.h"

namespace concord::ctl {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultRegistry[] = "/etc/concord/registry.toml";

// True when `path` is an example config as the packages installed it.
bool IsUneditedExample(const std::string& path) {
  std::ifstream in(path);
  std::string first;
  return std::getline(in, first) && IsPackageExample(first);
}

// Refuses (exit 2) when any of `paths` exists and `force` is not given; an
// unedited package example (IsUneditedExample) is replaced without --force.
int RefuseExisting(const std::vector<std::string>& paths, bool force) {
  if (force) return 0;
  for (const auto& p : paths)
    if (fs::exists(p) && !IsUneditedExample(p))
      return Fail(2, absl::StrCat("文件已存在 / already exists: ", p,
                                  "（覆盖请加 --force / give --force to overwrite)"));
  return 0;
}

// Writes `text` to `path` (atomically); exit code 0 or 2.
int WriteText(const std::string& path, const std::string& text) {
  if (auto st = WriteFileAtomically(path, text); !st.ok())
    return Fail(2, absl::StrCat("无法写入 / cannot write ", path, ": ", st.message()));
  return 0;
}

// keys/ under `dir` (made 0700; an existing one, such as the packages'
// root:concord 0750 /etc/concord/keys, is left as it is, and keys gen gives
// the daemons' group read access there); then the pair <keys>/<name>.{pub,key} unless it
// exists (kept: a secret key is never replaced). Its public key, or "" after
// printing the error.
std::string EnsureKeyPair(const std::string& dir, const std::string& name) {
  std::error_code ec;
  if (fs::create_directories(dir + "/keys", ec)) chmod((dir + "/keys").c_str(), 0700);
  const std::string prefix = dir + "/keys/" + name;
  if (fs::exists(prefix + ".key")) {
    auto kp = LoadCurveKeyPair(prefix);
    if (!kp.ok()) {
      Fail(2, std::string(kp.status().message()));
      return "";
    }
    return kp->public_z85;
  }
  auto kp = GenerateCurveKeyPair();
  if (kp.ok()) {
    if (auto st = SaveCurveKeyPair(*kp, prefix, /*overwrite=*/true); !st.ok()) {
      Fail(2, std::string(st.message()));
      return "";
    }
    return kp->public_z85;
  }
  Fail(2, std::string(kp.status().message()));
  return "";
}

std::string Absolute(const std::string& path) { return fs::absolute(path).lexically_normal(); }

struct DistrictArgs {
  std::string dir, district, display, endpoint = "tcp://0.0.0.0:7100",
                                      data_dir = "/var/lib/concord/hub", agencies_file;
  int metrics_port = 7180;
  bool force = false;
  bool agents = false;  // the four agents run on this machine
};

// The signing key (hex) of the client whose secret key is `key_file`; empty
// after saying why.
std::string SignKeyOf(const std::string& key_file) {
  auto kp = LoadCurveKeyPair(key_file);
  if (!kp.ok()) {
    Fail(2, std::string(kp.status().message()));
    return "";
  }
  auto signer = EnvelopeSigner::FromCurveSecret(kp->secret_z85);
  if (!signer.ok()) {
    Fail(2, std::string(signer.status().message()));
    return "";
  }
  return SignKeyHex(signer->public_key());
}

// --agents: each agent's key pair made here (it runs here), its config, and
// its principal added to the registry. Exit code 0 or 2.
int InitAgents(const DistrictArgs& a, const std::vector<AgencyEntry>& agencies,
               const std::string& registry) {
  // The agents reach the hub on this machine.
  std::string local = a.endpoint;
  for (const char* any : {"://0.0.0.0:", "://*:"})
    local = absl::StrReplaceAll(local, {{any, "://127.0.0.1:"}});
  for (const char* kind : kAgentKinds) {
    const std::string pub = EnsureKeyPair(a.dir, kind);
    if (pub.empty()) return 2;
    if (int rc =
            WriteText(a.dir + "/" + kind + ".toml", AgentToml(kind, a.district, agencies, local)))
      return rc;
    hub::Principal p;
    p.name = absl::StrCat(a.district, ".agent.", kind);
    p.public_key = pub;
    p.roles = {kind};
    const std::string sign_key = SignKeyOf(absl::StrCat(a.dir, "/keys/", kind, ".key"));
    if (sign_key.empty()) return 2;
    p.sign_key = SignKeyFromHex(sign_key);
    const absl::Status st = hub::AddPrincipalToFile(registry, p);
    // Run again (--force): the kept key pair is registered already.
    if (!st.ok() && !absl::IsAlreadyExists(st))
      return Fail(2, absl::StrCat("无法登记 / cannot add ", p.name, ": ", st.message()));
  }
  return 0;
}

int DistrictInit(const DistrictArgs& a) {
  if (auto st = CheckName(a.district, "district"); !st.ok())
    return Fail(2, std::string(st.message()));
  std::vector<AgencyEntry> agencies = DefaultAgencies(a.display);
  if (!a.agencies_file.empty()) {
    auto parsed = ReadAgenciesFile(a.agencies_file);
    if (!parsed.ok()) return Fail(2, std::string(parsed.status().message()));
    agencies = std::move(*parsed);
  }
  const std::string hub_toml = a.dir + "/hub.toml", acl = a.dir + "/acl.toml",
                    registry = a.dir + "/registry.toml";
  std::vector<std::string> written = {hub_toml, acl, registry, a.dir + "/keys/hub.key"};
  if (a.agents)
    for (const char* kind : kAgentKinds) written.push_back(a.dir + "/" + kind + ".toml");
  if (int rc = RefuseExisting(written, a.force)) return rc;
  const std::string hub_pub = EnsureKeyPair(a.dir, "hub");
  if (hub_pub.empty()) return 2;
  HubSettings hs;
  hs.district = a.district;
  hs.endpoint = a.endpoint;
  hs.metrics_port = a.metrics_port;
  hs.data_dir = Absolute(a.data_dir);
  if (int rc = WriteText(hub_toml, HubToml(hs))) return rc;
  if (int rc = WriteText(acl, DistrictAcl(a.district, agencies))) return rc;
  if ((!fs::exists(registry) || IsUneditedExample(registry)) &&
      WriteText(registry, absl::StrCat("# 辖区 ", a.district,
                                       " 的机关登记表：公钥 -> 主体 / registry: public key -> "
                                       "principal\n# concordctl keys add | revoke | rotate edit "
                                       "this file; the hub reloads it on change.\n")))
    return 2;
  if (a.agents)
    if (int rc = InitAgents(a, agencies, registry)) return rc;
  // The district's agencies, names only: each agency's console lists them.
  std::string list =
      absl::StrCat("# 辖区 ", a.district,
                   " 的机关表（只含名称），随枢纽公钥交给各机关 / the district's "
                   "agencies, names only: given to each agency with the hub's "
                   "public key (agency init --agencies)\n# name|display|roles[|superior]\n");
  for (const auto& ag : agencies)
    absl::StrAppend(&list, ag.name, "|", ag.display, "|", absl::StrJoin(ag.roles, ","),
                    ag.superior.empty() ? "" : "|", ag.superior, "\n");
  const std::string agencies_txt = a.dir + "/agencies.txt";
  if (a.agencies_file.empty() || Absolute(agencies_txt) != Absolute(a.agencies_file))
    if (int rc = WriteText(agencies_txt, list)) return rc;
  // The address the agencies use: the endpoint, with a wildcard host named.
  std::string hub_for_agencies = a.endpoint;
  for (const char* any : {"://0.0.0.0:", "://*:"})
    if (absl::StrContains(hub_for_agencies, any))
      hub_for_agencies = absl::StrReplaceAll(hub_for_agencies, {{any, "://HUB-HOST:"}});
  std::cout << "枢纽公钥 / hub public key: " << hub_pub << "\n"
            << "已写入 / written in " << Absolute(a.dir)
            << ": hub.toml acl.toml registry.toml agencies.txt keys/hub.pub keys/hub.key (0600, "
               "不外传 / never leaves this machine)\n\n"
            << "交给各机关的只有枢纽地址、公钥和 agencies.txt（机关名称）；各机关在本机运行 / give "
               "each agency only the hub's address, its public key and agencies.txt (names); "
               "each runs on its own machine:\n";
  for (const auto& ag : agencies)
    std::cout << "  # " << ag.display << "\n  concordctl agency init --dir /etc/concord --name "
              << a.district << "." << ag.name << " --agencies agencies.txt --hub "
              << ShellWord(hub_for_agencies) << " --hub-key " << ShellWord(hub_pub)
              << " [--console-host HOST:8443]\n";
  std::cout << "\n各机关返回的 `concordctl keys add ...` 一行在此运行（--registry "
               "指向本目录的 registry.toml）/ run here the `concordctl keys add ...` line each "
               "agency sends back (with --registry naming this folder's registry.toml).\n";
  if (a.agents) {
    std::cout
        << "四个代理已在本机生成密钥、配置（ledger.toml aid.toml risk.toml conference.toml）并登记 "
           "/ the four agents' keys, configs and registry entries are made here; start them "
           "with systemctl start concord-{ledger,aid,risk,conference}-agent\n";
    return 0;
  }
  std::cout << "四个代理在其运行的机器上生成密钥后登记 / the four agents: on the machine each runs "
               "on, `concordctl keys gen --out keys/<kind>`, then here\n";
  for (const char* kind : kAgentKinds)
    std::cout << "  concordctl keys add --registry " << ShellWord(Absolute(registry)) << " --name "
              << a.district << ".agent." << kind << " --roles " << kind << " --pub <" << kind
              << ".pub>\n";
  return 0;
}

struct AgencyArgs {
  std::string dir, name, display, hub, hub_key, roles, data_dir, linkage_key,
      registry = kDefaultRegistry, config, agencies_file;
  int http_port = 7200;
  bool force = false;
  // The web console ([console]).
  bool no_console = false;
  int console_port = 8443;
  std::string console_address = "0.0.0.0", console_cert, console_key, superior;
  std::vector<std::string> console_hosts;
};

// The district's agencies file (district init writes it beside hub.toml):
// this agency's display name and roles when not given, and every agency's
// name for the console. Exit code 0 or 2.
int ReadDistrictAgencies(AgencyArgs& a, const std::string& district, const std::string& agency,
                         AdapterSettings::Console& console) {
  auto parsed = ReadAgenciesFile(a.agencies_file);
  if (!parsed.ok()) return Fail(2, std::string(parsed.status().message()));
  bool found = false;
  for (const auto& e : *parsed) {
    console.agencies.emplace_back(absl::StrCat(district, ".", e.name), e.display);
    if (e.name != agency) continue;
    found = true;
    if (a.display.empty()) a.display = e.display;
    if (a.roles.empty()) a.roles = absl::StrJoin(e.roles, ",");
    // The 答复意见书 names the organ that reviews this agency's answers.
    if (a.superior.empty() && !e.superior.empty())
      for (const auto& up : *parsed)
        if (up.name == e.superior) a.superior = up.display;
  }
  if (!found)
    return Fail(2, absl::StrCat(a.agencies_file, ": 没有本机关 / does not list ", agency));
  return 0;
}

// The console's certificate: the agency's own (--console-cert/--console-key),
// or a self-signed one made once in keys/. Exit code 0 or 2.
int ConsoleCertificate(const AgencyArgs& a, AdapterSettings::Console& console) {
  if (!a.console_cert.empty() || !a.console_key.empty()) {
    if (a.console_cert.empty() || a.console_key.empty())
      return Fail(2,
                  "--console-cert 与 --console-key 须同时给出 / give both --console-cert and "
                  "--console-key");
    for (const std::string& f : {a.console_cert, a.console_key})
      if (!fs::exists(f)) return Fail(2, absl::StrCat("找不到 / no such file: ", f));
    console.cert = Absolute(a.console_cert);
    console.key = Absolute(a.console_key);
    return 0;
  }
  const std::string cert = a.dir + "/" + console.cert, key = a.dir + "/" + console.key;
  if (fs::exists(cert) && fs::exists(key)) return 0;  // made by an earlier run
  if (auto st = MakeSelfSignedCertificate(cert, key, a.console_hosts, a.display); !st.ok())
    return Fail(2, std::string(st.message()));
  std::cerr
      << "控制台证书为自签名（浏览器会提示不受信任），请换为本单位 CA 签发的证书 / the console's "
         "certificate is self-signed (browsers warn): replace "
      << Absolute(cert) << " and its key with one the agency's CA signed\n";
  return 0;
}

int AgencyInit(const AgencyArgs& given) {
  AgencyArgs a = given;
  auto split = SplitAgencyName(a.name);
  if (!split.ok()) return Fail(2, std::string(split.status().message()));
  const std::string& agency = split->second;
  AdapterSettings s;
  if (!a.agencies_file.empty())
    if (int rc = ReadDistrictAgencies(a, split->first, agency, s.console)) return rc;
  if (a.display.empty())
    return Fail(2,
                "须给出 --display 或 --agencies / give --display, or --agencies naming this "
                "agency");
  auto hub_key = LoadCurvePublicKey(a.hub_key);
  if (!hub_key.ok())
    return Fail(2, absl::StrCat("--hub-key: 须为 Z85 公钥或 .pub 文件 / a Z85 public key or a "
                                ".pub file: ",
                                hub_key.status().message()));
  if (!absl::StartsWith(a.hub, "tcp://"))
    return Fail(2,
                absl::StrCat("--hub 须为 tcp://主机:端口 / must be tcp://HOST:PORT, got ", a.hub));
  const std::string config = a.dir + "/" + agency + ".toml";
  if (int rc = RefuseExisting({config, a.dir + "/keys/" + agency + ".key"}, a.force)) return rc;
  const std::string pub = EnsureKeyPair(a.dir, agency);
  if (pub.empty()) return 2;
  if (int rc = WriteText(a.dir + "/keys/hub.pub", *hub_key + "\n")) return rc;
  s.console.enabled = !a.no_console;
  if (s.console.enabled) {
    s.console.port = a.console_port;
    s.console.address = a.console_address;
    s.console.hosts = a.console_hosts;
    s.console.superior = a.superior;
    if (int rc = ConsoleCertificate(a, s.console)) return rc;
  }
  s.principal = a.name;
  s.display = a.display;
  s.hub_endpoint = a.hub;
  s.data_dir = Absolute(a.data_dir.empty() ? "/var/lib/concord/" + agency : a.data_dir);
  s.http_port = a.http_port;
  s.linkage_key = a.linkage_key;
  if (int rc = WriteText(config, AdapterToml(s))) return rc;
  const std::string roles = a.roles.empty() ? "agency," + agency : a.roles;
  const std::string sign_key = SignKeyOf(a.dir + "/keys/" + agency + ".key");
  if (sign_key.empty()) return 2;
  std::cerr << "已写入 / written: " << Absolute(config) << ", keys/" << agency
            << ".key (0600, 不离开本机 / never leaves this machine), keys/" << agency
            << ".pub, keys/hub.pub\n"
            << "把下面两行交给枢纽管理员 / send the two lines below to the hub officer:\n";
  std::cout << pub << "\n"
            << "concordctl keys add --registry " << ShellWord(a.registry) << " --name " << a.name
            << " --display " << ShellWord(a.display) << " --roles " << ShellWord(roles) << " --pub "
            << ShellWord(pub) << " --sign-key " << sign_key << "\n";
  return 0;
}

// Points the [keys] secret_key line of `config` at `secret_key`, and puts
// `old_key` (as the config named it) first in [keys] previous_secret_keys:
// what was sealed to the old key and still waits at the hub opens with it.
int SwitchSecretKey(const std::string& config, const std::string& secret_key,
                    const std::string& old_key) {
  std::ifstream in(config);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  bool in_keys = false, done = false, kept = false;
  size_t secret_line = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string& l = lines[i];
    absl::string_view t = absl::StripAsciiWhitespace(l);
    if (absl::StartsWith(t, "[")) in_keys = t == "[keys]";
    if (in_keys && !done && absl::StartsWith(t, "secret_key")) {
      l = absl::StrCat("secret_key = \"", secret_key, "\"   # 轮换 / rotated ",
                       absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone()));
      done = true;
      secret_line = i;
    } else if (in_keys && !kept && absl::StartsWith(t, "previous_secret_keys")) {
      const size_t open = l.find('[');
      if (open == std::string::npos) continue;
      const bool empty = l.find(']', open) == l.find_first_not_of(' ', open + 1);
      l.insert(open + 1, absl::StrCat("\"", old_key, "\"", empty ? "" : ", "));
      kept = true;
    }
  }
  if (!done)
    return Fail(2, absl::StrCat(config, ": 没有 [keys] secret_key / has no [keys] secret_key"));
  if (!kept)
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(secret_line) + 1,
                 absl::StrCat("previous_secret_keys = [\"", old_key,
                              "\"]   # 轮换前的密钥：积压中加密给它的消息仍可解开 / earlier keys: "
                              "what was sealed to them still opens"));
  std::string text;
  for (auto& l : lines) absl::StrAppend(&text, l, "\n");
  return WriteText(config, text);
}

int AgencyRotate(const AgencyArgs& a) {
  auto file = ConfigFile::Load(a.config);
  if (!file.ok()) return Fail(2, std::string(file.status().message()));
  const std::string name = (*file)["agency"].String("name");
  auto split = SplitAgencyName(name);
  if (!split.ok())
    return Fail(2, absl::StrCat(a.config, ": [agency] name: ", split.status().message()));
  const std::string old_key = (*file)["keys"].Path("secret_key");
  if (old_key.empty())
    return Fail(2, absl::StrCat(a.config, ": 没有 [keys] secret_key / has no [keys] secret_key"));
  // The new pair beside the old one: <agency>-<UTC time>[-n].{pub,key}.
  const std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone());
  const fs::path key_dir = fs::absolute(old_key).lexically_normal().parent_path();
  std::string base = absl::StrCat(split->second, "-", stamp);
  for (int n = 2; fs::exists(key_dir / (base + ".key")); ++n)
    base = absl::StrCat(split->second, "-", stamp, "-", n);
  auto kp = GenerateCurveKeyPair();
  if (!kp.ok()) return Fail(2, std::string(kp.status().message()));
  if (auto st = SaveCurveKeyPair(*kp, (key_dir / base).string()); !st.ok())
    return Fail(2, std::string(st.message()));
  // The config keeps the form it had: relative to its folder, or absolute.
  std::string written = (key_dir / (base + ".key")).string();
  const fs::path config_dir = fs::absolute(a.config).parent_path();
  const fs::path rel = fs::path(written).lexically_relative(config_dir);
  if (!rel.empty() && !absl::StartsWith(rel.string(), "..")) written = rel.string();
  if (int rc = SwitchSecretKey(a.config, written, (*file)["keys"].String("secret_key"))) return rc;
  std::cerr << "新密钥 / new key: " << (key_dir / (base + ".key")).string()
            << "; 旧密钥保留 / the old one is kept: " << old_key << "\n"
            << "把下面两行交给枢纽管理员，对方执行后重启适配器 / send the two lines below to the "
               "hub officer; once run, restart the adapter (systemctl restart concord-adapter@"
            << split->second << ")\n";
  auto signer = EnvelopeSigner::FromCurveSecret(kp->secret_z85);
  if (!signer.ok()) return Fail(2, std::string(signer.status().message()));
  std::cout << kp->public_z85 << "\n"
            << "concordctl keys rotate --registry " << ShellWord(a.registry) << " --name " << name
            << " --pub " << ShellWord(kp->public_z85) << " --sign-key "
            << SignKeyHex(signer->public_key()) << "\n";
  std::cerr << "各收件机关须记下新签名密钥（电话核对后）/ every agency that receives from this "
               "one pins the new signing key, after checking it by telephone: concordctl keys "
               "trust --db <its database> --name "
            << name << " --sign-key " << SignKeyHex(signer->public_key()) << "\n";
  return 0;
}

}  // namespace

void AddEnrolCommands(CLI::App& app, Commands& commands) {
  auto d = std::make_shared<DistrictArgs>();
  auto* district = app.add_subcommand("district", "辖区 / district set-up at the hub machine");
  district->require_subcommand(1);
  auto* dinit = district->add_subcommand(
      "init",
      "在枢纽机器生成枢纽密钥、hub.toml、acl.toml、空 registry.toml / make the hub's key pair, "
      "hub.toml, acl.toml and an empty registry.toml in --dir; prints the hub's public key and "
      "the `agency init` line for each agency");
  dinit->add_option("--dir", d->dir, "配置目录 / config folder (e.g. /etc/concord)")->required();
  dinit->add_option("--district", d->district, "辖区名称 / district name, e.g. shangzhou")
      ->required();
  dinit->add_option("--display", d->display, "辖区中文名 / display name, e.g. 上州区")->required();
  dinit->add_option("--endpoint", d->endpoint, "枢纽监听地址 / hub endpoint")
      ->capture_default_str();
  dinit->add_option("--data-dir", d->data_dir, "枢纽数据目录 / the hub's data_dir (made absolute)")
      ->capture_default_str();
  dinit->add_option("--metrics-port", d->metrics_port, "指标端口 / metrics port (0: any free)")
      ->capture_default_str();
  dinit->add_option(
      "--agencies", d->agencies_file,
      "机关表 / agencies file: name|display|roles[|superior] a line (default: the six "
      "political-legal agencies named after --display)");
  dinit->add_flag("--agents", d->agents,
                  "四个代理在本机：生成其密钥与配置并登记 / the four agents run here: make their "
                  "keys and configs and add them to the registry");
  dinit->add_flag("--force", d->force,
                  "覆盖 hub.toml 与 acl.toml（已有密钥与 registry.toml 保留）/ rewrite hub.toml "
                  "and acl.toml (an existing key pair and registry.toml are kept)");
  commands.On(dinit, [d] { return DistrictInit(*d); });

  auto a = std::make_shared<AgencyArgs>();
  auto* agency = app.add_subcommand("agency", "机关 / agency enrolment at the agency's machine");
  agency->require_subcommand(1);
  auto* ainit = agency->add_subcommand(
      "init",
      "在机关机器生成本机关密钥对与适配器配置 / make this agency's key pair and adapter config in "
      "--dir; prints only its public key and the `concordctl keys add` line for the hub officer");
  ainit->add_option("--dir", a->dir, "配置目录 / config folder (e.g. /etc/concord)")->required();
  ainit->add_option("--name", a->name, "主体名 / principal, <district>.<agency>")->required();
  ainit->add_option("--display", a->display, "中文名称 / display name (default: from --agencies)");
  ainit->add_option("--agencies", a->agencies_file,
                    "辖区机关表（district init 写出的 agencies.txt）/ the district's agencies file "
                    "(agencies.txt from district init): this agency's name and roles, and every "
                    "agency's name in the console");
  ainit->add_option("--console-port", a->console_port,
                    "控制台 HTTPS 端口 / the web console's HTTPS port (0: any free port)");
  ainit->add_option("--console-address", a->console_address,
                    "控制台监听地址 / the console's address (default 0.0.0.0, the agency's LAN)");
  ainit->add_option("--console-host", a->console_hosts,
                    "浏览器使用的 主机:端口，可重复 / a Host value browsers use, e.g. "
                    "10.1.2.3:8443 (repeatable; also in the self-signed certificate)");
  ainit->add_option("--console-cert", a->console_cert,
                    "本单位 CA 签发的证书 PEM / a PEM certificate from the agency's CA (default: a "
                    "self-signed one in keys/console.crt)");
  ainit->add_option("--console-key", a->console_key, "其私钥 PEM / its PEM key");
  ainit->add_option("--superior", a->superior,
                    "请求复查的上一级机关 / the organ a reply is reviewed by (答复意见书)");
  ainit->add_flag("--no-console", a->no_console, "不开控制台 / no web console");
  ainit->add_option("--hub", a->hub, "枢纽地址 / hub endpoint, tcp://HOST:7100")->required();
  ainit->add_option("--hub-key", a->hub_key, "枢纽公钥 Z85 或 .pub 文件 / hub public key")
      ->required();
  ainit->add_option("--roles", a->roles, "角色 / roles (default agency,<agency>)");
  ainit->add_option("--data-dir", a->data_dir,
                    "数据目录 / data_dir (default /var/lib/concord/<agency>)");
  ainit
      ->add_option("--http-port", a->http_port, "本机 HTTP 端口 / loopback HTTP port (0: any free)")
      ->capture_default_str();
  ainit->add_option("--linkage-key", a->linkage_key,
                    "救助查重关联密钥文件（仅救助机关）/ the aid linkage key file (granting "
                    "agencies only; adds [aid])");
  ainit
      ->add_option("--registry", a->registry,
                   "打印的 keys add 行中枢纽的登记表 / the hub's "
                   "registry in the printed keys add line")
      ->capture_default_str();
  ainit->add_flag("--force", a->force,
                  "覆盖配置（已有密钥保留）/ rewrite the config (an existing key pair is kept)");
  commands.On(ainit, [a] { return AgencyInit(*a); });

  auto* rotate = agency->add_subcommand(
      "rotate",
      "换本机关密钥对 / make a new key pair and point the config at it; prints the new public key "
      "and the `concordctl keys rotate` line for the hub officer; then restart the adapter");
  rotate->add_option("--config", a->config, "适配器配置 / the adapter's config")->required();
  rotate
      ->add_option("--registry", a->registry,
                   "打印行中的登记表 / the hub's registry in the "
                   "printed line")
      ->capture_default_str();
  commands.On(rotate, [a] { return AgencyRotate(*a); });
}

}  // namespace concord::ctl
