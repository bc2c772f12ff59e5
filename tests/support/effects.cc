#include "tests/support/effects.h"

#include <filesystem>

#include "common/sql.h"

namespace concord::testing {
namespace fs = std::filesystem;

v1::Envelope Note(const std::string& to, const std::string& body) {
  v1::TextNote n;
  n.set_subject("test");
  n.set_body(body);
  return client::MakeEnvelope({to}, n);
}

void RecordEffects(client::Client& c) {
  (void)c.db().Exec("CREATE TABLE IF NOT EXISTS effects(id TEXT, body TEXT)");
  c.OnMessage([](const v1::Envelope& env, sql::Db& db) -> absl::Status {
    v1::TextNote note;
    const std::string body = env.payload().UnpackTo(&note) ? note.body() : env.payload().type_url();
    auto st = db.Prepare("INSERT INTO effects(id, body) VALUES(?, ?)");
    if (!st.ok()) return st.status();
    st->BindAll(env.id(), body);
    return st->Run();
  });
}

Effects ReadEffects(const std::string& db_path) {
  Effects e;
  if (!fs::exists(db_path)) return e;
  auto db = sql::Db::Open(db_path);
  if (!db.ok()) return e;
  auto st = db->Prepare("SELECT id, body FROM effects ORDER BY rowid");
  if (!st.ok()) return e;
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    e.ids.push_back(st->Text(0));
    e.bodies.push_back(st->Text(1));
  }
  return e;
}

int64_t CountEffects(const std::string& db_path) {
  if (!fs::exists(db_path)) return 0;
  auto db = sql::Db::Open(db_path);
  if (!db.ok()) return 0;
  auto n = db->QueryInt("SELECT count(*) FROM effects");
  return n.ok() ? *n : 0;
}

}  // namespace concord::testing
