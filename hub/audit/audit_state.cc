#include "hub/audit/audit_state.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "hub/audit/audit_archive.h"
#include "nlohmann/json.hpp"

namespace concord::hub {
namespace {

struct Accepted {
  std::string digest;               // empty: written before digests
  std::vector<int64_t> recipients;  // mailbox ids
};

// What the chain says happened to one recipient's mailbox.
struct Settled {
  uint64_t furthest = 0;  // no cursor may stand beyond this
  bool created = false;   // the chain recorded the mailbox's making
  std::set<uint64_t> dead;
};

// "5..9" or "5": the last number.
uint64_t LastNumber(absl::string_view v) {
  if (auto dots = v.find(".."); dots != absl::string_view::npos) v = v.substr(dots + 2);
  uint64_t n = 0;
  return absl::SimpleAtoi(v, &n) ? n : 0;
}

// The value of `key=` among the space-separated words of `detail`.
absl::string_view Field(absl::string_view detail, absl::string_view key) {
  for (absl::string_view w : absl::StrSplit(detail, ' '))
    if (absl::ConsumePrefix(&w, key) && absl::ConsumePrefix(&w, "=")) return w;
  return {};
}

// One accept entry: "id=<uuid> seq=<n> h=<digest> for=<ids> ..." (the
// store writes these words first, in this order, then the broker's detail);
// seq 0 when it is not one.
std::pair<uint64_t, Accepted> ParseAcceptEntry(absl::string_view entry) {
  std::vector<absl::string_view> w = absl::StrSplit(entry, absl::MaxSplits(' ', 4));
  uint64_t seq = 0;
  Accepted a;
  if (w.size() < 2 || !absl::ConsumePrefix(&w[1], "seq=") || !absl::SimpleAtoi(w[1], &seq))
    return {0, a};
  if (w.size() >= 4 && absl::ConsumePrefix(&w[2], "h=") && absl::ConsumePrefix(&w[3], "for=")) {
    a.digest = std::string(w[2]);
    for (absl::string_view id : absl::StrSplit(w[3], ',', absl::SkipEmpty())) {
      int64_t r = 0;
      if (absl::SimpleAtoi(id, &r)) a.recipients.push_back(r);
    }
  }
  return {seq, std::move(a)};
}

class Findings {
 public:
  Findings(StateVerifyResult& r, size_t max) : r_(r), max_(max) {}
  void Add(std::string fault) {
    r_.ok = false;
    ++r_.problems;
    if (r_.faults.size() < max_) r_.faults.push_back(std::move(fault));
  }

 private:
  StateVerifyResult& r_;
  size_t max_;
};

// What the hub's tables hold now.
struct LiveState {
  std::map<int64_t, std::pair<std::string, uint64_t>> recipients;  // id -> name, cursor
  std::set<uint64_t> stored;                                       // seqs in `messages`
  // An accept entry is still needed while its envelope is stored or one of
  // its recipients has not acknowledged it (or the recipient is unknown).
  bool Needed(uint64_t seq, const Accepted& a) const {
    if (stored.count(seq)) return true;
    for (int64_t rid : a.recipients) {
      auto rc = recipients.find(rid);
      if (rc == recipients.end() || seq > rc->second.second) return true;
    }
    return false;
  }
};

absl::StatusOr<LiveState> ReadLiveState(sql::Db& db) {
  LiveState live;
  ASSIGN_OR_RETURN(auto rs, db.Prepare("SELECT id, name, acked_through FROM recipients"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, rs.Step());
    if (!row) break;
    live.recipients[rs.Int(0)] = {rs.Text(1), static_cast<uint64_t>(rs.Int(2))};
  }
  ASSIGN_OR_RETURN(auto ms, db.Prepare("SELECT seq FROM messages"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, ms.Step());
    if (!row) break;
    live.stored.insert(static_cast<uint64_t>(ms.Int(0)));
  }
  return live;
}

// What the chain says, line by line.
struct ChainState {
  std::map<uint64_t, Accepted> accepted;   // the needed accept entries
  std::map<std::string, Settled> settled;  // by recipient name
  uint64_t first_digested = 0;             // the first seq with a digest
};

// An accept line's entries ("... | e1; e2"), each parsed; empty for others.
std::vector<std::pair<uint64_t, Accepted>> AcceptEntries(absl::string_view detail) {
  std::vector<std::pair<uint64_t, Accepted>> out;
  auto bar = detail.find(" | ");
  if (bar == absl::string_view::npos) return out;
  for (absl::string_view e : absl::StrSplit(detail.substr(bar + 3), "; ")) {
    auto entry = ParseAcceptEntry(e);
    if (entry.first != 0 && !entry.second.digest.empty()) out.push_back(std::move(entry));
  }
  return out;
}

// Takes one line of the chain into `cs` (accept entries only when `live`
// still needs them).
void ApplyLine(const std::string& line, const LiveState& live, ChainState& cs) {
  std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 4));
  if (f.size() < 5) return;
  const absl::string_view event = f[2], who = f[3], detail = f[4];
  if (event == "accept") {
    for (auto& [seq, a] : AcceptEntries(detail)) {
      if (cs.first_digested == 0) cs.first_digested = seq;
      if (live.Needed(seq, a)) cs.accepted.emplace(seq, std::move(a));
    }
  } else if (event == "ack") {
    Settled& s = cs.settled[std::string(who)];
    s.furthest = std::max(
        {s.furthest, LastNumber(Field(detail, "seq")), LastNumber(Field(detail, "cursor"))});
  } else if (event == "mailbox") {  // a new mailbox starts at the head
    Settled& s = cs.settled[std::string(who)];
    s.created = true;
    s.furthest = std::max(s.furthest, LastNumber(Field(detail, "cursor")));
  } else if (event == "expire" || event == "dead_letter") {
    Settled& s = cs.settled[std::string(who)];
    const uint64_t seq = LastNumber(Field(detail, "seq"));
    s.furthest = std::max(s.furthest, seq);
    if (event == "dead_letter") s.dead.insert(seq);
  }
}

