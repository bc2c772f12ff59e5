// The agencies' reads of the ledger (Ledger::Search, Ledger::Read) on a real
// SQLite file: who sees which item, the search's filters and paging, the
// actions the rules allow the asker, and the person who acted kept with each
// step; and the upgrade of a ledger written before actors were kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "agents/ledger/ledger.h"
#include "tests/support/test_book.h"

namespace concord::ledger {
namespace {

constexpr int64_t kHour = kHourMs;

const HolidayCalendar& Calendar() {
  static const HolidayCalendar c =
      *HolidayCalendar::Load(std::string(CONCORD_SOURCE_DIR) + "/deploy/calendar/cn-holidays.txt");
  return c;
}

int64_t At(const std::string& date, int hour = 10) {
  return StartOfDayMs(*ParseDate(date)) + hour * kHour;
}

const Actor kClerk{"li.dengji", "李某", "登记员"};
const Actor kHandler{"zhang.chengban", "张某", "承办人"};

class LedgerQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/ledger_query_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::filesystem::remove(path_);
    db_ = *testing::OpenTestBook(path_);
    RuleOptions o;
    o.procuratorates = {"procuratorate"};
    ledger_ = *Ledger::Open(db_, Calendar(), o);
  }
  std::string Register(const std::string& agency, const std::string& intake, int64_t received,
                       const std::string& petitioner = "王某", const Actor& actor = {}) {
    PetitionInput p;
    p.agency = agency;
    p.intake_id = intake;
    p.channel = "letter";
    p.received_ms = received;
    p.petitioner = petitioner;
    p.contact = "13800138000";
    p.matter = "不服不起诉决定";
    p.case_ref = "检刑不诉〔2025〕" + intake;
    p.actor = actor;
    auto no = ledger_->Register(p);
    EXPECT_TRUE(no.ok()) << no.status();
    return no.ok() ? *no : "";
  }
  std::vector<std::string> Numbers(const SearchQuery& q, const Reader& reader) {
    auto r = ledger_->Search(q, reader, At("2025-03-10"));
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok())
      for (const auto& i : r->items) out.push_back(i.ledger_no);
    return out;
  }
  static std::set<std::string> Names(const std::vector<Action>& actions) {
    std::set<std::string> out;
    for (Action a : actions) out.insert(ActionName(a));
    return out;
  }

  std::string path_;
  sql::Db db_;
  std::unique_ptr<Ledger> ledger_;
};

// The person who registered and each person who acted are kept with their
// steps; an automated step names nobody; a transfer names where it went.
TEST_F(LedgerQueryTest, ActorsAreKeptWithEachStep) {
  const std::string no = Register("petition", "A-1", At("2025-03-03"), "王某", kClerk);
  ASSERT_TRUE(ledger_
                  ->Apply(no, "petition", Action::kStartReview, At("2025-03-03", 11),
                          ActInput{.actor = kHandler})
                  .ok());
  ASSERT_TRUE(ledger_
                  ->Apply(no, "petition", Action::kTransfer, At("2025-03-03", 12), "属检察机关管辖",
                          "procuratorate")
                  .ok());
  const auto h = *ledger_->History(no);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].actor.login, "li.dengji");
  EXPECT_EQ(h[0].actor.name, "李某");
  EXPECT_EQ(h[0].actor.role, "登记员");
  EXPECT_EQ(h[1].actor.name, "张某");
  EXPECT_EQ(h[1].actor.role, "承办人");
  EXPECT_TRUE(h[2].actor.empty()) << "an automated sender names nobody";
  EXPECT_EQ(h[0].to_agency, "");
  EXPECT_EQ(h[2].to_agency, "procuratorate");
  // Read() gives the same history.
  auto r = ledger_->Read(no, {.agency = "procuratorate"}, At("2025-03-03", 13));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->history.size(), 3u);
  EXPECT_EQ(r->history[1].actor.login, "zhang.chengban");
}

