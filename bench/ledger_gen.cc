#include "bench/ledger_gen.h"

#include <algorithm>

#include "domain/calendar.h"

namespace concord::bench {

namespace {

using ledger::ActInput;
using ledger::Action;

const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                 "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                              "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "英", "华",
                              "平", "刚", "桂", "兰", "玉", "文", "辉", "建", "国", "红"};
const char* const kMatters[] = {"对不起诉决定不服",         "拖欠工资",     "对法院判决不服申诉",
                                "对公安机关不立案决定不服", "征地补偿纠纷", "邻里纠纷久拖未决"};

// A well-mixed number for item i (splitmix64), so that names and handlers are
// not in step with the agencies.
uint64_t Mix(uint64_t i) {
  uint64_t z = i + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

const std::vector<std::string>& LedgerGenAgencies() {
  static const std::vector<std::string> agencies = {"petition", "procuratorate", "court",
                                                    "police",   "justice",       "plc"};
  return agencies;
}

std::string PetitionerName(int i) {
  const uint64_t h = Mix(static_cast<uint64_t>(i));
  std::string n = kSurnames[h % 20];
  n += kGiven[(h / 20) % 30];
  if ((h / 600) % 2) n += kGiven[(h / 1200) % 30];
  return n;
}

std::string NameFragment(int k) {
  const int i = ((k % 600) + 600) % 600;
  return std::string(kSurnames[i % 20]) + kGiven[i / 20];
}

void BuildLedger(ledger::Ledger& ledger, sql::Db& db, int items, int64_t start_ms) {
  const std::vector<std::string>& agencies = LedgerGenAgencies();
  const int64_t spread = 730 * kDayMs / std::max(1, items);
  auto txn = sql::Txn::Begin(db);
  for (int i = 0; i < items; ++i) {
    const int64_t t = start_ms + i * spread + 9 * kHourMs;
    std::string agency = agencies[i % agencies.size()];
    ledger::PetitionInput p;
    p.agency = agency;
    p.intake_id = "S-" + std::to_string(i);
    p.channel = i % 3 ? "letter" : "visit";
    p.received_ms = t;
    p.petitioner = PetitionerName(i);
    p.contact = "139" + std::to_string(10000000 + i);
    p.matter = kMatters[i % 6];
    p.case_ref = "案〔" + std::to_string(2024 + i % 2) + "〕" + std::to_string(i);
    p.actor = {"clerk", "登记员甲", "登记员"};
    const std::string no = *ledger.Register(p);
    if (i % 10 == 3) {  // transferred to the next agency, which handles it
      const std::string to = agencies[(i + 1) % agencies.size()];
      (void)ledger.Apply(no, agency, Action::kTransfer, t + kHourMs,
                         ActInput{.note = "移送", .to_agency = to});
      agency = to;
    }
    if (i % 5 == 4) continue;  // not yet accepted
    const ActInput routed{.department = "控申部门",
                          .handler = "承办人" + std::to_string(Mix(i) / 36000 % 60),
                          .actor = {"handler", "承办人", "承办人"}};
    (void)ledger.Apply(no, agency, Action::kAccept, t + 2 * kHourMs, routed);
    if (i % 5 >= 2) continue;  // two in five are answered and closed
    (void)ledger.Apply(no, agency, Action::kStartWork, t + 3 * kHourMs, routed);
    (void)ledger.Apply(no, agency, Action::kSubstantiveReply, t + 3 * kDayMs,
                       ActInput{.note = "书面答复"});
    (void)ledger.Apply(no, agency, Action::kClose, t + 4 * kDayMs, ActInput{.note = "息诉罢访"});
  }
  (void)txn->Commit();
}

}  // namespace concord::bench