std::string SettledJson(const ChainState& cs) {
  nlohmann::json recipients = nlohmann::json::object();
  for (const auto& [name, s] : cs.settled)
    recipients[name] = {{"furthest", s.furthest},
                        {"created", s.created},
                        {"dead", std::vector<uint64_t>(s.dead.begin(), s.dead.end())}};
  return nlohmann::json{{"first_digested", cs.first_digested}, {"recipients", recipients}}.dump();
}

// `cs` as the newest archive record left it (nothing when none).
absl::Status SeedFromArchive(sql::Db& db, ChainState& cs) {
  ASSIGN_OR_RETURN(std::vector<ArchiveRecord> archives, ReadArchives(db));
  if (archives.empty()) return absl::OkStatus();
  const auto j = nlohmann::json::parse(archives.back().settled, nullptr, false);
  if (!j.is_object() || !j.contains("recipients") || !j["recipients"].is_object())
    return absl::DataLossError(
        "归档记录的状态无法读取 / the newest audit archive record's settled state is unreadable");
  cs.first_digested = j.value("first_digested", uint64_t{0});
  for (const auto& [name, v] : j["recipients"].items()) {
    Settled& s = cs.settled[name];
    s.furthest = v.value("furthest", uint64_t{0});
    s.created = v.value("created", false);
    if (v.contains("dead") && v["dead"].is_array())
      for (const auto& d : v["dead"]) s.dead.insert(d.get<uint64_t>());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ArchivePlan> PlanArchive(sql::Db& db, int64_t max_line) {
  ASSIGN_OR_RETURN(LiveState live, ReadLiveState(db));
  ChainState cs;
  RETURN_IF_ERROR(SeedFromArchive(db, cs));
  ASSIGN_OR_RETURN(int64_t last, db.QueryInt("SELECT coalesce(max(n), 0) FROM audit"));
  ArchivePlan plan;
  ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT n, line FROM audit WHERE n <= ? ORDER BY n"));
  st.Bind(1, std::min(max_line, last - 1));  // the last line stays: the chain goes on from it
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const std::string line = st.Text(1);
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 4));
    if (f.size() == 5 && f[2] == "accept") {
      bool needed = false;
      for (const auto& [seq, a] : AcceptEntries(f[4])) needed = needed || live.Needed(seq, a);
      if (needed) break;  // this line and all after it stay
    }
    ApplyLine(line, live, cs);
    plan.last = st.Int(0);
  }
  plan.settled = SettledJson(cs);
  return plan;
}