// An agency sees what it registered, is or was responsible for, or appears
// in the history of (Involved()); others see nothing of it; a supervisor sees all.
TEST_F(LedgerQueryTest, SearchShowsOnlyWhatTheReaderSees) {
  const std::string moved = Register("petition", "V-1", At("2025-03-03"));
  ASSERT_TRUE(ledger_
                  ->Apply(moved, "petition", Action::kTransfer, At("2025-03-03", 12), "移送",
                          "procuratorate")
                  .ok());
  const std::string own = Register("court", "V-2", At("2025-03-04"));
  const std::string police = Register("police", "V-3", At("2025-03-05"));
  EXPECT_EQ(Numbers({}, {.agency = "petition"}), std::vector<std::string>{moved});
  EXPECT_EQ(Numbers({}, {.agency = "procuratorate"}), std::vector<std::string>{moved});
  EXPECT_EQ(Numbers({}, {.agency = "court"}), std::vector<std::string>{own});
  EXPECT_TRUE(Numbers({}, {.agency = "justice"}).empty());
  EXPECT_TRUE(Numbers({}, {}).empty()) << "a reader without an agency sees nothing";
  EXPECT_EQ(Numbers({}, {.agency = "plc", .supervisor = true}),
            (std::vector<std::string>{police, own, moved}));
  // The same rule as Involved(), item by item.
  for (const std::string& no : {moved, own, police}) {
    const std::vector<std::string> involved = *ledger_->Involved(no);
    for (const std::string& agency : involved)
      EXPECT_EQ(Numbers({.text = no}, {.agency = agency}), std::vector<std::string>{no}) << agency;
  }
}

// One item: refused with the reason for an agency that never handled it and
// for an unknown number; the supervisor reads it.
TEST_F(LedgerQueryTest, ReadRefusesAnItemNotHandled) {
  const std::string no = Register("petition", "R-1", At("2025-03-03"));
  auto denied = ledger_->Read(no, {.agency = "court"}, At("2025-03-03", 12));
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().message(),
            "无权查看该事项：它不由本机关经办 / not an item your agency has handled");
  auto unknown = ledger_->Read("信-2025-999999", {.agency = "petition"}, At("2025-03-03", 12));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "没有这个信访事项 / no such item: 信-2025-999999");
  auto supervised = ledger_->Read(no, {.agency = "plc", .supervisor = true}, At("2025-03-03", 12));
  ASSERT_TRUE(supervised.ok()) << supervised.status();
  EXPECT_EQ(supervised->item.ledger_no, no);
  EXPECT_TRUE(supervised->allowed.empty()) << "a supervisor reads; only the responsible acts";
  EXPECT_FALSE(supervised->deadlines.empty());
}

// Each filter of the search, alone (table-driven).
TEST_F(LedgerQueryTest, SearchFilters) {
  const std::string a = Register("petition", "F-1", At("2025-03-03"), "王小明");
  const std::string b = Register("petition", "F-2", At("2025-03-04"), "李大华");
  const std::string c = Register("petition", "F-3", At("2025-03-05"), "王大力");
  ASSERT_TRUE(ledger_
                  ->Apply(c, "petition", Action::kAccept, At("2025-03-05", 12),
                          ActInput{.department = "信访科", .handler = "赵敏"})
                  .ok());
  ASSERT_TRUE(
      ledger_->Apply(b, "petition", Action::kNotAccept, At("2025-03-04", 12), "不属受理范围").ok());
  struct Case {
    const char* what;
    SearchQuery query;
    std::vector<std::string> expected;  // latest received first
  };
  const Case cases[] = {
      {"petitioner substring", {.text = "王"}, {c, a}},
      {"two-character name", {.text = "大华"}, {b}},
      {"ledger number", {.text = a}, {a}},
      {"intake id", {.text = "F-2"}, {b}},
      {"ASCII letters in any case", {.text = "f-2"}, {b}},
      {"case number substring", {.text = "〔2025〕F-3"}, {c}},
      {"matter", {.text = "不起诉"}, {c, b, a}},
      {"contact", {.text = "138001"}, {c, b, a}},
      {"no match", {.text = "赵钱孙"}, {}},
      {"status", {.status = "accepted"}, {c}},
      {"handler", {.handler = "赵敏"}, {c}},
      {"responsible agency", {.agency = "petition"}, {c, b, a}},
      {"other agency", {.agency = "court"}, {}},
      {"channel", {.channel = "visit"}, {}},
      {"received from", {.received_from_ms = At("2025-03-04", 0)}, {c, b}},
      {"received to", {.received_to_ms = At("2025-03-04", 23)}, {b, a}},
      {"open only", {.open_only = true}, {c, a}},
      {"combined", {.text = "王", .handler = "赵敏", .open_only = true}, {c}},
  };
  for (const Case& t : cases)
    EXPECT_EQ(Numbers(t.query, {.agency = "petition"}), t.expected) << t.what;
}

