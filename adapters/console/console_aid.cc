// The console's judicial aid pages: enter a grant and see the duplicate
// check's verdict with its reasons; the agency's grants; other agencies'
// notices. Names stay at the agency (the aid connector sends only keyed
// encodings).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "adapters/console/console_impl.h"
#include "common/uuid.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using json = nlohmann::json;

constexpr const char* kAidTypes[] = {"资金救助", "心理疏导", "职业培训", "就业安置",
                                     "残疾救助", "教育救助", "医疗救助"};
constexpr const char* kFields[] = {
    "record_id", "name",  "id_number",     "birth_date", "gender",      "phone",     "address",
    "case_ref",  "crime", "incident_date", "aid_type",   "amount_yuan", "granted_on"};

struct Look {
  const char* text;
  const char* tag;
};
Look StatusLook(const std::string& status) {
  if (status == "clear") return {"未发现重复", "green"};
  if (status == "possible_duplicate") return {"疑似重复", "amber"};
  if (status == "duplicate") return {"重复救助", "red"};
  if (status == "refused") return {"未通过", "red"};
  return {"查重中", "blue"};
}
Look VerdictLook(const std::string& verdict) {
  if (verdict == "AID_CLEAR") return {"未发现重复", "green"};
  if (verdict == "AID_POSSIBLE_DUPLICATE") return {"疑似重复", "amber"};
  if (verdict == "AID_DUPLICATE") return {"重复救助", "red"};
  return {"查重中", "blue"};
}

std::string Yuan(const json& fen) {
  int64_t v = 0;
  if (fen.is_number()) v = fen.get<int64_t>();
  if (fen.is_string()) v = std::atoll(fen.get<std::string>().c_str());
  return absl::StrFormat("%d.%02d", v / 100, v % 100);
}

std::string JoinStrings(const json& list) {
  std::vector<std::string> out;
  if (list.is_array())
    for (const auto& s : list)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return absl::StrJoin(out, "；");
}

}  // namespace

void ConsoleImpl::Aid(Visit v) {
  json values = {{"v", {{"record_id", "救-" + NewUuidV7().substr(0, 13)}}},
                 {"bad", json::object()},
                 {"can_except", accounts::Allowed(v.account, Permission::kApproveAidException)}};
  json types = json::array();
  for (const char* t : kAidTypes) types.push_back(t);
  values["aid_types"] = types;
  json grants = json::array();
  HttpResponse r = CallApi(v, "GET", "/aid/grants");
  json body = json::parse(r.body, nullptr, false);
  if (r.status == 200 && body.is_object())
    for (auto it = body["grants"].rbegin(); it != body["grants"].rend() && grants.size() < 200;
         ++it) {
      const Look look = StatusLook(it->value("status", ""));
      grants.push_back({{"record_id", it->value("record_id", "")},
                        {"status_cn", look.text},
                        {"tag", look.tag},
                        {"registered", it->value("registered", false)},
                        {"updated", FormatMs(it->value("updated_ms", int64_t{0}))}});
    }
  values["grants"] = grants;
  values["has_grants"] = !grants.empty();
  json notices = json::array();
  r = CallApi(v, "GET", "/aid/notices");
  body = json::parse(r.body, nullptr, false);
  if (r.status == 200 && body.is_object())
    for (const auto& n : body["notices"]) {
      const json& notice = n["notice"];
      const Look look = VerdictLook(notice.value("verdict", ""));
      notices.push_back({{"your_record_id", n.value("your_record_id", "")},
                         {"other_agency", AgencyName(notice.value("other_agency", ""))},
                         {"verdict_cn", look.text},
                         {"tag", look.tag},
                         {"reasons", JoinStrings(notice["reasons"])}});
    }
  values["notices"] = notices;
  values["has_notices"] = !notices.empty();
  Render(v, "司法救助", "aid", Template("aid.html"), std::move(values));
}