std::string EnvelopeDigest(std::string_view envelope) {
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(envelope.data()),
                     envelope.size(), nullptr, 0);
  char hex[2 * sizeof out + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

absl::StatusOr<StateVerifyResult> VerifyStoredState(sql::Db& db, size_t max_faults) {
  StateVerifyResult r;
  Findings findings(r, max_faults);

  // The live state first, so that only the accept entries it needs are kept
  // (the chain holds every message ever accepted); then the chain, from
  // where the newest archive left it.
  ASSIGN_OR_RETURN(LiveState live, ReadLiveState(db));
  ChainState cs;
  RETURN_IF_ERROR(SeedFromArchive(db, cs));
  {
    ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT line FROM audit ORDER BY n"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ApplyLine(st.Text(0), live, cs);
    }
  }
  const auto& recipients = live.recipients;
  const auto& accepted = cs.accepted;
  const auto& settled = cs.settled;
  const uint64_t first_digested = cs.first_digested;

  // Stored envelopes against their digests.
  {
    ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT seq, id, envelope FROM messages ORDER BY seq"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const uint64_t seq = static_cast<uint64_t>(st.Int(0));
      auto it = accepted.find(seq);
      if (it == accepted.end()) {
        if (first_digested != 0 && seq > first_digested)
          findings.Add(absl::StrCat("消息 ", seq, "（", st.Text(1),
                                    "）不在审计链中 / stored message ", seq, " (", st.Text(1),
                                    ") has no accept line in the chain"));
        continue;
      }
      ++r.envelopes;
      if (EnvelopeDigest(st.Blob(2)) != it->second.digest)
        findings.Add(absl::StrCat("消息 ", seq, "（", st.Text(1),
                                  "）的内容被改动，与审计链记录的摘要不符 / stored envelope ", seq,
                                  " (", st.Text(1),
                                  ") differs from the digest in its accept line"));
    }
  }

  // Cursors and queued messages.
  for (const auto& [id, rc] : recipients) {
    const auto& [name, cursor] = rc;
    auto s = settled.find(name);
    uint64_t furthest = s == settled.end() ? 0 : s->second.furthest;
    if (s == settled.end() || !s->second.created) {
      // A mailbox made before the hub recorded new mailboxes: it started at
      // some head before the first digested message, or the chain cannot say.
      if (first_digested == 0) continue;
      furthest = std::max(furthest, first_digested - 1);
    }
    if (cursor > furthest)
      findings.Add(absl::StrCat("收件人 ", name, " 的已确认位置为 ", cursor, "，审计链只记录到 ",
                                furthest, "，其间的待投递消息可能被抹去 / recipient ", name,
                                "'s cursor stands at ", cursor,
                                " but the chain acknowledges only up to ", furthest));
  }
  {
    ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT 1 FROM mailbox WHERE recipient=? AND seq=?"));
    for (const auto& [seq, a] : accepted)
      for (int64_t rid : a.recipients) {
        auto rc = recipients.find(rid);
        if (rc == recipients.end()) {
          findings.Add(absl::StrCat("消息 ", seq, " 的收件人（邮箱 ", rid, "）已不存在 / message ",
                                    seq, " was accepted for mailbox ", rid, ", which is gone"));
          continue;
        }
        const auto& [name, cursor] = rc->second;
        if (seq <= cursor) continue;  // settled: compaction may have removed it
        st.BindAll(rid, static_cast<int64_t>(seq));
        ASSIGN_OR_RETURN(bool row, st.Step());
        st.Reset();
        if (row) {
          ++r.queued;
        } else {
          findings.Add(absl::StrCat("发给 ", name, " 的消息 ", seq,
                                    " 尚未确认，却已从邮箱中删除 / message ", seq, " queued for ",
                                    name, " is missing from its mailbox (not acknowledged)"));
        }
      }
  }

  // Dead letters.
  {
    ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT 1 FROM dead_letters WHERE recipient=? AND seq=?"));
    for (const auto& [name, s] : settled)
      for (uint64_t seq : s.dead) {
        st.BindAll(name, static_cast<int64_t>(seq));
        ASSIGN_OR_RETURN(bool row, st.Step());
        st.Reset();
        if (row) {
          ++r.dead_letters;
        } else {
          findings.Add(absl::StrCat("发给 ", name, " 的死信 ", seq, " 已被删除 / dead letter ", seq,
                                    " for ", name, " is missing"));
        }
      }
  }
  return r;
}

}  // namespace concord::hub