// The total counts every match; limit and offset page through them.
TEST_F(LedgerQueryTest, SearchPages) {
  std::vector<std::string> nos;
  for (int i = 0; i < 7; ++i)
    nos.push_back(Register("court", "P-" + std::to_string(i), At("2025-03-03", 8 + i)));
  std::reverse(nos.begin(), nos.end());  // latest received first
  auto page = ledger_->Search({.limit = 3, .offset = 3}, {.agency = "court"}, At("2025-03-10"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total, 7);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].ledger_no, nos[3]);
  EXPECT_EQ(page->items[2].ledger_no, nos[5]);
  auto all = ledger_->Search({}, {.agency = "court"}, At("2025-03-10"));
  EXPECT_EQ(all->items.size(), 7u) << "0 means the default limit, 50";
  auto past = ledger_->Search({.offset = 10}, {.agency = "court"}, At("2025-03-10"));
  EXPECT_EQ(past->total, 7);
  EXPECT_TRUE(past->items.empty());
}

// A text of two characters or more is found through its character pairs
// (item_grams), and checked against the whole text: a pair across two fields
// or pairs out of order find nothing; an item corrected in the database is
// found by its new text only; one character scans.
TEST_F(LedgerQueryTest, TextSearchThroughCharacterPairs) {
  EXPECT_EQ(SearchGrams("abc\x1f"
                        "de"),
            "61x62 62x63 64x65");
  EXPECT_EQ(SearchGramQuery("aba"), "\"61x62\" \"62x61\"");
  const std::string a = Register("petition", "G-1", At("2025-03-03"), "欧阳娜娜");
  const std::string b = Register("petition", "G-2", At("2025-03-04"), "娜娜");
  const Reader office{.agency = "petition"};
  EXPECT_EQ(Numbers({.text = "娜娜"}, office), (std::vector<std::string>{b, a}));
  EXPECT_EQ(Numbers({.text = "欧阳娜"}, office), std::vector<std::string>{a});
  EXPECT_TRUE(Numbers({.text = "娜娜娜"}, office).empty())
      << "every pair is there, the text is not";
  EXPECT_TRUE(Numbers({.text = "娜1"}, office).empty()) << "the name, then the contact";
  EXPECT_EQ(Numbers({.text = "娜"}, office), (std::vector<std::string>{b, a}));
  EXPECT_TRUE(Numbers({.text = "娜娜"}, {.agency = "court"}).empty());
  ASSERT_TRUE(
      db_.Exec("UPDATE petitions SET petitioner = '欧阳丽丽' WHERE ledger_no = '" + a + "'").ok());
  EXPECT_EQ(Numbers({.text = "阳丽"}, office), std::vector<std::string>{a});
  EXPECT_TRUE(Numbers({.text = "欧阳娜"}, office).empty());
  EXPECT_EQ(Numbers({.text = "娜娜"}, office), std::vector<std::string>{b});
  if (!db_.is_postgresql()) {  // (PostgreSQL's book has no gram index to keep)
    EXPECT_EQ(*db_.QueryInt("SELECT count(*) FROM item_grams_stale"), 0);
  }
}

// Counting stops at kSearchCountCap matches (capped), or at the end of the
// page asked for when that is further.
TEST_F(LedgerQueryTest, CountingStopsAtTheCap) {
  ASSERT_TRUE(db_.Exec("BEGIN").ok());
  const int n = static_cast<int>(kSearchCountCap) + 5;
  for (int i = 0; i < n; ++i)
    Register("court", "C-" + std::to_string(i), At("2025-01-02") + i * 60'000);
  ASSERT_TRUE(db_.Exec("COMMIT").ok());
  for (const Reader& reader : {Reader{.agency = "court"}, Reader{.supervisor = true}}) {
    auto first = ledger_->Search({.limit = 10}, reader, At("2025-03-10"));
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->total, kSearchCountCap);
    EXPECT_TRUE(first->capped);
    EXPECT_EQ(first->items.size(), 10u);
    auto last = ledger_->Search({.limit = 10, .offset = n - 3}, reader, At("2025-03-10"));
    ASSERT_TRUE(last.ok()) << last.status();
    EXPECT_EQ(last->total, n);
    EXPECT_FALSE(last->capped);
    ASSERT_EQ(last->items.size(), 3u);
    EXPECT_EQ(last->items.back().intake_id, "C-0");
  }
  auto few = ledger_->Search({.text = "c-100"}, {.agency = "court"}, At("2025-03-10"));
  ASSERT_TRUE(few.ok()) << few.status();
  EXPECT_EQ(few->total, 6) << "C-100 and C-1000..C-1004";
  EXPECT_FALSE(few->capped);
}

