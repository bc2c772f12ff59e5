// The console's judicial-aid applications (docs/aid.md, "The aid
// procedure"): a clerk receives an application (the victim, the relatives
// applying together, the case, the materials), asks for missing materials
// once, finds it complete; the agency's leader decides (grant with the
// amount and grounds, after the duplicate and cap check; refusal on a legal
// ground; advance aid in an urgent case); the clerk records the funds and
// the payment. Each application shows its deadlines, on time or overdue,
// and every step with who took it and what the aid agent answered.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/console/console_impl.h"
#include "adapters/payload_json.h"
#include "common/csv.h"
#include "common/uuid.h"
#include "concord/v1/petition.pb.h"
#include "domain/aid_rules.h"

namespace concord::adapter {
namespace {

using accounts::Permission;
using json = nlohmann::json;

constexpr const char* kRelations[] = {"本人", "配偶", "父母", "子女", "其他近亲属"};
constexpr int kApplicantRows = 5;

int64_t Int(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (...) {
    }
  }
  return 0;
}

std::string StatusCn(const std::string& s) {
  if (s == "sent") return "待平台确认";
  if (s == "refused_entry") return "未受理（见办理经过）";
  if (auto st = aid::AppStatusFromName(s)) return aid::AppStatusChineseName(*st);
  return s;
}
std::string StatusTag(const std::string& s) {
  if (s == "granted" || s == "paid") return "green";
  if (s == "refused" || s == "refused_entry") return "red";
  if (s == "withdrawn") return "";
  return "blue";
}
std::string ActionCn(const std::string& a) {
  if (auto act = aid::AppActionFromName(a)) return aid::AppActionChineseName(*act);
  return a;
}
std::string Yuan(int64_t fen) {
  return fen % 100 ? absl::StrCat(fen / 100, ".", fen % 100 < 10 ? "0" : "", fen % 100)
                   : absl::StrCat(fen / 100);
}

// The application's deadlines for the page: due, met, and how it stands.
// `alerted`: the rules the aid agent reported overdue ("overdue") or
// escalated ("escalation"), by its clock.
json Deadlines(const json& deadlines, int64_t now, std::string* next_due, bool* overdue,
               const std::map<std::string, std::string>& alerted = {}) {
  json out = json::array();
  for (const auto& d : deadlines) {
    const int64_t due = Int(d, "due_ms"), met = Int(d, "met_ms");
    const bool missed = d.value("missed", false);
    const auto alert = alerted.find(d.value("rule", ""));
    std::string state = "进行中", row;
    if (met) {
      state = missed ? "逾期完成" : "按时完成";
      row = missed ? "overdue" : "";
    } else if (missed || now > due || alert != alerted.end()) {
      state =
          alert != alerted.end() && alert->second == "escalation" ? "已逾期，已督办升级" : "已逾期";
      row = "overdue";
      if (overdue) *overdue = true;
    } else if (due - now < 2 * kDayMs) {
      state = "即将到期";
    }
    if (!met && next_due && (next_due->empty() || FormatDate(DateOf(due)) < *next_due))
      *next_due = FormatDate(DateOf(due));
    out.push_back({{"text", d.value("text", "")},
                   {"source", d.value("source", "")},
                   {"due", FormatDate(DateOf(due))},
                   {"met", met ? FormatMs(met) : ""},
                   {"state", state},
                   {"row_class", row}});
  }
  return out;
}

// What the step entered says, for the history.
std::string StepNote(const json& s) {
  std::vector<std::string> parts;
  if (s.contains("missing") && !s["missing"].empty()) {
    std::vector<std::string> m;
    for (const auto& x : s["missing"])
      if (x.is_string()) m.push_back(x.get<std::string>());
    parts.push_back(absl::StrCat("需补充：", absl::StrJoin(m, "、")));
  }
  if (Int(s, "amount_fen") > 0) parts.push_back(absl::StrCat(Yuan(Int(s, "amount_fen")), " 元"));
  if (const auto* g = aid::FindRefusalGround(s.value("ground", "")))
    parts.push_back(absl::StrCat("情形：", g->chinese));
  if (!s.value("grounds", "").empty())
    parts.push_back(absl::StrCat("理由：", s.value("grounds", "")));
  if (s.value("approved_exception", false))
    parts.push_back(absl::StrCat("特别审批：", s.value("exception_reason", "")));
  return absl::StrJoin(parts, "；");
}

// The API's refusal: its message, and the fields to mark in `bad` (the
// victim's fields by their own name, as the form names them).
std::string Refusal(const HttpResponse& r, const json& reply, json* bad) {
  if (!reply.is_object()) return r.body;
  for (const auto& f : reply.value("fields", json::array()))
    if (f.is_string()) {
      std::string name = f.get<std::string>();
      if (name.rfind("victim.", 0) == 0) name = name.substr(7);
      (*bad)[name] = true;
    }
  return reply.value("error", r.body);
}

json RelationOptions(const std::string& chosen) {
  json out = json::array();
  for (const char* r : kRelations) out.push_back({{"value", r}, {"selected", chosen == r}});
  return out;
}

json GroundOptions() {
  json out = json::array();
  for (const auto& g : aid::RefusalGrounds())
    out.push_back({{"id", g.id}, {"text", g.chinese}, {"source", g.source}});
  return out;
}

// The applications page: the list and the form to receive one.
void ListPage(ConsoleImpl& c, Visit& v, json form, const std::string& error, json bad, int status) {
  json apps = json::array();
  HttpResponse r = c.CallApi(v, "GET", "/aid/applications");
  json body = json::parse(r.body, nullptr, false);
  const int64_t now = c.Now();
  if (r.status == 200 && body.is_object())
    for (const auto& a : body["applications"]) {
      std::string next;
      bool overdue = false;
      (void)Deadlines(a.value("deadlines", json::array()), now, &next, &overdue);
      const json& app = a["application"];
      const std::string status = a.value("status", "");
      apps.push_back({{"id", a.value("application_id", "")},
                      {"victim", app["victim"].value("name", "")},
                      {"deceased", app.value("deceased_victim", false)},
                      {"applicants", app.value("applicants", json::array()).size()},
                      {"status_cn", StatusCn(status)},
                      {"tag", StatusTag(status)},
                      {"next_due", next},
                      {"overdue", overdue},
                      {"received", FormatMs(Int(app, "received_ms"))}});
    }
  json rows = json::array();
  for (int i = 0; i < kApplicantRows; ++i) {
    const std::string k = absl::StrCat("a", i, "_");
    rows.push_back({{"i", i},
                    {"name", form.value(k + "name", "")},
                    {"id_number", form.value(k + "id_number", "")},
                    {"phone", form.value(k + "phone", "")},
                    {"relations", RelationOptions(form.value(k + "relation", ""))}});
  }
  if (!form.contains("application_id"))
    form["application_id"] = "救申-" + NewUuidV7().substr(0, 13);
  c.Render(v, "司法救助申请", "aid_apps", c.Template("aid_apps.html"),
           {{"apps", apps},
            {"has_apps", !apps.empty()},
            {"v", form},
            {"rows", rows},
            {"bad", bad},
            {"error", error},
            {"can_enter", accounts::Allowed(v.account, Permission::kEnterAid)}},
           status);
}

void Receive(ConsoleImpl& c, Visit v) {
  if (!c.Require(v, Permission::kEnterAid, "aid.apply", "")) return;
  const auto form = v.request.Form();
  json entered = json::object();
  for (const auto& [k, val] : form)
    if (k != "csrf") entered[k] = val;
  const std::string id(csv::Trim(FormField(form, "application_id")));
  json applicants = json::array();
  for (int i = 0; i < kApplicantRows; ++i) {
    const std::string k = absl::StrCat("a", i, "_");
    if (std::string name(csv::Trim(FormField(form, k + "name"))); !name.empty())
      applicants.push_back({{"name", name},
                            {"relation", FormField(form, k + "relation")},
                            {"id_number", FormField(form, k + "id_number")},
                            {"phone", FormField(form, k + "phone")}});
  }
  std::string received = FormField(form, "received_at");
  if (received.size() == 16 && received[10] == 'T') received[10] = ' ';  // datetime-local
  json body = {{"application_id", id},
               {"received_at", received},
               {"complete", FormField(form, "complete") == "1"},
               {"deceased_victim", FormField(form, "deceased_victim") == "1"},
               {"victim",
                {{"name", FormField(form, "name")},
                 {"id_number", FormField(form, "id_number")},
                 {"birth_date", FormField(form, "birth_date")},
                 {"gender", FormField(form, "gender")},
                 {"phone", FormField(form, "phone")},
                 {"address", FormField(form, "address")}}},
               {"applicants", applicants},
               {"case_ref", FormField(form, "case_ref")},
               {"incident_date", FormField(form, "incident_date")},
               {"crime", FormField(form, "crime")},
               {"materials", FormField(form, "materials")}};
  HttpResponse r = c.CallApi(v, "POST", "/aid/applications", body.dump());
  json reply = json::parse(r.body, nullptr, false);
  if (r.status != 202) {
    json bad = json::object();
    const std::string error = Refusal(r, reply, &bad);
    c.Log(v, "aid.apply", id, false, error);
    ListPage(c, v, entered, error, bad, r.status == 409 ? 409 : 400);
    return;
  }
  c.Log(v, "aid.apply", id, true);
  const std::string step = reply.value("step", "");
  c.Await(
      v, "/aid/applications/step?id=" + PercentEncode(step),
      [](const json& b) { return b.value("state", "sent") != "sent"; }, 4000,
      [&c, v = std::move(v), id](json b) mutable {
        const bool refused = b.is_object() && b.value("state", "") == "refused";
        c.Redirect(v, "/aid/application?id=" + PercentEncode(id),
                   refused ? absl::StrCat("平台未受理：", b.value("error", ""))
                           : "已受理救助申请，期限已开始计算",
                   refused);
      });
}

// `entered`: what the person typed in the step that failed, shown again.
void Detail(ConsoleImpl& c, Visit& v, const std::string& id, const std::string& error,
            const std::string& failed_action, json bad, int status, json entered = json::object()) {
  HttpResponse r = c.CallApi(v, "GET", "/aid/applications?id=" + PercentEncode(id));
  json a = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !a.is_object()) {
    c.Render(v, "司法救助申请", "aid_apps", c.Template("aid_apps.html"),
             {{"error", absl::StrCat("没有救助申请 ", id)}, {"apps", json::array()}}, 404);
    return;
  }
  const json& app = a["application"];
  const std::string st = a.value("status", "");
  const int64_t now = c.Now();
  // What the aid agent reported of this application's deadlines.
  std::map<std::string, std::string> alerted;
  concord::v1::DeadlineAlert mine;
  mine.set_ledger_no(id);
  if (auto inbox =
          c.ctx().mailbox.Latest({"concord.v1.DeadlineAlert"}, 50, PrintedField(mine, "ledger_no"));
      inbox.ok())
    for (const auto& m : *inbox) {
      const json p = json::parse(m.payload_json, nullptr, false);
      if (!p.is_object() || p.value("ledger_no", "") != id) continue;
      const std::string kind = p.value("kind", "");
      std::string& seen = alerted[p.value("rule", "")];
      if (kind == "escalation" || (kind == "overdue" && seen != "escalation")) seen = kind;
    }
  for (auto it = alerted.begin(); it != alerted.end();)  // warnings only: not overdue
    it = it->second.empty() ? alerted.erase(it) : std::next(it);
  json deadlines = Deadlines(a.value("deadlines", json::array()), now, nullptr, nullptr, alerted);
  bool funds = false, advanced = false;
  json steps = json::array();
  json warning;  // the latest check that found something: what it matched
  for (const auto& s : a.value("steps", json::array())) {
    const std::string action = s.value("action", "");
    const std::string state = s.value("state", "");
    if (state == "ok" && action == "funds_arrived") funds = true;
    if (state == "ok" && action == "advance") advanced = true;
    json check = s.value("check", json::object());
    std::string verdict;
    if (check.is_object() && check.contains("verdict")) {
      const std::string vd = check.value("verdict", "");
      verdict = vd == "AID_CLEAR"                ? "查重：未发现重复"
                : vd == "AID_DUPLICATE"          ? "查重：重复救助"
                : vd == "AID_OVER_CAP"           ? "查重：超出上限"
                : vd == "AID_POSSIBLE_DUPLICATE" ? "查重：疑似重复"
                                                 : "";
      std::vector<std::string> reasons;
      for (const auto& x : check.value("reasons", json::array()))
        if (x.is_string()) reasons.push_back(x.get<std::string>());
      if (!reasons.empty()) verdict += absl::StrCat("（", absl::StrJoin(reasons, "；"), "）");
      if (vd == "AID_CLEAR") {
        warning = nullptr;
      } else if (!vd.empty()) {
        json matches = json::array();
        for (const auto& m : check.value("matches", json::array()))
          if (CaseLabel(m) != "不同案件")
            matches.push_back({{"agency", c.AgencyName(m.value("agency", ""))},
                               {"record_id", m.value("record_id", "")},
                               {"granted_on", m.value("granted_on", "")}});
        warning = {{"text", vd == "AID_DUPLICATE"  ? "重复救助"
                            : vd == "AID_OVER_CAP" ? "超出上限"
                                                   : "疑似重复"},
                   {"duplicate", vd != "AID_OVER_CAP"},
                   {"matches", matches}};
      }
    }
    steps.push_back(
        {{"at", FormatMs(Int(s["step"], "at_ms") ? Int(s["step"], "at_ms") : Int(s, "sent_ms"))},
         {"action_cn", action == "apply" ? "受理申请" : ActionCn(action)},
         {"actor", s.value("actor", "")},
         {"state_cn", state == "ok"        ? "已办理"
                      : state == "refused" ? "未通过"
                                           : "待平台确认"},
         {"tag", state == "ok"        ? "green"
                 : state == "refused" ? "red"
                                      : "blue"},
         {"error", s.value("error", "")},
         {"verdict", verdict},
         {"note", action == "apply" ? "" : StepNote(s["step"])}});
  }
  const bool clerk = accounts::Allowed(v.account, Permission::kEnterAid);
  const bool leader = accounts::Allowed(v.account, Permission::kApproveAidException);
  const bool open = st == "applied" || st == "needs_materials" || st == "under_review";
  bool asked = false;
  for (const auto& s : a.value("steps", json::array()))
    asked |= s.value("state", "") == "ok" && s.value("action", "") == "request_materials";
  auto form = [&](const char* name) {
    return json{{"name", name}, {"open", failed_action == name}};
  };
  json actions = json::object();
  if (clerk && st == "applied" && !asked) actions["request_materials"] = form("request_materials");
  if (clerk && (st == "applied" || st == "needs_materials"))
    actions["materials_complete"] = form("materials_complete");
  if (leader && open && !advanced) actions["advance"] = form("advance");
  if (leader && st == "under_review") actions["grant"] = form("grant");
  if (leader && open) actions["refuse"] = form("refuse");
  if (clerk && st == "granted" && !funds) actions["funds_arrived"] = form("funds_arrived");
  if (clerk && st == "granted" && funds) actions["pay"] = form("pay");
  if (clerk && open) actions["withdraw"] = form("withdraw");
  json applicants = json::array();
  for (const auto& p : app.value("applicants", json::array()))
    applicants.push_back({{"name", p.value("name", "")},
                          {"relation", p.value("relation", "")},
                          {"id_number", p.value("id_number", "")},
                          {"phone", p.value("phone", "")}});
  std::vector<std::string> materials;
  for (const auto& m : app.value("materials", json::array()))
    if (m.is_string()) materials.push_back(m.get<std::string>());
  const json& victim = app["victim"];
  c.Render(v, absl::StrCat("救助申请 ", id), "aid_apps", c.Template("aid_app.html"),
           {{"id", id},
            {"status_cn", StatusCn(st)},
            {"tag", StatusTag(st)},
            {"victim", victim},
            {"deceased", app.value("deceased_victim", false)},
            {"applicants", applicants},
            {"case_ref", app.value("case_ref", "")},
            {"crime", app.value("crime", "")},
            {"incident_date", app.value("incident_date", "")},
            {"received", FormatMs(Int(app, "received_ms"))},
            {"materials", absl::StrJoin(materials, "、")},
            {"deadlines", deadlines},
            {"has_deadlines", !deadlines.empty()},
            {"steps", steps},
            {"actions", actions},
            {"has_actions", !actions.empty()},
            {"grounds", GroundOptions()},
            {"error", error},
            {"bad", bad},
            {"entered", entered},
            {"warning", warning},
            {"no_actions", open ? "本账户无权办理此申请的下一步（决定须院/局领导）。"
                                : "此申请已办结，无待办步骤。"}},
           status);
}

