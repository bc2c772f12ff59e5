// Fair share under abuse (docs/protocol.md, "Abuse"): what one source (a
// principal, or an address before it has one) did wrong, counted per window,
// so that one agency's garbage neither fills the audit chain nor starves the
// others.
//
// Each source gets `detailed` events per window written out in full; the rest
// of the window's events are only counted, and one summary line per source
// and window says how many there were (Roll). Events charged to a source's
// budget (refusals of its own making: malformed frames, ACL violations, Hello
// floods) beyond `budget` in one window cut the source: the caller drops its
// sessions and ignores its messages unread until `cut_us` has passed, and the
// cut is audited once. Not charged: refusals of the hub's own condition (a
// full queue, no session yet, a message that expired on the way).
//
// Pure bookkeeping on the loop thread: times are passed in (the broker's
// monotonic clock), nothing is written here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace concord::hub::internal {

class FairShare {
 public:
  struct Limits {
    int64_t window_us = 10'000'000;
    uint32_t detailed = 20;  // events per source and window audited in full
    uint32_t budget = 0;     // charged events per window before a cut; 0: never cut
    int64_t cut_us = 30'000'000;
    size_t max_sources = 4096;  // beyond: one shared source "*" (a spoofed-address flood)
  };
  explicit FairShare(Limits limits) : limits_(limits) {}

  enum class Verdict {
    kDetail,   // audit this one in full
    kCounted,  // counted for the window's summary only
    kCut,      // this one crossed the budget: cut the source now (audit once)
  };
  // Records one event of `source` with a short `kind` (e.g. a Nack code).
  Verdict Note(const std::string& source, const std::string& kind, bool charge, int64_t now_us);

  // True while `source` is cut; counts the message as ignored.
  bool Ignore(const std::string& source, int64_t now_us);
  bool IsCut(const std::string& source, int64_t now_us) const;

  // Counts one occurrence of `kind` (e.g. "hello") for `source`, not an
  // event: returns how many this window has seen, this one included.
  uint64_t Bump(const std::string& source, const std::string& kind, int64_t now_us);

  struct Summary {
    std::string source;
    uint64_t events = 0;   // in the window that ended
    uint64_t counted = 0;  // of those, not audited in full
    std::map<std::string, uint64_t> kinds;
    uint64_t ignored = 0;  // messages dropped unread while cut
    bool cut_ended = false;
  };
  // Ends the windows (and cuts) that are over at `now_us`: one summary per
  // source with something to say. Call it every tick.
  std::vector<Summary> Roll(int64_t now_us);

  // One line of audit detail for a summary (Chinese and English).
  static std::string Describe(const Summary& s, int64_t window_us);

  size_t sources() const { return tallies_.size(); }
  const Limits& limits() const { return limits_; }

 private:
  struct Tally {
    int64_t window_start_us = 0;
    uint64_t events = 0, charged = 0, counted = 0, ignored = 0;
    std::map<std::string, uint64_t> kinds;  // events by kind
    std::map<std::string, uint64_t> bumps;  // Bump()ed occurrences by kind
    int64_t cut_until_us = 0;
  };
  Tally& For(const std::string& source, int64_t now_us);

  Limits limits_;
  std::unordered_map<std::string, Tally> tallies_;
};

}  // namespace concord::hub::internal