// by_due (待办): the next unmet due date first, latest received otherwise.
TEST_F(LedgerQueryTest, ByDueListsTheNextDeadlineFirst) {
  const std::string a = Register("petition", "B-1", At("2025-03-03"));
  const std::string b = Register("petition", "B-2", At("2025-03-05"));
  const std::string c = Register("petition", "B-3", At("2025-03-04"));
  const Reader office{.agency = "petition"};
  EXPECT_EQ(Numbers({.agency = "petition", .open_only = true, .by_due = true}, office),
            (std::vector<std::string>{a, c, b}));
  EXPECT_EQ(Numbers({.agency = "petition", .open_only = true}, office),
            (std::vector<std::string>{b, c, a}));
  // Its deadlines met (by hand here): no next due date, so last.
  ASSERT_TRUE(db_.Exec("UPDATE deadlines SET met_ms = 1 WHERE ledger_no = '" + a + "'").ok());
  EXPECT_EQ(Numbers({.agency = "petition", .open_only = true, .by_due = true}, office),
            (std::vector<std::string>{c, b, a}));
  EXPECT_EQ(Numbers({.handler = "", .open_only = true, .by_due = true}, office),
            (std::vector<std::string>{c, b, a}));
}

// A bad query is refused with the field it names.
TEST_F(LedgerQueryTest, BadQueriesNameTheField) {
  struct Case {
    SearchQuery query;
    const char* field;
  };
  const Case cases[] = {
      {{.limit = 501}, "limit"},
      {{.limit = -1}, "limit"},
      {{.offset = -5}, "offset"},
      {{.received_from_ms = At("2025-03-05"), .received_to_ms = At("2025-03-04")},
       "received_from_ms"},
      {{.status = "waiting"}, "status"},
  };
  for (const Case& t : cases) {
    auto r = ledger_->Search(t.query, {.agency = "court"}, At("2025-03-10"));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << t.field;
    EXPECT_NE(r.status().message().find(t.field), std::string::npos) << r.status();
  }
  EXPECT_TRUE(ledger_->Search({.limit = 500}, {.agency = "court"}, At("2025-03-10")).ok());
}

// The actions offered are those Apply() accepts: each one offered applies,
// nothing is offered to an agency that is not responsible, and a transfer's
// receiver may object.
TEST_F(LedgerQueryTest, AllowedActionsAreWhatApplyAccepts) {
  const std::string no = Register("petition", "AA-1", At("2025-03-03"));
  const int64_t now = At("2025-03-03", 12);
  EXPECT_EQ(Names(*ledger_->AllowedActions(no, "petition", now)),
            (std::set<std::string>{"start_review", "request_materials", "accept", "not_accept",
                                   "transfer", "procedural_reply", "contact_unreachable"}));
  EXPECT_TRUE(ledger_->AllowedActions(no, "court", now)->empty());
  ASSERT_TRUE(ledger_->Apply(no, "petition", Action::kTransfer, now, "移送", "procuratorate").ok());
  EXPECT_TRUE(ledger_->AllowedActions(no, "petition", now + kHour)->empty());
  const auto offered = *ledger_->AllowedActions(no, "procuratorate", now + kHour);
  EXPECT_TRUE(Names(offered).count("object_to_transfer"));
  EXPECT_FALSE(Names(offered).count("close"));
  // Every action offered is accepted (each tried on a fresh copy of the item).
  for (Action a : offered) {
    sql::Savepoint sp(db_);  // rolled back: the next action starts from the same item
    auto r = ledger_->Apply(
        no, "procuratorate", a, now + kHour,
        ActInput{
            .note = "说明", .to_agency = "court", .department = "控申部门", .handler = "赵敏"});
    EXPECT_TRUE(r.ok()) << ActionName(a) << ": " << r.status();
  }
  // Read() carries the same list for the responsible agency.
  auto r = ledger_->Read(no, {.agency = "procuratorate"}, now + kHour);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Names(r->allowed), Names(offered));
}