void Act(ConsoleImpl& c, Visit v) {
  const auto form = v.request.Form();
  const std::string id = FormField(form, "application_id");
  const std::string action = FormField(form, "action");
  const bool decision = action == "grant" || action == "refuse" || action == "advance";
  if (!c.Require(v, decision ? Permission::kApproveAidException : Permission::kEnterAid,
                 absl::StrCat("aid.", action), id))
    return;
  std::string at = FormField(form, "at");
  if (at.size() == 16 && at[10] == 'T') at[10] = ' ';
  json body = {{"application_id", id},
               {"action", action},
               {"at", at},
               {"missing", FormField(form, "missing")},
               {"amount_yuan", FormField(form, "amount_yuan")},
               {"ground", FormField(form, "ground")},
               {"grounds", FormField(form, "grounds")},
               {"approved_exception", FormField(form, "approved_exception") == "1"},
               {"exception_reason", FormField(form, "exception_reason")}};
  json form_values = json::object();
  for (const auto& [k, val] : form)
    if (k != "csrf") form_values[k] = val;
  HttpResponse r = c.CallApi(v, "POST", "/aid/applications/act", body.dump());
  json reply = json::parse(r.body, nullptr, false);
  if (r.status != 202) {
    json bad = json::object();
    const std::string error = Refusal(r, reply, &bad);
    c.Log(v, absl::StrCat("aid.", action), id, false, error);
    Detail(c, v, id, error, action, bad, 400, form_values);
    return;
  }
  c.Log(v, absl::StrCat("aid.", action), id, true);
  const std::string step = reply.value("step", "");
  c.Await(
      v, "/aid/applications/step?id=" + PercentEncode(step),
      [](const json& b) { return b.value("state", "sent") != "sent"; }, 4000,
      [&c, v = std::move(v), id, action, form_values](json b) mutable {
        const std::string state = b.is_object() ? b.value("state", "sent") : "sent";
        if (state == "refused") {
          Detail(c, v, id, absl::StrCat("未通过：", b.value("error", "")), action, json::object(),
                 409, form_values);
          return;
        }
        c.Redirect(
            v, "/aid/application?id=" + PercentEncode(id),
            state == "ok" ? absl::StrCat("已办理：", ActionCn(action)) : "已提交，等待平台确认");
      });
}

}  // namespace

void RegisterAidApplicationPages(ConsoleImpl& c) {
  if (c.ctx().config.aid.linkage_key.empty()) return;
  c.AddNav("/aid/applications", "救助申请", "aid_apps");
  c.AddPage("GET", "/aid/applications",
            [&c](Visit v) { ListPage(c, v, json::object(), "", json::object(), 200); });
  c.AddPage("POST", "/aid/applications", [&c](Visit v) { Receive(c, std::move(v)); });
  c.AddPage("GET", "/aid/application",
            [&c](Visit v) { Detail(c, v, v.request.Query("id"), "", "", json::object(), 200); });
  c.AddPage("POST", "/aid/application/act", [&c](Visit v) { Act(c, std::move(v)); });
}

}  // namespace concord::adapter
