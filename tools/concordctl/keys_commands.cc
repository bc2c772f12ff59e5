// `concordctl keys ...`: CurveZMQ key pairs and the hub's agency registry.
//
//   concordctl keys gen --out keys/court [--force]
//   concordctl keys add --registry registry.toml --name shangzhou.court --pub keys/court.pub
//                       [--roles agency,court] [--display 上州区人民法院]
//   concordctl keys revoke --registry registry.toml --name shangzhou.court
//   concordctl keys rotate --registry registry.toml --name shangzhou.court --pub new.pub|Z85
//                          [--sign-key HEX]
//   concordctl keys sign-key --key keys/court.key
//   concordctl keys trust --db /var/lib/concord/court/agency.db --name shangzhou.police
//                         --sign-key HEX
//
// Signing keys (hub/transport/envelope_sign.h): `sign-key` prints the
// Ed25519 key a client signs its envelopes with, derived from its secret key,
// for `add`/`rotate --sign-key` at the hub. Receivers pin the first key they
// see from each sender and refuse another; after an agency's key was rotated,
// each receiving daemon's officer runs `trust` with the new key (checked with
// that agency by telephone, not taken from the hub).
//
// The hub reloads registry.toml within 100 ms of a change: a revoked key's
// sessions end then and its next message is refused; after `rotate` the
// principal (so its queue at the hub) is kept under the new key and the old
// key is refused the same way. `add` refuses a name or key already there.
// Enrolment (district init, agency init, agency rotate): enrol_commands.cc.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/sqlite.h"
#include "hub/registry/registry.h"
#include "hub/transport/curve_keys.h"
#include "hub/transport/envelope_sign.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

namespace concord::ctl {

void AddKeysCommands(CLI::App& app, Commands& commands) {
  struct Args {
    std::string out, registry, name, pub, roles, display, sign_key, key, db;
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
  add->add_option("--sign-key", a->sign_key,
                  "签名公钥（64 位十六进制，keys sign-key 所印）/ its Ed25519 signing key, hex");
  commands.On(add, [a] {
    auto key = LoadCurvePublicKey(a->pub);
    if (!key.ok()) return Fail(2, std::string(key.status().message()));
    hub::Principal p;
    p.name = a->name;
    p.public_key = *key;
    p.display = a->display;
    if (!a->sign_key.empty() && (p.sign_key = SignKeyFromHex(a->sign_key)).empty())
      return Fail(2, "--sign-key 须为 64 位十六进制 / must be 64 hex digits");
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
  rotate->add_option("--sign-key", a->sign_key, "新签名公钥 / its new signing key, hex");
  commands.On(rotate, [a] {
    auto key = LoadCurvePublicKey(a->pub);
    if (!key.ok()) return Fail(2, std::string(key.status().message()));
    const std::string sign_key = a->sign_key.empty() ? "" : SignKeyFromHex(a->sign_key);
    if (!a->sign_key.empty() && sign_key.empty())
      return Fail(2, "--sign-key 须为 64 位十六进制 / must be 64 hex digits");
    if (auto st = hub::RotatePrincipalKeyInFile(a->registry, a->name, *key, sign_key); !st.ok())
      return Fail(2, std::string(st.message()));
    std::cout << "已换钥 / rotated " << a->name
              << "：旧密钥即被拒绝，队列保留 / the old key is refused from the hub's reload on, "
                 "its queue is kept\n";
    return 0;
  });
  auto* sign = keys->add_subcommand(
      "sign-key", "由私钥导出签名公钥 / print the Ed25519 key envelopes are signed with");
  sign->add_option("--key", a->key, "私钥文件 / the .key file")->required();
  commands.On(sign, [a] {
    auto kp = LoadCurveKeyPair(a->key);
    if (!kp.ok()) return Fail(2, std::string(kp.status().message()));
    auto signer = EnvelopeSigner::FromCurveSecret(kp->secret_z85);
    if (!signer.ok()) return Fail(2, std::string(signer.status().message()));
    std::cout << SignKeyHex(signer->public_key()) << "\n";
    return 0;
  });
  auto* trust = keys->add_subcommand(
      "trust", "在本机记下某机关的新签名公钥 / pin a sender's new signing key at this daemon");
  trust->add_option("--db", a->db, "本机守护进程的数据库 / this daemon's database")->required();
  trust->add_option("--name", a->name, "发件主体 / the sender's principal")->required();
  trust->add_option("--sign-key", a->sign_key, "其新签名公钥 / its new signing key, hex")
      ->required();
  commands.On(trust, [a] {
    const std::string key = SignKeyFromHex(a->sign_key);
    if (key.empty()) return Fail(2, "--sign-key 须为 64 位十六进制 / must be 64 hex digits");
    if (!std::filesystem::is_regular_file(a->db))
      return Fail(2, absl::StrCat("没有这个数据库 / no such database: ", a->db));
    auto db = sqlite::Db::Open(a->db);
    if (!db.ok()) return Fail(2, std::string(db.status().message()));
    auto stmt = db->Prepare(
        "INSERT INTO concord_peer_keys(principal, sign_key, first_id, at_ms) VALUES(?,?,'',?) "
        "ON CONFLICT(principal) DO UPDATE SET sign_key=excluded.sign_key, first_id='', "
        "at_ms=excluded.at_ms");
    if (!stmt.ok())
      return Fail(2, absl::StrCat("不是守护进程的数据库 / not a daemon's database: ",
                                  stmt.status().message()));
    stmt->BindAll(a->name);
    stmt->BindBlob(2, key);
    stmt->Bind(3, SystemClock::Get().NowMs());
    if (auto st = stmt->Run(); !st.ok()) return Fail(2, std::string(st.message()));
    std::cout << "已记下 / pinned " << a->name << " " << SignKeyHex(key)
              << "：此后只认此密钥 / only this key is taken from now on\n";
    return 0;
  });
}

}  // namespace concord::ctl
