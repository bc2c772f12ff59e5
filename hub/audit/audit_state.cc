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

}  // namespace

std::string EnvelopeDigest(std::string_view envelope) {
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(envelope.data()),
                     envelope.size(), nullptr, 0);
  char hex[2 * sizeof out + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

absl::StatusOr<StateVerifyResult> VerifyStoredState(sqlite::Db& db, size_t max_faults) {
  StateVerifyResult r;
  Findings findings(r, max_faults);

  // The live state first, so that only the accept entries it needs are kept
  // (the chain holds every message ever accepted).
  std::map<int64_t, std::pair<std::string, uint64_t>> recipients;  // id -> name, cursor
  {
    ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT id, name, acked_through FROM recipients"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      recipients[st.Int(0)] = {st.Text(1), static_cast<uint64_t>(st.Int(2))};
    }
  }
  std::set<uint64_t> stored;
  {
    ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT seq FROM messages"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      stored.insert(static_cast<uint64_t>(st.Int(0)));
    }
  }
  // An entry is still needed while its envelope is stored or one of its
  // recipients has not acknowledged it (or the recipient is unknown).
  auto needed = [&](uint64_t seq, const Accepted& a) {
    if (stored.count(seq)) return true;
    for (int64_t rid : a.recipients) {
      auto rc = recipients.find(rid);
      if (rc == recipients.end() || seq > rc->second.second) return true;
    }
    return false;
  };

  // The chain: accepted envelopes, and how far each recipient was settled.
  std::map<uint64_t, Accepted> accepted;
  std::map<std::string, Settled> settled;  // by recipient name
  uint64_t first_digested = 0;             // the first seq with a digest
  {
    ASSIGN_OR_RETURN(auto st, db.Prepare("SELECT line FROM audit ORDER BY n"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const std::string line = st.Text(0);
      std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 4));
      if (f.size() < 5) continue;
      const absl::string_view event = f[2], who = f[3], detail = f[4];
      if (event == "accept") {
        auto bar = detail.find(" | ");
        if (bar == absl::string_view::npos) continue;
        for (absl::string_view e : absl::StrSplit(detail.substr(bar + 3), "; ")) {
          auto [seq, a] = ParseAcceptEntry(e);
          if (seq == 0 || a.digest.empty()) continue;  // older lines carry no digest
          if (first_digested == 0) first_digested = seq;
          if (needed(seq, a)) accepted.emplace(seq, std::move(a));
        }
      } else if (event == "ack") {
        Settled& s = settled[std::string(who)];
        s.furthest = std::max(
            {s.furthest, LastNumber(Field(detail, "seq")), LastNumber(Field(detail, "cursor"))});
      } else if (event == "mailbox") {  // a new mailbox starts at the head
        Settled& s = settled[std::string(who)];
        s.created = true;
        s.furthest = std::max(s.furthest, LastNumber(Field(detail, "cursor")));
      } else if (event == "expire" || event == "dead_letter") {
        Settled& s = settled[std::string(who)];
        const uint64_t seq = LastNumber(Field(detail, "seq"));
        s.furthest = std::max(s.furthest, seq);
        if (event == "dead_letter") s.dead.insert(seq);
      }
    }
  }

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
