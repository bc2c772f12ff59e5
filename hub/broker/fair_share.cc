#include "hub/broker/fair_share.h"

#include "absl/strings/str_cat.h"

namespace concord::hub::internal {

FairShare::Tally& FairShare::For(const std::string& source, int64_t now_us) {
  auto it = tallies_.find(source);
  if (it == tallies_.end()) {
    const std::string& key = tallies_.size() >= limits_.max_sources ? std::string("*") : source;
    it = tallies_.try_emplace(key).first;
    if (it->second.window_start_us == 0) it->second.window_start_us = now_us;
  }
  return it->second;
}

FairShare::Verdict FairShare::Note(const std::string& source, const std::string& kind, bool charge,
                                   int64_t now_us) {
  Tally& t = For(source, now_us);
  ++t.events;
  ++t.kinds[kind];
  if (charge) ++t.charged;
  if (charge && limits_.budget && t.charged == limits_.budget + 1ULL && t.cut_until_us <= now_us) {
    t.cut_until_us = now_us + limits_.cut_us;
    return Verdict::kCut;
  }
  if (t.events <= limits_.detailed) return Verdict::kDetail;
  ++t.counted;
  return Verdict::kCounted;
}

uint64_t FairShare::Bump(const std::string& source, const std::string& kind, int64_t now_us) {
  return ++For(source, now_us).bumps[kind];
}

bool FairShare::IsCut(const std::string& source, int64_t now_us) const {
  auto it = tallies_.find(source);
  return it != tallies_.end() && it->second.cut_until_us > now_us;
}

bool FairShare::Ignore(const std::string& source, int64_t now_us) {
  auto it = tallies_.find(source);
  if (it == tallies_.end() || it->second.cut_until_us <= now_us) return false;
  ++it->second.ignored;
  return true;
}

std::vector<FairShare::Summary> FairShare::Roll(int64_t now_us) {
  std::vector<Summary> out;
  for (auto it = tallies_.begin(); it != tallies_.end();) {
    Tally& t = it->second;
    const bool cut = t.cut_until_us != 0;
    const bool cut_over = cut && t.cut_until_us <= now_us;
    const bool window_over = now_us - t.window_start_us >= limits_.window_us;
    if (!window_over && !cut_over) {
      ++it;
      continue;
    }
    Summary s;
    s.source = it->first;
    if (window_over) {
      s.events = t.events;
      s.counted = t.counted;
      s.kinds = t.kinds;
    }
    if (cut_over) {
      s.ignored = t.ignored;
      s.cut_ended = true;
    }
    if (s.counted || s.cut_ended) out.push_back(std::move(s));
    if (cut_over) {
      t.cut_until_us = 0;
      t.ignored = 0;
    }
    if (window_over) {
      t.window_start_us = now_us;
      t.events = t.charged = t.counted = 0;
      t.kinds.clear();
      t.bumps.clear();
    }
    if (t.cut_until_us == 0 && t.events == 0) {
      it = tallies_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::string FairShare::Describe(const Summary& s, int64_t window_us) {
  std::string out;
  if (s.counted) {
    std::string kinds;
    for (auto& [k, n] : s.kinds) absl::StrAppend(&kinds, kinds.empty() ? "" : ",", k, ":", n);
    absl::StrAppend(&out, "本时段共 ", s.events, " 次，其中 ", s.counted, " 次仅计数未逐条记录 / ",
                    s.events, " in ", window_us / 1'000'000, " s, ", s.counted,
                    " counted but not written one by one; kinds=", kinds);
  }
  if (s.cut_ended)
    absl::StrAppend(&out, out.empty() ? "" : "; ", "切断期结束，期间忽略消息 ", s.ignored,
                    " 条 / cut ended, ", s.ignored, " messages ignored while cut");
  return out;
}

}  // namespace concord::hub::internal
