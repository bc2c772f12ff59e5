// Petition intake (信访登记): the checks every way of registering a petition
// shares - POST /petitions, the petitions/ CSV drop folder and `concordctl
// petition register` (which posts to POST /petitions) - so that the rules
// and their messages exist once.
//
// A petition as entered is a JSON object with the English names below (the
// body of POST /petitions); a CSV row becomes such an object, its non-empty
// fields as strings, found by the English or Chinese column name:
//
//   intake_id   登记编号            required; the agency's own id (registering it
//                                  again gives the same ledger item)
//   channel     渠道 (or 来源)      required: 来信 letter, 来访 visit, 网上 / 12309
//                                  online, 电话 phone, 视频 video, 转送 / 交办
//                                  transferred
//   received    收到时间            "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (China
//                                  Standard Time) or Unix ms (a JSON number);
//                                  now when absent or empty; from 2000-01-01
//                                  to a day after now (Unix seconds or a
//                                  mistyped year are refused)
//   petitioner  信访人
//   contact     联系方式            phone or address; none: no reply is owed
//   anonymous   匿名                true / false, or 是/否, yes/no, true/false, 1/0;
//                                  absent or empty: no
//   matter      信访事项            required
//   case_ref    案号 (or 关联案件)
//   people      人数                a whole number, at least 1 (or its digits);
//                                  1 when absent; 5 or more is a group petition
//   major       重大                as anonymous; a 重大信访事项 (reported at once)
//   representatives 代表 (or 信访代表) a group's representatives: a JSON list, or
//                                  names between 、，, or ;; at most 5
//                                  (信访工作条例 art. 20), not more than people
//
// The CSV itself is read by hub/common/csv.h (UTF-8 with or without BOM, or
// GB18030; RFC 4180; Chinese or English headers).
//
// Errors:
// - PetitionFromJson: InvalidArgument naming every bad field, each
//   "中文 / English", joined by "; ", and carrying their English names for
//   a form to mark (FieldsOf, common/field_status.h). Fix the entry; do not
//   retry it as is.
// - ParsePetitionCsv: InvalidArgument ("中文 / English") for a file that cannot
//   be used at all (encoding, no header, a required column missing, a column
//   named twice, a quote never closed). A bad row is skipped and reported with its line: the field
//   errors of PetitionFromJson, or an intake_id already used on an earlier
//   line (good or bad), which names that line. The good rows are kept.
//
// The functions keep no state; any thread may call them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"
#include "concord/v1/petition.pb.h"

namespace concord::ledger {

// A group petition names at most this many representatives (信访工作条例 art. 20).
inline constexpr size_t kMaxRepresentatives = 5;

// Checks one petition as entered; `now_ms` is the default receipt time.
absl::StatusOr<concord::v1::PetitionRegister> PetitionFromJson(const nlohmann::json& entered,
                                                               int64_t now_ms);

struct PetitionRow {
  int line = 0;                            // physical line where the row starts
  nlohmann::json entered;                  // the row as a POST /petitions object
  concord::v1::PetitionRegister petition;  // checked
};

struct PetitionCsv {
  std::vector<PetitionRow> rows;      // the good rows, in file order
  std::vector<csv::RowError> errors;  // the bad rows, in file order
  std::string encoding;               // "UTF-8", "UTF-8 with BOM" or "GB18030"
};

// Parses the bytes of a whole petition CSV file.
absl::StatusOr<PetitionCsv> ParsePetitionCsv(absl::string_view bytes, int64_t now_ms);

}  // namespace concord::ledger