// The item's next deadline, with its rule's Chinese name, and whether it is
// due soon or overdue.
TEST_F(LedgerQueryTest, ItemShowsItsNextDeadline) {
  const std::string no = Register("procuratorate", "D-1", At("2025-03-03"));
  auto r = ledger_->Read(no, {.agency = "procuratorate"}, At("2025-03-03", 10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->item.next_rule, "register_review");
  EXPECT_EQ(r->item.next_rule_text, "当日登记、当日审查");
  EXPECT_EQ(r->item.next_due_ms, EndOfDayMs(*ParseDate("2025-03-03")));
  EXPECT_FALSE(r->item.overdue);
  EXPECT_FALSE(r->item.due_soon);
  EXPECT_TRUE(ledger_->Read(no, {.agency = "procuratorate"}, At("2025-03-03", 21))->item.due_soon);
  EXPECT_TRUE(ledger_->Read(no, {.agency = "procuratorate"}, At("2025-03-04"))->item.overdue);
  for (const auto& d : r->deadlines) EXPECT_FALSE(d.text.empty()) << d.rule;
  EXPECT_EQ(r->item.registered_by, "procuratorate");
  EXPECT_EQ(r->item.intake_id, "D-1");
  EXPECT_EQ(r->item.petitioner, "王某");
}

// A ledger written before actors were kept (schema 4) is upgraded: every
// agency in an item's history sees it, old transfers name their target, old
// events name nobody.
TEST_F(LedgerQueryTest, UpgradeBackfillsWhoSeesEachItem) {
  ledger_.reset();
  db_ = sql::Db();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  db_ = *sql::Db::Open(path_);  // SQLite's upgrade (PostgreSQL's book has one step)
  const auto& schema = Ledger::Schema();
  ASSERT_TRUE(db_.Migrate("ledger", {schema.begin(), schema.begin() + 4}).ok());
  ASSERT_TRUE(db_.Exec(R"sql(
      INSERT INTO petitions(ledger_no, year, seq, registered_by, intake_id, agency,
        transferred_from, channel, received_ms, petitioner, contact, anonymous, matter,
        case_ref, people, status)
      VALUES('信-2025-000001', 2025, 1, 'petition', 'OLD-1', 'court', 'procuratorate',
        'letter', 1740967200000, '王某', '', 0, '旧事项', '', 1, 'received');
      INSERT INTO petition_events(ledger_no, at_ms, agency, action, from_status, to_status, note)
      VALUES('信-2025-000001', 1740967200000, 'petition', 'register', '', 'received', ''),
        ('信-2025-000001', 1740970800000, 'petition', 'transfer', 'received', 'received',
         'to=procuratorate 属检察机关管辖'),
        ('信-2025-000001', 1740974400000, 'procuratorate', 'transfer', 'received', 'received',
         'to=court 属法院管辖');
      )sql")
                  .ok());
  ledger_ = *Ledger::Open(db_, Calendar());
  for (const std::string agency : {"petition", "procuratorate", "court"})
    EXPECT_EQ(Numbers({}, {.agency = agency}), std::vector<std::string>{"信-2025-000001"})
        << agency;
  EXPECT_TRUE(Numbers({}, {.agency = "police"}).empty());
  // (Upgraded to schema 6: the item's search text is indexed at Open.)
  EXPECT_EQ(Numbers({.text = "旧事项"}, {.agency = "court"}),
            std::vector<std::string>{"信-2025-000001"});
  EXPECT_EQ(*db_.QueryInt("SELECT min(received_ms) FROM item_agencies"), 1740967200000);
  const auto h = *ledger_->History("信-2025-000001");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].to_agency, "procuratorate");
  EXPECT_EQ(h[2].to_agency, "court");
  EXPECT_TRUE(h[0].actor.empty());
}

