// The console's printed documents (文书): the written notices a petitioner
// is owed, each a standalone A4 page headed by the agency's name, with a
// document number, the seal's place and the handler, filled from the item
// and from the step of its shared history that the notice reports:
//
//   GET /petitions/doc?no=<ledger no>&kind=acceptance      受理告知书      (accept)
//                                         non_acceptance  不予受理告知书  (not_accept)
//                                         transfer        转送告知书      (transfer)
//                                         reply           答复意见书      (substantive_reply)
//
// A notice is issued by the agency that took the step, from its own
// console: a step not taken (yet) by this agency answers 409 naming the
// missing step; another agency's item is refused by the ledger (403, as the
// item page). The wording follows 信访工作条例 (2022) arts. 23, 34 and 35
// (DOMAIN.md, "Petitions"); the page's shape is web/console/doc.html, its
// print styles web/console/print.css.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "adapters/console/console_impl.h"
#include "domain/calendar.h"
#include "domain/rules.h"

namespace concord::adapter {

namespace {

using json = nlohmann::json;
namespace pb = concord::v1;

// The documents, each with the ledger action whose event it reports.
struct DocKind {
  const char* kind;    // the ?kind= value
  const char* title;   // 受理告知书
  const char* action;  // rules.h action name
  const char* tag;     // the number's kind mark: 上州信受〔2026〕12号
  const char* who;     // who takes that step in the console
};
constexpr DocKind kKinds[] = {
    {"acceptance", "受理告知书", "accept", "受", "部门负责人"},
    {"non_acceptance", "不予受理告知书", "not_accept", "不受", "部门负责人"},
    {"transfer", "转送告知书", "transfer", "转", "部门负责人"},
    {"reply", "答复意见书", "substantive_reply", "复", "承办人"},
};

const DocKind* FindKind(absl::string_view kind) {
  for (const auto& k : kKinds)
    if (kind == k.kind) return &k;
  return nullptr;
}

// How the agency calls itself in its letters, by the end of its name.
struct SelfName {
  const char* suffix;
  const char* self;
};
constexpr SelfName kSelfNames[] = {
    {"院", "本院"}, {"局", "本局"}, {"委员会", "本委"}, {"委", "本委"}, {"厅", "本厅"},
};
std::string Self(absl::string_view agency) {
  for (const auto& s : kSelfNames)
    if (absl::EndsWith(agency, s.suffix)) return s.self;
  return "本机关";
}

// The agency's mark in a document number (上州区信访局 -> 信), by its kind.
struct AgencyMark {
  const char* contains;
  const char* mark;
};
constexpr AgencyMark kAgencyMarks[] = {
    {"检察院", "检"}, {"法院", "法"},   {"信访", "信"},
    {"公安", "公"},   {"司法局", "司"}, {"政法委", "政法"},
};

// The place in the agency's name: what precedes its first 区, 县 or 市
// within the first four characters (上州区人民法院 -> 上州), else its first
// two characters.
std::string Place(absl::string_view agency) {
  constexpr size_t kCjk = 3;  // bytes of one of these characters in UTF-8
  size_t best = absl::string_view::npos;
  for (absl::string_view level : {"区", "县", "市"}) {
    const size_t at = agency.find(level);
    if (at != absl::string_view::npos && at > 0 && at <= 4 * kCjk) best = std::min(best, at);
  }
  if (best != absl::string_view::npos) return std::string(agency.substr(0, best));
  return std::string(agency.substr(0, std::min(agency.size(), 2 * kCjk)));
}

// 上州信受〔2026〕12号 from the ledger number 信-2026-000012: the document
// numbers follow the district's ledger numbers, so a number names its item.
std::string DocNumber(absl::string_view agency, const DocKind& kind, const std::string& ledger_no) {
  std::string mark;
  for (const auto& m : kAgencyMarks)
    if (absl::StrContains(agency, m.contains)) {
      mark = m.mark;
      break;
    }
  std::vector<std::string> parts = absl::StrSplit(ledger_no, '-');
  std::string year, seq;
  if (parts.size() == 3) {
    year = parts[1];
    seq = parts[2];
    seq.erase(0, std::min(seq.find_first_not_of('0'), seq.size() - 1));
  }
  if (year.empty() || seq.empty()) return absl::StrCat(Place(agency), mark, kind.tag, ledger_no);
  return absl::StrCat(Place(agency), mark, kind.tag, "〔", year, "〕", seq, "号");
}

// How the petition came, in a letter's words: 你于……来访反映的信访事项.
struct ChannelWords {
  const char* channel;
  const char* words;
};
constexpr ChannelWords kChannelWords[] = {
    {"visit", "来访反映"}, {"letter", "来信反映"},        {"online", "通过网上信访渠道反映"},
    {"phone", "来电反映"}, {"video", "通过视频接访反映"}, {"transferred", "反映并经有关机关转来"},
};
std::string HowCame(const std::string& channel) {
  for (const auto& c : kChannelWords)
    if (channel == c.channel) return c.words;
  return "反映";
}

// A clerk's text as a sentence of the letter: trimmed, its closing
// punctuation dropped (the template closes it).
std::string Clause(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  for (bool again = true; again;) {
    again = false;
    for (absl::string_view end : {"。", "；", "，", ".", ";", ","})
      if (absl::ConsumeSuffix(&s, end)) again = true;
    s = absl::StripTrailingAsciiWhitespace(s);
  }
  return std::string(s);
}

// Paragraphs of a clerk's text (one per non-empty line).
json Paragraphs(absl::string_view s) {
  json out = json::array();
  for (absl::string_view line : absl::StrSplit(s, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) out.push_back(std::string(line));
  }
  return out;
}

// The ledger writes an accept's note as "分流至 <department> 首办责任人
// <handler> <note>" (agents/ledger/ledger.cc, RecordEvent).
struct Routing {
  std::string department, handler;
};
Routing RoutingOf(absl::string_view note) {
  Routing r;
  auto word = [&](absl::string_view label, std::string& into) {
    if (!absl::ConsumePrefix(&note, label)) return;
    const size_t end = note.find(' ');
    into = std::string(note.substr(0, end));
    note = end == absl::string_view::npos ? "" : note.substr(end + 1);
  };
  word("分流至 ", r.department);
  word("首办责任人 ", r.handler);
  return r;
}

// A transfer's note: "to=<principal> <explanation>" (RecordEvent).
std::string TransferExplanation(absl::string_view note) {
  if (absl::StartsWith(note, "to=")) {
    const size_t end = note.find(' ');
    note = end == absl::string_view::npos ? "" : note.substr(end + 1);
  }
  return std::string(note);
}

// A reply's note: "<答复方式>：<content>" as the item page's form sends it
// (console_petitions.cc, kReplyChannels).
constexpr const char* kReplyChannels[] = {"书面答复", "当面答复", "电话答复", "短信告知",
                                          "网上答复"};
std::string ReplyContent(absl::string_view note) {
  for (const char* c : kReplyChannels)
    if (absl::ConsumePrefix(&note, absl::StrCat(c, "："))) break;
  return std::string(note);
}

// The reply's content split at "处理意见：" into the facts found and the
// opinion; without that mark, all of it is the opinion.
struct Reply {
  std::string facts, opinion;
};
Reply SplitReply(absl::string_view content) {
  for (absl::string_view mark : {"处理意见：", "处理意见:"}) {
    const size_t at = content.find(mark);
    if (at == absl::string_view::npos) continue;
    absl::string_view facts = absl::StripAsciiWhitespace(content.substr(0, at));
    for (absl::string_view label : {"查明事实：", "查明事实:", "经查明：", "查明的事实："})
      if (absl::ConsumePrefix(&facts, label)) break;
    return {std::string(facts), std::string(content.substr(at + mark.size()))};
  }
  return {"", std::string(content)};
}

// The step as the item page's 办理 names it (受理分流).
std::string StepName(const DocKind& kind) {
  auto a = ledger::ActionFromName(kind.action);
  return a ? ledger::ActionChineseName(*a) : kind.action;
}

std::string StatusText(const std::string& name) {
  auto s = ledger::StatusFromName(name);
  return s ? ledger::StatusChineseName(*s) : name;
}

// The latest event of `action` in the history taken by `agency`, and the
// latest one taken by anybody (to say who issues the notice instead).
struct Found {
  const pb::LedgerEventView* own = nullptr;
  const pb::LedgerEventView* any = nullptr;
};
Found FindStep(const pb::LedgerQueryReply& reply, absl::string_view action,
               const std::string& agency) {
  Found f;
  for (const auto& e : reply.history()) {
    if (e.action() != action) continue;
    f.any = &e;
    if (e.agency() == agency) f.own = &e;
  }
  return f;
}

void Document(ConsoleImpl& c, Visit v) {
  const std::string no = v.request.Query("no");
  const std::string kind_name = v.request.Query("kind");
  const std::string item_page = "/petitions/item?no=" + PercentEncode(no);
  const DocKind* kind = FindKind(kind_name);
  if (!kind) {
    std::string known;
    for (const auto& k : kKinds) absl::StrAppend(&known, known.empty() ? "" : "、", k.title);
    return c.Render(
        v, "没有这种文书", "petitions", c.Template("refused.html"),
        {{"heading", "没有这种文书"},
         {"reason", absl::StrCat("可出具的文书：", known, " / no such document: ", kind_name)},
         {"back", no.empty() ? "/petitions" : item_page}},
        404);
  }
  pb::LedgerQuery q;
  q.set_ledger_no(no);
  c.AskLedger(q, [&c, v = std::move(v), no, kind,
                  item_page](absl::StatusOr<pb::LedgerQueryReply> reply) mutable {
    const std::string title = kind->title;
    if (!reply.ok())
      return c.Render(v, title, "petitions", c.Template("refused.html"),
                      {{"heading", "暂时无法查询"},
                       {"reason", absl::StrCat("账本暂时无法查询：", reply.status().message())},
                       {"back", item_page}},
                      503);
    const std::string action = absl::StrCat("petition.document.", kind->kind);
    if (!reply->ok() || reply->items().empty()) {
      const bool theirs =
          reply->code() == static_cast<int32_t>(absl::StatusCode::kPermissionDenied);
      if (theirs) c.Log(v, action, no, false, reply->reason());
      return c.Render(v, title, "petitions", c.Template("refused.html"),
                      {{"heading", theirs ? "无权查看" : "没有这个事项"},
                       {"reason", reply->reason()},
                       {"back", "/petitions"}},
                      theirs ? 403 : 404);
    }
    const pb::LedgerItemView& i = reply->items(0);
    const std::string& own = c.ctx().config.agency;
    const Found step = FindStep(*reply, kind->action, own);
    if (!step.own) {
      std::string why;
      if (step.any)
        why = absl::StrCat("该事项的「", StepName(*kind), "」由", c.AgencyName(step.any->agency()),
                           "办理，", title, "应由该机关出具。");
      else
        why = absl::StrCat("该事项尚未办理「", StepName(*kind), "」（当前状态：",
                           StatusText(i.status()), "），暂不能出具", title, "。须先由", kind->who,
                           "在事项页办理「", StepName(*kind), "」。");
      return c.Render(
          v, title, "petitions", c.Template("refused.html"),
          {{"heading", absl::StrCat("暂不能出具", title)},
           {"reason", why + " / the step this document reports has not been taken here"},
           {"back", item_page}},
          409);
    }
    const pb::LedgerEventView& e = *step.own;
    const std::string agency = c.AgencyName(own);
    std::string petitioner =
        i.anonymous() || i.petitioner().empty() ? "匿名信访人" : i.petitioner();
    if (i.people() > 1 && !i.anonymous()) absl::StrAppend(&petitioner, "等", i.people(), "人");
    std::string handler = e.actor().name();
    json values = {{"kind", kind->kind},
                   {"title", title},
                   {"agency", agency},
                   {"self", Self(agency)},
                   {"superior", c.ctx().config.console.superior},
                   {"number", DocNumber(agency, *kind, i.ledger_no())},
                   {"ledger_no", i.ledger_no()},
                   {"petitioner", petitioner},
                   {"you", i.people() > 1 ? "你们" : "你"},
                   {"received_cn", ChineseDate(i.received_ms())},
                   {"how", HowCame(i.channel())},
                   {"matter", Clause(i.matter())},
                   {"date_cn", ChineseDate(e.at_ms())},
                   {"back", item_page}};
    if (kind->action == absl::string_view("accept")) {
      Routing r = RoutingOf(e.note());
      if (r.handler.empty()) r.handler = i.handler();
      if (!r.handler.empty()) handler = r.handler;
      values["acceptance"] = {{"department", r.department}, {"first_handler", r.handler}};
    } else if (kind->action == absl::string_view("not_accept")) {
      values["non_acceptance"] = {{"reason", Clause(e.note())}};
    } else if (kind->action == absl::string_view("transfer")) {
      values["transfer"] = {{"to_agency", c.AgencyName(e.to_agency())},
                            {"explanation", Clause(TransferExplanation(e.note()))}};
    } else {
      const Reply r = SplitReply(ReplyContent(e.note()));
      const Found accepted = FindStep(*reply, "accept", own);
      values["reply"] = {{"accepted_cn", accepted.own ? ChineseDate(accepted.own->at_ms()) : ""},
                         {"facts", Paragraphs(r.facts)},
                         {"opinion", Paragraphs(r.opinion)},
                         {"split", !r.facts.empty()}};
    }
    if (handler.empty()) handler = i.handler();
    values["handler"] = handler;
    c.Log(v, action, no, true);
    v.respond({200,
               "text/html; charset=utf-8",
               c.Template("doc.html").Render(values),
               {{"Cache-Control", "no-store"}}});
  });
}

}  // namespace

std::string ChineseDate(int64_t ms) {
  static constexpr const char* kDigits[] = {"〇", "一", "二", "三", "四",
                                            "五", "六", "七", "八", "九"};
  auto number = [](unsigned n) {  // 1..31
    std::string out;
    if (n >= 20) out += kDigits[n / 10];
    if (n >= 10) out += "十";
    if (n % 10 || n < 10) out += kDigits[n % 10];
    return out;
  };
  const Date d = DateOf(ms);
  std::string out;
  for (char c : std::to_string(static_cast<int>(d.year()))) out += kDigits[c - '0'];
  return absl::StrCat(out, "年", number(static_cast<unsigned>(d.month())), "月",
                      number(static_cast<unsigned>(d.day())), "日");
}

json DocumentLinks(const std::string& agency, const pb::LedgerQueryReply& item) {
  json list = json::array();
  if (item.items().empty()) return json::object();
  for (const auto& k : kKinds)
    if (FindStep(item, k.action, agency).own)
      list.push_back(
          {{"kind", k.kind},
           {"title", k.title},
           {"href", absl::StrCat("/petitions/doc?no=", PercentEncode(item.items(0).ledger_no()),
                                 "&kind=", k.kind)}});
  if (list.empty()) return json::object();
  return {{"list", std::move(list)}};
}

void RegisterDocumentPages(ConsoleImpl& c) {
  if (c.ctx().config.petitions.ledger.empty()) return;
  c.AddPage("GET", "/petitions/doc", [&c](Visit v) { Document(c, std::move(v)); });
}

}  // namespace concord::adapter
