// The console's judicial aid pages: enter a grant and see the duplicate
// check's verdict with its reasons; a leader approving a duplicate as an
// exception, with the reason kept and shown; the batch import of a CSV file
// with its report (on the page and as a CSV for Excel); the agency's grants;
// other agencies' notices, newest first. Names stay at the agency (the aid
// connector sends only keyed encodings).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "adapters/console/console_impl.h"
#include "common/csv.h"
#include "common/multipart.h"
#include "common/uuid.h"
#include "domain/linkage/record.h"

namespace concord::adapter {

namespace {

using accounts::Permission;
using json = nlohmann::json;

constexpr const char* kAidTypes[] = {"资金救助", "心理疏导", "职业培训", "就业安置",
                                     "残疾救助", "教育救助", "医疗救助"};
constexpr const char* kFields[] = {
    "record_id", "name",  "id_number",     "birth_date", "gender",      "phone",     "address",
    "case_ref",  "crime", "incident_date", "aid_type",   "amount_yuan", "granted_on"};
// The import file's columns, as the template gives them (domain/linkage/aid_csv.h).
constexpr const char* kImportColumns[] = {"记录编号", "姓名", "身份证号", "出生日期", "性别",
                                          "电话",     "住址", "案号",     "案发日期", "案由",
                                          "救助类型", "金额", "救助日期"};

struct Look {
  const char* text;
  const char* tag;
};
Look StatusLook(const std::string& status) {
  if (status == "clear") return {"未发现重复", "green"};
  if (status == "possible_duplicate") return {"疑似重复", "amber"};
  if (status == "duplicate") return {"重复救助", "red"};
  if (status == "over_cap") return {"超出上限", "amber"};
  if (status == "refused") return {"未通过", "red"};
  if (status == "withdrawn") return {"已撤销", "grey"};
  return {"查重中", "blue"};
}
Look VerdictLook(const std::string& verdict) {
  if (verdict == "AID_CLEAR") return {"未发现重复", "green"};
  if (verdict == "AID_POSSIBLE_DUPLICATE") return {"疑似重复", "amber"};
  if (verdict == "AID_DUPLICATE") return {"重复救助", "red"};
  if (verdict == "AID_OVER_CAP") return {"超出上限", "amber"};
  return {"查重中", "blue"};
}
// One row of an import report: 通过 / 重复救助 / 需核实 / 格式错误, or
// 已登记过 (registered before, not sent again) and 查重中 (no verdict yet).
Look ImportLook(const json& row) {
  const std::string outcome = row.value("outcome", "");
  if (outcome == "bad") return {"格式错误", "red"};
  if (outcome == "registered_before") return {"已登记过", "blue"};
  const std::string status = row.value("status", "checking");
  if (status == "clear") return {"通过", "green"};
  if (status == "duplicate") return {"重复救助", "red"};
  if (status == "possible_duplicate") return {"需核实", "amber"};
  if (status == "over_cap") return {"超出上限", "amber"};
  if (status == "refused") return {"未通过", "red"};
  return {"查重中", "blue"};
}

std::string Yuan(const json& fen) {
  int64_t v = 0;
  if (fen.is_number()) v = fen.get<int64_t>();
  if (fen.is_string()) v = std::atoll(fen.get<std::string>().c_str());
  return absl::StrFormat("%d.%02d", v / 100, v % 100);
}

std::vector<std::string> Strings(const json& list) {
  std::vector<std::string> out;
  if (list.is_array())
    for (const auto& s : list)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string JoinStrings(const json& list) { return absl::StrJoin(Strings(list), "；"); }

// A field of a grant as entered, for a form: case_ref may be a list.
std::string FieldText(const json& record, const char* field) {
  auto it = record.find(field);
  if (it == record.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) return absl::StrJoin(Strings(*it), ";");
  return it->dump();
}

// <option>s with the one equal to `value` selected.
json Options(std::initializer_list<const char*> values, const std::string& value) {
  json out = json::array();
  for (const char* o : values) out.push_back({{"value", o}, {"selected", value == o}});
  return out;
}

// The aid kinds for a <select>, `chosen` (any name ParseAidType reads) selected.
json AidTypes(const std::string& chosen = "") {
  json types = json::array();
  for (const char* t : kAidTypes)
    types.push_back(
        {{"value", t},
         {"selected", !chosen.empty() && aid::ParseAidType(chosen) == aid::ParseAidType(t)}});
  return types;
}

// The upload limit the console's web server enforces (its body limit, less
// room for the form around the file).
size_t MaxUploadBytes() { return WebServerOptions{}.max_body_bytes - 4096; }
std::string MaxUploadText() {
  const size_t bytes = WebServerOptions{}.max_body_bytes;
  return bytes >= (1u << 20) ? absl::StrFormat("%d MB", bytes >> 20)
                             : absl::StrFormat("%d KB", bytes >> 10);
}

// The grant page of `id`, with the exception form's state in `form`
// (reason, bad_reason, exception_error) when it comes back to it.
void ShowGrant(ConsoleImpl& c, Visit& v, const std::string& id, json form = json::object(),
               int status = 200) {
  HttpResponse r = c.CallApi(v, "GET", "/aid/grants?record_id=" + PercentEncode(id));
  json g = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !g.is_object()) {
    c.Render(v, "救助记录", "aid", c.Template("refused.html"),
             {{"heading", "没有这条救助记录"},
              {"reason", "没有这条记录 / no such grant: " + id},
              {"back", "/aid"}},
             404);
    return;
  }
  const json reply = g.contains("reply") && g["reply"].is_object() ? g["reply"] : json::object();
  const std::string state = g.value("status", "");
  const Look look = StatusLook(state);
  const Look verdict =
      reply.empty() || state == "withdrawn" ? look : VerdictLook(reply.value("verdict", ""));
  json matches = json::array();
  if (reply.contains("matches"))
    for (const auto& m : reply["matches"]) {
      const double p = m.value("probability", 0.0);
      matches.push_back({{"agency_name", c.AgencyName(m.value("agency", ""))},
                         {"record_id", m.value("record_id", "")},
                         {"probability", absl::StrFormat("%.1f%%", p * 100)},
                         {"same_case", m.value("same_case", false)},
                         {"case_label", CaseLabel(m)},
                         {"granted_on", m.value("granted_on", "")},
                         {"reasons", JoinStrings(m["reasons"])}});
    }
  json reasons = reply.contains("reasons") ? reply["reasons"] : json::array();
  const bool registered = g.value("registered", false);
  // Corrections and withdrawals: the history, and the forms while registered.
  json changes = json::array();
  for (const auto& ch : g.value("changes", json::array())) {
    const std::string state = ch.value("state", "");
    std::vector<std::string> told;
    for (const std::string& a : Strings(ch.value("notified", json::array())))
      told.push_back(c.AgencyName(a));
    changes.push_back({{"at", FormatMs(ch.value("at_ms", int64_t{0}))},
                       {"kind_cn", ch.value("kind", "") == "withdraw" ? "撤销" : "更正"},
                       {"by", ch.value("by", "")},
                       {"reason", ch.value("reason", "")},
                       {"state_cn", state == "done"      ? "已生效"
                                    : state == "refused" ? "未接受"
                                                         : "待平台答复"},
                       {"tag", state == "done"      ? "green"
                               : state == "refused" ? "red"
                                                    : "blue"},
                       {"notified", absl::StrJoin(told, "、")},
                       {"error", ch.value("error", "")}});
  }
  const json record = g.value("record", json::object());
  json entered = json::object();
  for (const char* f : kFields) entered[f] = FieldText(record, f);
  const bool can_change = registered && !g.value("change_pending", false) &&
                          accounts::Allowed(v.account, Permission::kEnterAid);
  const bool needs_exception =
      !registered && (state == "duplicate" || state == "possible_duplicate" || state == "over_cap");
  const bool can_approve =
      needs_exception && accounts::Allowed(v.account, Permission::kApproveAidException);
  json values = {{"record_id", id},
                 {"verdict_cn", verdict.text},
                 {"color", verdict.tag},
                 {"status_cn", look.text},
                 {"registered", registered},
                 {"reasons", reasons},
                 {"has_reasons", !reasons.empty()},
                 {"matches", matches},
                 {"has_matches", !matches.empty()},
                 {"can_approve", can_approve},
                 {"ask_leader", needs_exception && !can_approve},
                 {"changes", changes},
                 {"has_changes", !changes.empty()},
                 {"change_pending", g.value("change_pending", false)},
                 {"can_change", can_change},
                 {"c", entered},
                 {"bad", json::object()},
                 {"genders", Options({"", "男", "女"}, entered.value("gender", ""))}};
  values["aid_types"] = AidTypes(entered.value("aid_type", ""));
  if (g.contains("exception") && g["exception"].is_object())
    values["exception"] = {{"reason", g["exception"].value("reason", "")},
                           {"by", g["exception"].value("by", "")},
                           {"at", FormatMs(g["exception"].value("at_ms", int64_t{0}))}};
  if (reply.contains("cap_fen") && Yuan(reply["cap_fen"]) != "0.00") {
    values["case_total"] = Yuan(reply.value("case_total_fen", json(0)));
    values["cap"] = Yuan(reply["cap_fen"]);
  }
  for (auto& [k, val] : form.items()) values[k] = val;
  if (form.contains("c")) {  // a correction shown again, as it was posted
    values["genders"] = Options({"", "男", "女"}, form["c"].value("gender", ""));
    values["aid_types"] = AidTypes(form["c"].value("aid_type", ""));
  }
  c.Render(v, "救助记录 " + id, "aid", c.Template("grant.html"), std::move(values), status);
}

// POST /aid/grant/exception: a leader approves a checked duplicate as an
// exception, with the reason (批准理由).
void ApproveException(ConsoleImpl& c, Visit v) {
  const auto form = v.request.Form();
  const std::string id = FormField(form, "record_id");
  if (!c.Require(v, Permission::kApproveAidException, "aid.exception", id)) return;
  const std::string reason(csv::Trim(FormField(form, "reason")));
  if (reason.empty()) {
    const std::string why = "请填写批准理由 / the reason for the exception is required";
    c.Log(v, "aid.exception", id, false, why);
    ShowGrant(c, v, id, {{"bad_reason", true}, {"exception_error", why}}, 400);
    return;
  }
  HttpResponse r = c.CallApi(v, "POST", "/aid/grants/exception",
                             json{{"record_id", id}, {"reason", reason}}.dump());
  if (r.status != 202) {
    json body = json::parse(r.body, nullptr, false);
    const std::string error = body.is_object() ? body.value("error", r.body) : r.body;
    c.Log(v, "aid.exception", id, false, error);
    ShowGrant(c, v, id, {{"reason", reason}, {"exception_error", error}},
              r.status == 404   ? 404
              : r.status == 409 ? 409
                                : 400);
    return;
  }
  c.Log(v, "aid.exception", id, true, reason);
  c.Await(
      v, "/aid/grants?record_id=" + PercentEncode(id),
      [](const json& b) { return b.value("status", "checking") != "checking"; }, 4000,
      [&c, v = std::move(v), id](json b) mutable {
        const bool registered = b.is_object() && b.value("registered", false);
        c.Redirect(v, "/aid/grant?id=" + PercentEncode(id),
                   registered ? "已按批准的例外登记 / registered as an approved exception"
                              : "已提交，查重中 / submitted, being checked");
      });
}

// POST /aid/grant/correct and /aid/grant/withdraw: a registered grant
// corrected (the whole record again) or withdrawn, with the reason; the aid
// platform answers, re-checks a correction and tells the other agencies.
void ChangeGrant(ConsoleImpl& c, Visit v, bool withdraw) {
  const auto form = v.request.Form();
  const std::string id = FormField(form, "record_id");
  const char* action = withdraw ? "aid.withdraw" : "aid.correct";
  if (!c.Require(v, Permission::kEnterAid, action, id)) return;
  json body = {{"record_id", id}, {"reason", FormField(form, "reason")}};
  json posted = json::object();
  if (!withdraw)
    for (const char* f : kFields)
      if (std::string(f) != "record_id") {
        posted[f] = FormField(form, f);
        if (!posted[f].get<std::string>().empty()) body[f] = posted[f];
      }
  HttpResponse r =
      c.CallApi(v, "POST", withdraw ? "/aid/grants/withdraw" : "/aid/grants/correct", body.dump());
  if (r.status != 202) {
    json answer = json::parse(r.body, nullptr, false);
    std::string error = answer.is_object() ? answer.value("error", r.body) : r.body;
    json bad = json::object();
    if (answer.is_object() && answer.contains("errors"))
      for (const auto& e : answer["errors"])
        for (const json& f : e.value("fields", json::array()))
          if (f.is_string()) bad[f.get<std::string>()] = true;
    c.Log(v, action, id, false, error);
    json back = {{withdraw ? "withdraw_error" : "correct_error", error},
                 {withdraw ? "open_withdraw" : "open_correct", true},
                 {withdraw ? "withdraw_reason" : "correct_reason", FormField(form, "reason")},
                 {withdraw ? "bad_withdraw_reason" : "bad_correct_reason", bad.contains("reason")}};
    if (!withdraw) {
      posted["record_id"] = id;
      back["c"] = posted;
      back["bad"] = bad;
    }
    ShowGrant(c, v, id, std::move(back), r.status == 404 ? 404 : r.status == 409 ? 409 : 400);
    return;
  }
  c.Log(v, action, id, true, FormField(form, "reason"));
  c.Await(
      v, "/aid/grants?record_id=" + PercentEncode(id),
      [](const json& b) { return !b.value("change_pending", true); }, 4000,
      [&c, v = std::move(v), id, withdraw](json b) mutable {
        std::string flash = "已提交，等待救助平台答复 / submitted, awaiting the platform's answer";
        if (b.is_object() && !b.value("change_pending", true)) {
          const json changes = b.value("changes", json::array());
          const json last = changes.empty() ? json::object() : changes.back();
          flash =
              last.value("state", "") == "done"
                  ? (withdraw ? "已撤销登记，相关机关已获通知 / withdrawn; the agencies concerned "
                                "were told"
                              : "已更正登记并重新查重 / corrected and checked again")
                  : "救助平台未接受：" + last.value("error", "");
        }
        c.Redirect(v, "/aid/grant?id=" + PercentEncode(id), flash);
      });
}

// GET /aid/import (and the upload form coming back with an error).
void ImportPage(ConsoleImpl& c, Visit& v, json values = json::object(), int status = 200) {
  json imports = json::array();
  HttpResponse r = c.CallApi(v, "GET", "/aid/imports");
  json body = json::parse(r.body, nullptr, false);
  if (r.status == 200 && body.is_object())
    for (const auto& i : body["imports"])
      imports.push_back({{"id", i.value("id", "")},
                         {"file_name", i.value("file_name", "")},
                         {"rows_ok", i.value("rows_ok", 0)},
                         {"rows_bad", i.value("rows_bad", 0)},
                         {"at", FormatMs(i.value("at_ms", int64_t{0}))}});
  values["imports"] = imports;
  values["has_imports"] = !imports.empty();
  values["can_upload"] = accounts::Allowed(v.account, Permission::kEnterAid);
  values["max_bytes"] = MaxUploadBytes();
  values["max_text"] = MaxUploadText();
  json columns = json::array();
  for (const char* col : kImportColumns) columns.push_back(col);
  values["columns"] = columns;
  c.Render(v, "批量导入", "aid", c.Template("aid_import.html"), std::move(values), status);
}

// POST /aid/import: a CSV file uploaded, checked row by row.
void Upload(ConsoleImpl& c, Visit v) {
  if (!c.Require(v, Permission::kEnterAid, "aid.import", "")) return;
  auto refuse = [&](const std::string& error, int status) {
    c.Log(v, "aid.import", "", false, error);
    ImportPage(c, v, {{"error", error}, {"bad_file", true}}, status);
  };
  const std::string type = v.request.Header("content-type");
  auto parts = ParseMultipartForm(type, v.request.body);
  if (!parts.ok()) return refuse(std::string(parts.status().message()), 400);
  const FormPart* file = FindPart(*parts, "file");
  if (!file || !file->is_file || (file->filename.empty() && file->data.empty()))
    return refuse("请选择要导入的 CSV 文件 / choose a CSV file to upload", 400);
  if (file->data.empty()) return refuse("文件为空 / the file is empty", 400);
  HttpResponse r =
      c.CallApi(v, "POST", "/aid/imports?name=" + PercentEncode(file->filename), file->data);
  json body = json::parse(r.body, nullptr, false);
  if ((r.status != 200 && r.status != 202) || !body.is_object()) {
    const std::string error = body.is_object() ? body.value("error", r.body) : r.body;
    return refuse("文件无法导入：" + error, r.status == 503 ? 503 : 400);
  }
  const std::string id = body.value("id", "");
  const std::string report = "/aid/import/report?id=" + PercentEncode(id);
  if (body.value("again", false)) {
    const std::string note =
        absl::StrCat("此文件已于 ", FormatMs(body.value("first_at_ms", int64_t{0})), " 导入（",
                     body.value("first_name", ""),
                     "），本次未重复提交任何记录 / this file was imported before: nothing was "
                     "submitted again");
    c.Log(v, "aid.import", file->filename, true, "imported before: nothing submitted");
    c.Redirect(v, report, note);
    return;
  }
  const std::string note = absl::StrCat("已导入 ", file->filename, "：", body.value("rows_ok", 0),
                                        " 行提交查重，", body.value("rows_bad", 0), " 行未提交");
  c.Log(v, "aid.import", file->filename, true, note);
  c.Await(
      v, "/aid/imports?id=" + PercentEncode(id),
      [](const json& b) { return b.value("pending", 1) == 0; }, 8000,
      [&c, v = std::move(v), report, note](json) mutable { c.Redirect(v, report, note); });
}

// One import with every row's verdict: {file_name, at, rows: [...], totals, pending}.
absl::StatusOr<json> ImportReport(ConsoleImpl& c, const Visit& v, const std::string& id) {
  HttpResponse r = c.CallApi(v, "GET", "/aid/imports?id=" + PercentEncode(id));
  json body = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !body.is_object())
    return absl::NotFoundError("没有这次导入 / no such import: " + id);
  std::map<std::string, int> counts;
  json rows = json::array();
  for (const auto& row : body["rows"]) {
    const Look look = ImportLook(row);
    ++counts[look.text];
    std::vector<std::string> reasons;
    const std::string outcome = row.value("outcome", "");
    if (outcome == "bad" || outcome == "registered_before") {
      std::vector<std::string> lines =
          absl::StrSplit(row.value("reason", ""), '\n', absl::SkipEmpty());
      reasons = std::move(lines);
    } else if (row.contains("reply") && row["reply"].is_object()) {
      const json& reply = row["reply"];
      reasons = Strings(reply.value("reasons", json::array()));
      for (const auto& m : reply.value("matches", json::array()))
        reasons.push_back(absl::StrFormat(
            "与%s记录 %s 比对：同一人概率 %.1f%%，%s", c.AgencyName(m.value("agency", "")),
            m.value("record_id", ""), 100 * m.value("probability", 0.0), CaseLabel(m)));
      if (reasons.empty() && row.value("status", "") == "clear")
        reasons.push_back("未发现重复，已登记");
    }
    const bool registered = row.value("registered", false);
    rows.push_back({{"line", row.value("line", 0)},
                    {"record_id", row.value("record_id", "")},
                    {"verdict", look.text},
                    {"tag", look.tag},
                    {"registered", registered ? "是" : "否"},
                    {"reasons", reasons},
                    {"link", outcome == "submitted"}});
  }
  // The four verdicts always; the other outcomes when they occur.
  json totals = json::array();
  for (const char* k : {"通过", "重复救助", "需核实", "格式错误"})
    totals.push_back({{"label", k}, {"n", counts[k]}});
  for (const char* k : {"超出上限", "已登记过", "未通过", "查重中"})
    if (counts[k] > 0) totals.push_back({{"label", k}, {"n", counts[k]}});
  return json{{"id", id},
              {"file_name", body.value("file_name", "")},
              {"at", FormatMs(body.value("at_ms", int64_t{0}))},
              {"rows", rows},
              {"has_rows", !rows.empty()},
              {"total", rows.size()},
              {"totals", totals},
              {"pending", body.value("pending", 0)},
              {"has_pending", body.value("pending", 0) > 0}};
}

void Report(ConsoleImpl& c, Visit v) {
  const std::string id = v.request.Query("id");
  auto report = ImportReport(c, v, id);
  if (!report.ok()) {
    c.Render(v, "导入报告", "aid", c.Template("refused.html"),
             {{"heading", "没有这次导入"},
              {"reason", std::string(report.status().message())},
              {"back", "/aid/import"}},
             404);
    return;
  }
  json values = *std::move(report);
  values["report_csv"] = "/aid/import/report.csv?id=" + PercentEncode(id);
  values["self"] = "/aid/import/report?id=" + PercentEncode(id);
  c.Render(v, "导入报告", "aid", c.Template("aid_report.html"), std::move(values));
}

std::string Attachment(const std::string& ascii, const std::string& chinese) {
  return absl::StrCat("attachment; filename=\"", ascii, "\"; filename*=UTF-8''",
                      PercentEncode(chinese));
}

// The report for Excel: UTF-8 with a BOM, CRLF, every field quoted.
void ReportCsv(ConsoleImpl& c, Visit v) {
  const std::string id = v.request.Query("id");
  auto report = ImportReport(c, v, id);
  if (!report.ok()) {
    v.respond({404, "text/plain; charset=utf-8", std::string(report.status().message()), {}});
    return;
  }
  std::string out = "\xEF\xBB\xBF";  // a BOM: Excel then reads UTF-8
  auto line = [&out](std::initializer_list<std::string> fields) {
    bool first = true;
    for (const auto& f : fields) {
      absl::StrAppend(&out, first ? "" : ",", csv::Quote(f));
      first = false;
    }
    out += "\r\n";
  };
  line({"行号", "记录编号", "结论", "已登记", "理由"});
  for (const auto& row : (*report)["rows"])
    line({std::to_string(row.value("line", 0)), row.value("record_id", ""),
          row.value("verdict", ""), row.value("registered", ""),
          absl::StrJoin(Strings(row["reasons"]), "；")});
  std::vector<std::string> totals;
  for (const auto& t : (*report)["totals"])
    totals.push_back(absl::StrCat(t.value("label", ""), " ", t.value("n", 0)));
  line({"合计", absl::StrCat((*report)["total"].get<size_t>(), " 行"), absl::StrJoin(totals, "；"),
        "", ""});
  c.Log(v, "aid.import.report", id, true);
  const std::string file = (*report).value("file_name", "import");
  v.respond({200,
             "text/csv; charset=utf-8",
             std::move(out),
             {{"Content-Disposition", Attachment("aid-import-report-" + id.substr(0, 8) + ".csv",
                                                 "救助导入报告-" + file)}}});
}

// An empty import file with the Chinese headers.
void TemplateCsv(Visit v) {
  std::string out = "\xEF\xBB\xBF";
  out += absl::StrJoin(kImportColumns, ",");
  out += "\r\n";
  v.respond({200,
             "text/csv; charset=utf-8",
             std::move(out),
             {{"Content-Disposition", Attachment("aid-import-template.csv", "救助导入模板.csv")}}});
}

}  // namespace

