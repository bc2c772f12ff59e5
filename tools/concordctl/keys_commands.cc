// `concordctl keys ...`: CurveZMQ key pairs and the hub's agency registry.
//
//   concordctl keys gen --out keys/court [--force]
//   concordctl keys add --registry registry.toml --name shangzhou.court --pub keys/court.pub
//                       [--roles agency,court] [--display 上州区人民法院]
//   concordctl keys revoke --registry registry.toml --name shangzhou.court
//   concordctl keys rotate --registry registry.toml --name shangzhou.court --pub new.pub|Z85
//
// The hub reloads registry.toml within 100 ms of a change: a revoked key's
// sessions end then and its next message is refused; after `rotate` the
// principal (so its queue at the hub) is kept under the new key and the old
// key is refused the same way. `add` refuses a name or key already there.
// Enrolment (district init, agency init, agency rotate): enrol_commands.cc.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "absl/strings/str_split.h"
#include "hub/registry/registry.h"
#include "hub/transport/curve_keys.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {

void AddKeysCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string out, registry, name, pub, roles, display;
    bool force = false;
  };
  auto a = std::make_shared<Args>();
  auto* keys = app.add_subcommand("keys", "CurveZMQ 密钥 / keys");
  keys->require_subcommand(1);
  auto* gen = keys->add_subcommand("gen", "生成密钥对 / make a key pair (<out>.pub, <out>.key)");
  gen->add_option("--out", a->out, "文件前缀 / path prefix")->required();
  gen->add_flag("--force", a->force, "覆盖已有文件 / overwrite");
  commands.On(gen, [a] {
    auto kp = GenerateCurveKeyPair();
    if (!kp.ok()) return Fail(2, std::string(kp.status().message()));
    if (auto st = SaveCurveKeyPair(*kp, a->out, a->force); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << kp->public_z85 << "\n";
    return 0;
  });
  auto* add = keys->add_subcommand("add", "登记公钥 / add a principal to the registry");
  add->add_option("--registry", a->registry)->required();
  add->add_option("--name", a->name)->required();
  add->add_option("--pub", a->pub, "公钥文件或 Z85 / .pub file or Z85 key")->required();
  add->add_option("--roles", a->roles, "逗号分隔 / comma-separated roles");
  add->add_option("--display", a->display, "中文名称 / display name");
  commands.On(add, [a] {
    auto key = LoadCurvePublicKey(a->pub);
    if (!key.ok()) return Fail(2, std::string(key.status().message()));
    hub::Principal p;
    p.name = a->name;
    p.public_key = *key;
    p.display = a->display;
    if (!a->roles.empty()) p.roles = absl::StrSplit(a->roles, ',');
    if (auto st = hub::AddPrincipalToFile(a->registry, p); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << "已登记 / added " << a->name << "\n";
    return 0;
  });
  auto* revoke = keys->add_subcommand("revoke", "吊销 / revoke a principal's key");
  revoke->add_option("--registry", a->registry)->required();
  revoke->add_option("--name", a->name)->required();
  commands.On(revoke, [a] {
    if (auto st = hub::RevokePrincipalInFile(a->registry, a->name); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << "已吊销 / revoked " << a->name << "（枢纽自动重新加载 / the hub reloads it)\n";
    return 0;
  });
  auto* rotate = keys->add_subcommand(
      "rotate", "换公钥，保留主体与队列 / give a principal a new key (name, roles, queue kept)");
  rotate->add_option("--registry", a->registry)->required();
  rotate->add_option("--name", a->name)->required();
  rotate->add_option("--pub", a->pub, "新公钥文件或 Z85 / new .pub file or Z85 key")->required();
  commands.On(rotate, [a] {
    auto key = LoadCurvePublicKey(a->pub);
    if (!key.ok()) return Fail(2, std::string(key.status().message()));
    if (auto st = hub::RotatePrincipalKeyInFile(a->registry, a->name, *key); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << "已换钥 / rotated " << a->name
              << "：旧密钥即被拒绝，队列保留 / the old key is refused from the hub's reload on, "
                 "its queue is kept\n";
    return 0;
  });
}

}  // namespace concord::ctl