// A reception day's outcome recorded in a console keeps its person: the
// petition raised there names who recorded it on its registration, and the
// item the visit was about names them on the visit (as Apply does).
TEST_F(LedgerQueryTest, ReceptionOutcomeKeepsItsActor) {
  const Actor recorder{"feng.jiuzhu", "冯某", "承办人"};
  const std::string about = Register("petition", "A-1", At("2025-03-03"), "王某", kClerk);
  ASSERT_TRUE(ledger_
                  ->PublishSlot({"procuratorate", "R-1", "检察长 周某", "12309检察服务中心",
                                 At("2025-03-14", 9), At("2025-03-14", 12), 5, false},
                                At("2025-03-04"))
                  .ok());
  // (booked_by, booking_id, slot_agency, slot_id, petitioner, contact, matter, case_ref, ledger_no)
  BookingInput b{"petition", "B-1", "", "R-1", "王某", "", "不服不起诉决定", "", about};
  ASSERT_TRUE(ledger_->Book(b, At("2025-03-04")).ok());
  OutcomeInput o{"procuratorate", "petition",         "B-1", true,
                 "释法说理",      "申请国家司法救助", true,  recorder};
  auto raised = ledger_->RecordOutcome(o, At("2025-03-14", 11));
  ASSERT_TRUE(raised.ok()) << raised.status();
  ASSERT_FALSE(raised->empty());

  const auto h = *ledger_->History(*raised);
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h[0].action, "register");
  EXPECT_EQ(h[0].agency, "procuratorate");
  EXPECT_EQ(h[0].actor.login, "feng.jiuzhu");
  EXPECT_EQ(h[0].actor.name, "冯某");
  EXPECT_EQ(h[0].actor.role, "承办人");
  const auto visit = ledger_->History(about)->back();
  EXPECT_EQ(visit.action, "reception");
  EXPECT_EQ(visit.actor.name, "冯某");
  EXPECT_EQ(visit.actor.role, "承办人");
  // Read() gives the registering agency the same names.
  auto r = ledger_->Read(*raised, {.agency = "procuratorate"}, At("2025-03-14", 12));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->history[0].actor.name, "冯某");

  // Recorded without a person (the agency's own system): nobody is named.
  ASSERT_TRUE(
      ledger_
          ->Book({"petition", "B-2", "", "R-1", "张某", "", "拖欠工资", "", ""}, At("2025-03-04"))
          .ok());
  auto plain = ledger_->RecordOutcome(
      {"procuratorate", "petition", "B-2", true, "当场答复", "", true}, At("2025-03-14", 11));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(ledger_->History(*plain)->at(0).actor.empty());
}

// The bookings a console reads: the booker sees its own, the host every
// booking in its slots, any other agency none; each with its outcome.
TEST_F(LedgerQueryTest, BookingsAreSeenByBookerAndHost) {
  const int64_t now = At("2025-03-04");
  ASSERT_TRUE(ledger_
                  ->PublishSlot({"procuratorate", "R-1", "检察长 周某", "", At("2025-03-14", 9),
                                 At("2025-03-14", 12), 5, false},
                                now)
                  .ok());
  ASSERT_TRUE(
      ledger_->Book({"petition", "B-1", "", "R-1", "王某", "", "不服判决", "", "", 2}, now).ok());
  ASSERT_TRUE(
      ledger_->Book({"procuratorate", "W-1", "", "R-1", "李某", "", "控告", "", ""}, now).ok());
  ASSERT_TRUE(ledger_
                  ->RecordOutcome({"procuratorate", "petition", "B-1", false, "", "", false},
                                  At("2025-03-14", 12))
                  .ok());
  auto ids = [&](const std::string& agency) {
    std::vector<std::string> out;
    auto seen = ledger_->Bookings(agency, At("2025-03-14", 12));
    EXPECT_TRUE(seen.ok()) << seen.status();
    if (seen.ok())
      for (const auto& b : *seen) out.push_back(b.booking.booking_id);
    return out;
  };
  EXPECT_EQ(ids("procuratorate"), (std::vector<std::string>{"B-1", "W-1"}));
  EXPECT_EQ(ids("petition"), std::vector<std::string>{"B-1"});
  EXPECT_TRUE(ids("court").empty());
  const auto seen = *ledger_->Bookings("petition", At("2025-03-14", 12));
  EXPECT_EQ(seen[0].slot_agency, "procuratorate");
  EXPECT_EQ(seen[0].booking.people, 2);
  EXPECT_EQ(seen[0].outcome, "no_show");
}

}  // namespace
}  // namespace concord::ledger