void ConsoleImpl::Aid(Visit v) {
  json values = {{"v", {{"record_id", "救-" + NewUuidV7().substr(0, 13)}}},
                 {"bad", json::object()},
                 {"aid_types", AidTypes()},
                 {"genders", Options({"", "男", "女"}, "")},
                 {"can_enter", accounts::Allowed(v.account, Permission::kEnterAid)}};
  json grants = json::array();
  HttpResponse r = CallApi(v, "GET", "/aid/grants");
  json body = json::parse(r.body, nullptr, false);
  if (r.status == 200 && body.is_object())  // newest first (the API's order)
    for (const auto& g : body["grants"]) {
      if (grants.size() >= 200) break;
      const Look look = StatusLook(g.value("status", ""));
      grants.push_back({{"record_id", g.value("record_id", "")},
                        {"status_cn", look.text},
                        {"tag", look.tag},
                        {"registered", g.value("registered", false)},
                        {"exception", g.contains("exception")},
                        {"updated", FormatMs(g.value("updated_ms", int64_t{0}))}});
    }
  values["grants"] = grants;
  values["has_grants"] = !grants.empty();
  json notices = json::array();
  r = CallApi(v, "GET", "/aid/notices");
  body = json::parse(r.body, nullptr, false);
  if (r.status == 200 && body.is_object())  // newest first (the API's order)
    for (const auto& n : body["notices"]) {
      const json& notice = n["notice"];
      // A notice of the other agency's correction or withdrawal says so.
      const std::string verdict = notice.value("verdict", ""), change = notice.value("change", "");
      Look look = VerdictLook(verdict);
      std::string verdict_cn = look.text;
      if (change == "AID_WITHDRAWN" || (change == "AID_CORRECTED" && verdict == "AID_CLEAR")) {
        look = {change == "AID_WITHDRAWN" ? "对方已撤销" : "对方更正后不再匹配", "grey"};
        verdict_cn = look.text;
      } else if (change == "AID_CORRECTED") {
        verdict_cn = absl::StrCat(look.text, "（对方已更正）");
      }
      notices.push_back({{"your_record_id", n.value("your_record_id", "")},
                         {"other_agency", AgencyName(notice.value("other_agency", ""))},
                         {"other_registered", notice.value("other_registered", false)},
                         {"verdict_cn", verdict_cn},
                         {"tag", look.tag},
                         {"received", FormatMs(n.value("received_ms", int64_t{0}))},
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
  const std::string record_id = FormField(form, "record_id");
  // An exception is approved on the grant's page after its check, with a
  // reason (ApproveException), never ticked on entry.
  HttpResponse r = CallApi(v, "POST", check_only ? "/aid/checks" : "/aid/grants", grant.dump());
  const std::string action = check_only ? "aid.check" : "aid.grant";
  if (r.status != 202) {
    json body = json::parse(r.body, nullptr, false);
    std::string error = body.is_object() ? body.value("error", r.body) : r.body;
    json bad = json::object();
    if (body.is_object() && body.contains("errors")) {
      std::vector<std::string> all;
      for (const auto& e : body["errors"]) {
        all.push_back(e.value("error", ""));
        for (const json& f : e.value("fields", json::array()))
          if (f.is_string()) bad[f.get<std::string>()] = true;
      }
      if (!all.empty()) error = absl::StrJoin(all, "；");
    }
    Log(v, action, record_id, false, error);
    Render(v, "司法救助", "aid", Template("aid.html"),
           {{"v", grant},
            {"bad", bad},
            {"error", error},
            {"aid_types", AidTypes(grant.value("aid_type", ""))},
            {"genders", Options({"", "男", "女"}, grant.value("gender", ""))},
            {"can_enter", true}},
           r.status == 409 ? 409 : 400);
    return;
  }
  Log(v, action, record_id, true);
  Await(
      v, "/aid/grants?record_id=" + PercentEncode(record_id),
      [](const json& b) { return b.value("status", "checking") != "checking"; }, 4000,
      [this, v = std::move(v), record_id](json) mutable {
        Redirect(v, "/aid/grant?id=" + PercentEncode(record_id));
      });
}

void ConsoleImpl::Grant(Visit v) { ShowGrant(*this, v, v.request.Query("id")); }

std::string CaseLabel(const json& match) {
  const std::string relation = match.value("case_relation", "");
  if (relation == "CASE_UNKNOWN") return "案件不明";
  if (relation == "CASE_OTHER") return "不同案件";
  return match.value("same_case", false) ? "同一案件" : "不同案件";
}

void RegisterAidPages(ConsoleImpl& c) {
  if (c.ctx().config.aid.linkage_key.empty()) return;
  c.AddNav("/aid", "司法救助", "aid");
  c.AddPage("GET", "/aid", [&c](Visit v) { c.Aid(std::move(v)); });
  c.AddPage("POST", "/aid/grants", [&c](Visit v) { c.EnterGrant(std::move(v)); });
  c.AddPage("GET", "/aid/grant", [&c](Visit v) { c.Grant(std::move(v)); });
  c.AddPage("POST", "/aid/grant/exception", [&c](Visit v) { ApproveException(c, std::move(v)); });
  c.AddPage("POST", "/aid/grant/correct", [&c](Visit v) { ChangeGrant(c, std::move(v), false); });
  c.AddPage("POST", "/aid/grant/withdraw", [&c](Visit v) { ChangeGrant(c, std::move(v), true); });
  c.AddPage("GET", "/aid/import", [&c](Visit v) { ImportPage(c, v); });
  c.AddPage("POST", "/aid/import", [&c](Visit v) { Upload(c, std::move(v)); });
  c.AddPage("GET", "/aid/import/report", [&c](Visit v) { Report(c, std::move(v)); });
  c.AddPage("GET", "/aid/import/report.csv", [&c](Visit v) { ReportCsv(c, std::move(v)); });
  c.AddPage("GET", "/aid/import/template.csv", [](Visit v) { TemplateCsv(std::move(v)); });
}

}  // namespace concord::adapter