void ConsoleImpl::EnterGrant(Visit v) {
  if (!Require(v, Permission::kEnterAid, "aid.grant", "")) return;
  const auto form = v.request.Form();
  json grant = json::object();
  for (const char* f : kFields)
    if (!FormField(form, f).empty()) grant[f] = FormField(form, f);
  const bool check_only = FormField(form, "mode") == "check";
  const bool exception = FormField(form, "approved_exception") == "1";
  const std::string record_id = FormField(form, "record_id");
  if (exception && !Require(v, Permission::kApproveAidException, "aid.exception", record_id))
    return;
  std::string target = check_only ? "/aid/checks" : "/aid/grants";
  if (exception) target += "?approved_exception=1";
  HttpResponse r = CallApi(v, "POST", target, grant.dump());
  const std::string action = check_only ? "aid.check" : (exception ? "aid.exception" : "aid.grant");
  if (r.status != 202) {
    json body = json::parse(r.body, nullptr, false);
    std::string error = body.is_object() ? body.value("error", r.body) : r.body;
    json bad = json::object();
    if (body.is_object() && body.contains("errors")) {
      std::vector<std::string> all;
      for (const auto& e : body["errors"]) all.push_back(e.value("error", ""));
      if (!all.empty()) error = absl::StrJoin(all, "；");
    }
    for (const char* f : kFields)
      if (absl::StrContains(error, absl::StrCat("/ ", f))) bad[f] = true;
    Log(v, action, record_id, false, error);
    json types = json::array();
    for (const char* t : kAidTypes) types.push_back(t);
    json shown = grant;
    Render(v, "司法救助", "aid", Template("aid.html"),
           {{"v", shown},
            {"bad", bad},
            {"error", error},
            {"aid_types", types},
            {"can_except", accounts::Allowed(v.account, Permission::kApproveAidException)}},
           r.status == 409 ? 409 : 400);
    return;
  }
  Log(v, action, record_id, true);
  Await(
      v, "/aid/grants?record_id=" + PercentEncodeQuery(record_id),
      [](const json& b) { return b.value("status", "checking") != "checking"; }, 4000,
      [this, v = std::move(v), record_id](json) mutable {
        Redirect(v, "/aid/grant?id=" + PercentEncodeQuery(record_id));
      });
}

void ConsoleImpl::Grant(Visit v) {
  const std::string id = v.request.Query("id");
  HttpResponse r = CallApi(v, "GET", "/aid/grants?record_id=" + PercentEncodeQuery(id));
  json g = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !g.is_object()) {
    Render(v, "救助记录", "aid", Template("refused.html"),
           {{"heading", "没有这条救助记录"},
            {"reason", "没有这条记录 / no such grant: " + id},
            {"back", "/aid"}},
           404);
    return;
  }
  const json reply = g.contains("reply") && g["reply"].is_object() ? g["reply"] : json::object();
  const Look status = StatusLook(g.value("status", ""));
  const Look verdict = reply.empty() ? status : VerdictLook(reply.value("verdict", ""));
  json matches = json::array();
  if (reply.contains("matches"))
    for (const auto& m : reply["matches"]) {
      const double p = m.value("probability", 0.0);
      matches.push_back({{"agency_name", AgencyName(m.value("agency", ""))},
                         {"record_id", m.value("record_id", "")},
                         {"probability", absl::StrFormat("%.1f%%", p * 100)},
                         {"same_case", m.value("same_case", false)},
                         {"granted_on", m.value("granted_on", "")},
                         {"reasons", JoinStrings(m["reasons"])}});
    }
  json reasons = reply.contains("reasons") ? reply["reasons"] : json::array();
  json values = {{"record_id", id},
                 {"verdict_cn", verdict.text},
                 {"color", verdict.tag},
                 {"status_cn", status.text},
                 {"registered", g.value("registered", false)},
                 {"reasons", reasons},
                 {"has_reasons", !reasons.empty()},
                 {"matches", matches},
                 {"has_matches", !matches.empty()}};
  if (reply.contains("cap_fen") && Yuan(reply["cap_fen"]) != "0.00") {
    values["case_total"] = Yuan(reply.value("case_total_fen", json(0)));
    values["cap"] = Yuan(reply["cap_fen"]);
  }
  Render(v, "救助记录 " + id, "aid", Template("grant.html"), std::move(values));
}

void RegisterAidPages(ConsoleImpl& c) {
  if (c.ctx().config.aid.linkage_key.empty()) return;
  c.AddNav("/aid", "司法救助", "aid");
  c.AddPage("GET", "/aid", [&c](Visit v) { c.Aid(std::move(v)); });
  c.AddPage("POST", "/aid/grants", [&c](Visit v) { c.EnterGrant(std::move(v)); });
  c.AddPage("GET", "/aid/grant", [&c](Visit v) { c.Grant(std::move(v)); });
}

}  // namespace concord::adapter
