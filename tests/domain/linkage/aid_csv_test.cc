#include "domain/linkage/aid_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "domain/linkage/record.h"

namespace concord::aid {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The lines joined, each ended by LF.
std::string Csv(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (std::string_view line : lines) {
    out.append(line);
    out += '\n';
  }
  return out;
}

// Parses bytes that must be usable as a file.
AidCsvResult ParseOk(std::string_view bytes) {
  absl::StatusOr<AidCsvResult> result = ParseAidCsv(bytes);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : AidCsvResult{};
}

std::string Describe(const std::vector<CsvError>& errors) {
  std::string out;
  for (const CsvError& e : errors) {
    out += std::to_string(e.line) + ": " + e.reason + "\n";
  }
  return out;
}

// Header and a good row for the row-level tests.
constexpr std::string_view kHeader =
    "record_id,name,gender,birth_date,aid_type,amount_yuan,granted_on";
constexpr std::string_view kGoodRow = "R1,张三,男,1990-01-01,money,100,2023-01-01";

// Parses kHeader with a single row under it.
AidCsvResult ParseOneRow(std::string_view row) { return ParseOk(Csv({kHeader, row})); }

// The record of a result that must hold exactly one.
AidRecord OnlyRecord(const AidCsvResult& r) {
  EXPECT_EQ(r.records.size(), 1u) << Describe(r.errors);
  return r.records.empty() ? AidRecord{} : r.records[0];
}

// The record of a single row under kHeader, which must be good.
AidRecord ParseGoodRow(std::string_view row) { return OnlyRecord(ParseOneRow(row)); }

// Every column by its Chinese name, all fields read and converted.
TEST(AidCsvTest, ChineseHeaders) {
  AidCsvResult r = ParseOk(Csv({
      "记录编号,救助机关,姓名,身份证号,出生日期,性别,电话,住址,案号,案发日期,"
      "案由,救助类型,金额,救助日期",
      "JZ-001,上州区人民检察院,张三,110101199003071234,1990/03/07,女,"
      "13800000000,上州区和平路1号,上检刑诉〔2023〕12号,2023年1月5日,故意伤害,"
      "资金救助,5000元,20230601",
  }));
  EXPECT_EQ(r.encoding, "UTF-8");
  const AidRecord a = OnlyRecord(r);
  EXPECT_EQ(a.record_id, "JZ-001");
  EXPECT_EQ(a.agency, "上州区人民检察院");
  EXPECT_EQ(a.name, "张三");
  EXPECT_EQ(a.id_number, "110101199003071234");
  EXPECT_EQ(a.birth_date, "1990-03-07");
  EXPECT_EQ(a.gender, "F");
  EXPECT_EQ(a.phone, "13800000000");
  EXPECT_EQ(a.address, "上州区和平路1号");
  EXPECT_THAT(a.case_refs, ElementsAre("上检刑诉〔2023〕12号"));
  EXPECT_EQ(a.incident_date, "2023-01-05");
  EXPECT_EQ(a.crime, "故意伤害");
  EXPECT_EQ(a.aid_type, AidType::kMoney);
  EXPECT_EQ(a.amount_fen, 500000);
  EXPECT_EQ(a.granted_on, "2023-06-01");
  EXPECT_EQ(a.line, 2);
}

// English column names match case-insensitively, with spaces around them.
TEST(AidCsvTest, EnglishHeaders) {
  const AidRecord a = OnlyRecord(ParseOk(Csv({
      " Record_ID ,AGENCY,Name,id_number,birth_date,gender,phone,address,"
      "case_ref,incident_date,crime,Aid_Type,amount_yuan,Granted_On",
      "A7,court,Li Si,,,M,,,,,,medical aid,,2023-02-28",
  })));
  EXPECT_EQ(a.record_id, "A7");
  EXPECT_EQ(a.agency, "court");
  EXPECT_EQ(a.name, "Li Si");
  EXPECT_EQ(a.gender, "M");
  EXPECT_EQ(a.aid_type, AidType::kMedical);
  EXPECT_EQ(a.amount_fen, 0);
  EXPECT_EQ(a.granted_on, "2023-02-28");
}

// Chinese and English names mix; unknown columns (truth columns) are ignored.
TEST(AidCsvTest, MixedHeadersAndUnknownColumns) {
  const AidRecord a = OnlyRecord(ParseOk(Csv({
      "person_id,记录编号,name,救助类型,granted_on,备注",
      "P42,R1,王五,教育救助,2023-05-01,whatever",
  })));
  EXPECT_EQ(a.record_id, "R1");
  EXPECT_EQ(a.name, "王五");
  EXPECT_EQ(a.aid_type, AidType::kEducation);
}

// A UTF-8 byte-order mark is stripped and reported.
TEST(AidCsvTest, Utf8Bom) {
  AidCsvResult r = ParseOk("\xEF\xBB\xBF" + Csv({
                                                "记录编号,姓名,救助类型,救助日期",
                                                "R1,张三,心理疏导,2023-01-01",
                                            }));
  EXPECT_EQ(r.encoding, "UTF-8 with BOM");
  const AidRecord a = OnlyRecord(r);
  EXPECT_EQ(a.record_id, "R1");
}

// GB18030 bytes (张𠮷, the second a four-byte sequence) are read as UTF-8.
TEST(AidCsvTest, Gb18030File) {
  const std::string bytes =
      "record_id,name,aid_type,granted_on\r\n"
      "R1,\xD5\xC5\x95"
      "4\xB2"
      "5,medical,2023-01-01\r\n";
  AidCsvResult r = ParseOk(bytes);
  EXPECT_EQ(r.encoding, "GB18030");
  const AidRecord a = OnlyRecord(r);
  EXPECT_EQ(a.name, "张𠮷");
}

// Bytes that are neither UTF-8 nor GB18030 refuse the whole file.
TEST(AidCsvTest, UnknownEncodingIsAFileError) {
  for (std::string_view bytes : {
           std::string_view("record_id\n\x81\x20\n"),          // bad GB18030 pair
           std::string_view("record_id\n\xFF\n"),              // in neither
           std::string_view("\xEF\xBB\xBFrecord_id\n\xC3\n"),  // BOM, not UTF-8
           std::string_view("r\0e\0c\0\n\0", 8),               // UTF-16
       }) {
    absl::StatusOr<AidCsvResult> r = ParseAidCsv(bytes);
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  }
}

// Quoted fields keep commas, doubled quotes and line breaks; the rows after
// them carry the physical line they start on, whatever the line ends.
TEST(AidCsvTest, QuotedFieldsAndLineNumbers) {
  const std::string lf = Csv({
      "record_id,name,address,aid_type,granted_on",
      "R1,\"Zhang, San\",\"the \"\"old\"\"",
      "mill",
      "road\",money,2023-01-01",
      "R2,李四,  \" spaced \"  ,medical,2023-01-02",
      "R3,王五,,medical,bad",
  });
  for (const char* eol : {"\n", "\r\n", "\r"}) {
    SCOPED_TRACE(absl::CEscape(eol));
    const std::string csv = absl::StrReplaceAll(lf, {{"\n", eol}});
    absl::StatusOr<AidCsvResult> parsed = ParseAidCsv(csv);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    // R1 has no amount, so it is an error too: only its line matters here.
    ASSERT_EQ(parsed->records.size(), 1u) << Describe(parsed->errors);
    EXPECT_EQ(parsed->records[0].record_id, "R2");
    EXPECT_EQ(parsed->records[0].line, 5);
    ASSERT_EQ(parsed->errors.size(), 2u) << Describe(parsed->errors);
    EXPECT_EQ(parsed->errors[0].line, 2);
    EXPECT_EQ(parsed->errors[1].line, 6);
  }
}

// A quoted field's content is read whole: comma, "" and line break.
TEST(AidCsvTest, QuotedFieldContent) {
  const AidRecord a = OnlyRecord(ParseOk(Csv({
      "record_id,name,address,aid_type,granted_on",
      "R1,\"Zhang, San\",\"the \"\"old\"\"",
      "mill road\",medical,2023-01-01",
  })));
  EXPECT_EQ(a.name, "Zhang, San");
  EXPECT_EQ(a.address, "the \"old\"\nmill road");
}

// Identity fields are trimmed (also of U+3000) but otherwise kept as written.
TEST(AidCsvTest, IdentityFieldsOnlyTrimmed) {
  const AidRecord a = OnlyRecord(ParseOk(Csv({
      "record_id,name,id_number,phone,aid_type,granted_on",
      "  R1 , \xE3\x80\x80ZHANG  san\t, 11010119900307123x ,"
      "\" 138-0000-0000 \",medical,2023-01-01",
  })));
  EXPECT_EQ(a.record_id, "R1");
  EXPECT_EQ(a.name, "ZHANG  san");
  EXPECT_EQ(a.id_number, "11010119900307123x");
  EXPECT_EQ(a.phone, "138-0000-0000");
}

// Empty lines (and rows of empty fields) are skipped but still counted.
TEST(AidCsvTest, BlankLinesSkipped) {
  AidCsvResult r = ParseOk(Csv({
      kHeader,
      "",
      ",,,,,,",
      kGoodRow,
      "",
      "",
  }));
  EXPECT_THAT(r.errors, ::testing::IsEmpty()) << Describe(r.errors);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].line, 4);
}

struct BadRowCase {
  std::string_view row;
  std::string_view reason;  // a part of the error's reason
};

// Each bad row gives one error on its line; the rows around it are kept.
TEST(AidCsvTest, BadRowReasons) {
  const BadRowCase kCases[] = {
      {"R9,张三,男,1990-01-01,money,100", "expected 7 fields, found 6"},
      {"R9,张三,男,1990-01-01,money,100,2023-01-01,x", "expected 7 fields, found 8"},
      {",张三,男,1990-01-01,money,100,2023-01-01", "记录编号为空 / record_id is empty"},
      {"R9, ,男,1990-01-01,money,100,2023-01-01", "姓名为空 / name is empty"},
      {"R9,张三,男,1990-01-01,,100,2023-01-01", "aid_type is empty"},
      {"R9,张三,男,1990-01-01,cash,100,2023-01-01",
       "unknown aid_type: 'cash' (accepted: money, counselling, job_training, "
       "job_placement, disability, education, medical)"},
      {"R9,张三,男,1990-01-01,money,12x,2023-01-01",
       "金额不是数字 / amount_yuan is not a number: '12x'"},
      {"R9,张三,男,1990-01-01,money,-5,2023-01-01", "is not a number: '-5'"},
      {"R9,张三,男,1990-01-01,money,12.345,2023-01-01",
       "amount_yuan has more than 2 decimal places: '12.345'"},
      {"R9,张三,男,1990-01-01,money,\"12,34\",2023-01-01", "misplaced thousands separators"},
      {"R9,张三,男,1990-01-01,money,,2023-01-01", "amount_yuan is empty (required for money aid)"},
      {"R9,张三,男,1990-01-01,money,0.00,2023-01-01",
       "amount_yuan must be greater than 0 for money aid: '0.00'"},
      {"R9,张三,男,1990-01-01,money,100,", "救助日期为空 / granted_on is empty"},
      {"R9,张三,男,1990-01-01,money,100,2023-02-29", "granted_on is not a valid date"},
      {"R9,张三,男,1990-13-01,money,100,2023-01-01", "birth_date is not a valid date"},
      {"R9,张三,X,1990-01-01,money,100,2023-01-01", "gender is not 男/M/male or 女/F/female: 'X'"},
      {"R9,\"张三\"x,男,1990-01-01,money,100,2023-01-01", "text after a closing quote"},
  };
  for (const BadRowCase& c : kCases) {
    SCOPED_TRACE(c.row);
    AidCsvResult r =
        ParseOk(Csv({kHeader, kGoodRow, c.row, "R2,李四,女,1991-02-03,medical,,2023-03-04"}));
    ASSERT_EQ(r.errors.size(), 1u) << Describe(r.errors);
    EXPECT_EQ(r.errors[0].line, 3);
    EXPECT_THAT(r.errors[0].reason, HasSubstr(c.reason));
    ASSERT_EQ(r.records.size(), 2u);
    EXPECT_EQ(r.records[0].line, 2);
    EXPECT_EQ(r.records[1].line, 4);
  }
}

// The second use of a record_id is the error and names the first's line.
TEST(AidCsvTest, DuplicateRecordId) {
  AidCsvResult r = ParseOk(Csv({
      kHeader,
      kGoodRow,
      "R2,李四,女,1991-02-03,medical,,2023-03-04",
      "R1,王五,男,1992-01-01,medical,,2023-03-05",
  }));
  ASSERT_EQ(r.errors.size(), 1u) << Describe(r.errors);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[0].reason, "记录编号与第 2 行重复 / record_id 'R1' already on line 2");
  EXPECT_EQ(r.records.size(), 2u);
}

// A row with several bad fields reports each of them, each error naming its
// field's English column (what a form marks red); a row's shape names none.
TEST(AidCsvTest, SeveralErrorsInOneRow) {
  AidCsvResult r = ParseOk(Csv({kHeader, "R1,,?,1990-02-30,money,abc,2023-01-01"}));
  EXPECT_EQ(r.errors.size(), 4u) << Describe(r.errors);
  for (const CsvError& e : r.errors) EXPECT_EQ(e.line, 2);
  std::vector<std::string> fields;
  for (const CsvError& e : r.errors) fields.insert(fields.end(), e.fields.begin(), e.fields.end());
  EXPECT_THAT(fields,
              ::testing::UnorderedElementsAre("name", "gender", "birth_date", "amount_yuan"));
  AidCsvResult shape = ParseOk(Csv({kHeader, "R9,张三,男,1990-01-01,money,100"}));
  ASSERT_EQ(shape.errors.size(), 1u);
  EXPECT_TRUE(shape.errors[0].fields.empty());
  EXPECT_TRUE(r.records.empty());
}

// A bad row's record_id is kept by line for the report; a good row's is not,
// nor is one from a row without any.
TEST(AidCsvTest, BadRowsKeepTheirRecordId) {
  AidCsvResult r = ParseOk(Csv({kHeader, kGoodRow, "R2,李四,女,1991-02-03,money,abc,2023-03-04",
                                ",王五,男,1992-01-01,medical,,2023-03-05"}));
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.bad_record_ids, (std::map<int, std::string>{{3, "R2"}}));
}

// A quote left open would swallow every later row: the file is refused whole,
// naming the line the quote opened on, so no grant is silently lost.
TEST(AidCsvTest, UnterminatedQuote) {
  absl::StatusOr<AidCsvResult> r =
      ParseAidCsv(Csv({kHeader, kGoodRow, "R2,\"李四,女,1991-02-03,medical,,2023-03-04",
                       "R3,王五,男,1992-01-01,medical,,2023-03-05"}));
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("the quote opened on line 3 is never closed"));
}

// A header without a required column refuses the file, naming every one.
TEST(AidCsvTest, MissingRequiredColumns) {
  absl::StatusOr<AidCsvResult> r =
      ParseAidCsv(Csv({"记录编号,救助类型,amount_yuan", "R1,money,100"}));
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_EQ(r.status().message(),
            "缺少必需的列：姓名、救助日期 / missing required columns: name, "
            "granted_on");
}

// A column named twice (in either language) refuses the file.
TEST(AidCsvTest, DuplicateColumn) {
  absl::StatusOr<AidCsvResult> r = ParseAidCsv(Csv({"record_id,name,姓名,aid_type,granted_on"}));
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("column name appears twice (columns 2 and 3)"));
}

// A file without a header row is refused.
TEST(AidCsvTest, EmptyFile) {
  for (std::string_view bytes : {"", "\n\n", "\xEF\xBB\xBF"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseAidCsv(bytes).status()));
  }
}

// Amounts in yuan become 分: separators, 元, up to two decimals.
TEST(AidCsvTest, Amounts) {
  const struct {
    std::string_view field;
    int64_t fen;
  } kCases[] = {
      {"\"1,234.50元\"", 123450}, {"1，234.5", 123450},         {"100", 10000}, {"0.01", 1},
      {"12.3 元", 1230},          {"\"1,234,567\"", 123456700}, {"007", 700},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.field);
    const std::string row = "R1,张三,男,,money," + std::string(c.field) + ",2023-01-01";
    EXPECT_EQ(ParseGoodRow(row).amount_fen, c.fen);
  }
}

// Aid other than money may go without an amount, or carry one.
TEST(AidCsvTest, AmountOptionalForOtherAid) {
  AidCsvResult r =
      ParseOk(Csv({kHeader, "R1,张三,,,medical,,2023-01-01", "R2,李四,,,medical,800,2023-01-01",
                   "R3,王五,,,medical,0,2023-01-01"}));
  ASSERT_EQ(r.records.size(), 3u) << Describe(r.errors);
  EXPECT_EQ(r.records[0].amount_fen, 0);
  EXPECT_EQ(r.records[1].amount_fen, 80000);
  EXPECT_EQ(r.records[2].amount_fen, 0);
}

// Every date format becomes YYYY-MM-DD; impossible dates are errors.
TEST(AidCsvTest, Dates) {
  const struct {
    std::string_view field;
    std::string_view iso;  // empty: an error
  } kCases[] = {
      {"2023-03-05", "2023-03-05"},
      {"2023/03/05", "2023-03-05"},
      {"2023/3/5", "2023-03-05"},
      {"20230305", "2023-03-05"},
      {"2023.03.05", "2023-03-05"},
      {"2023年3月5日", "2023-03-05"},
      {"2023年03月05日", "2023-03-05"},
      {"2024-02-29", "2024-02-29"},
      {"2000-02-29", "2000-02-29"},
      {"2023-12-31", "2023-12-31"},
      {"2023-02-29", ""},
      {"1900-02-29", ""},
      {"2023-04-31", ""},
      {"2023-13-01", ""},
      {"2023-00-10", ""},
      {"2023-01-00", ""},
      {"23-03-05", ""},
      {"2023/03-05", ""},
      {"2023-03-05 10:00", ""},
      {"2023年3月5", ""},
      {"20230230", ""},
      {"2023-003-05", ""},
      {"0000-01-01", ""},
      {"yesterday", ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.field);
    AidCsvResult r = ParseOneRow(std::string("R1,张三,,") + std::string(c.field) + ",medical,," +
                                 std::string(c.field));
    if (c.iso.empty()) {
      EXPECT_TRUE(r.records.empty());
      ASSERT_EQ(r.errors.size(), 2u) << Describe(r.errors);
      EXPECT_THAT(r.errors[0].reason, HasSubstr("birth_date is not a valid date"));
      EXPECT_THAT(r.errors[1].reason, HasSubstr("granted_on is not a valid date"));
    } else {
      ASSERT_EQ(r.records.size(), 1u) << Describe(r.errors);
      EXPECT_EQ(r.records[0].birth_date, c.iso);
      EXPECT_EQ(r.records[0].granted_on, c.iso);
    }
  }
}

// Gender spellings map to "M", "F" or "".
TEST(AidCsvTest, Genders) {
  const struct {
    std::string_view field;
    std::string_view gender;
  } kCases[] = {
      {"男", "M"}, {"M", "M"}, {"m", "M"}, {"male", "M"},   {"Male", "M"},
      {"女", "F"}, {"F", "F"}, {"f", "F"}, {"FEMALE", "F"}, {"", ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.field);
    const std::string row = "R1,张三," + std::string(c.field) + ",,medical,,2023-01-01";
    EXPECT_EQ(ParseGoodRow(row).gender, c.gender);
  }
}

// Case references split on ';' and '；', trimmed, empties dropped.
TEST(AidCsvTest, SeveralCaseRefs) {
  AidCsvResult r = ParseOk(Csv({
      "record_id,name,case_ref,aid_type,granted_on",
      "R1,张三,上检刑诉〔2023〕12号； 上法刑初〔2023〕34号 ;;  ; X-1 ,medical,"
      "2023-01-01",
      "R2,李四,,medical,2023-01-01",
  }));
  ASSERT_EQ(r.records.size(), 2u) << Describe(r.errors);
  EXPECT_THAT(r.records[0].case_refs,
              ElementsAre("上检刑诉〔2023〕12号", "上法刑初〔2023〕34号", "X-1"));
  EXPECT_TRUE(r.records[1].case_refs.empty());
}

// Every accepted spelling of an aid type, in any case and with '_' or '-'.
TEST(AidTypeTest, AcceptedSpellings) {
  const struct {
    std::string_view text;
    AidType type;
  } kCases[] = {
      {"money", AidType::kMoney},
      {"MONEY", AidType::kMoney},
      {" Money ", AidType::kMoney},
      {"资金救助", AidType::kMoney},
      {"救助金", AidType::kMoney},
      {"经济救助", AidType::kMoney},
      {"psychological counselling", AidType::kCounselling},
      {"Psychological_Counselling", AidType::kCounselling},
      {"psychological-counselling", AidType::kCounselling},
      {"counselling", AidType::kCounselling},
      {"心理疏导", AidType::kCounselling},
      {"心理救助", AidType::kCounselling},
      {"心理咨询", AidType::kCounselling},
      {"job training", AidType::kJobTraining},
      {"job_training", AidType::kJobTraining},
      {"Job-Training", AidType::kJobTraining},
      {"职业培训", AidType::kJobTraining},
      {"技能培训", AidType::kJobTraining},
      {"job placement", AidType::kJobPlacement},
      {"JOB_PLACEMENT", AidType::kJobPlacement},
      {"job-placement", AidType::kJobPlacement},
      {"就业安置", AidType::kJobPlacement},
      {"就业帮扶", AidType::kJobPlacement},
      {"disability aid", AidType::kDisability},
      {"disability_aid", AidType::kDisability},
      {"Disability-Aid", AidType::kDisability},
      {"残疾救助", AidType::kDisability},
      {"残疾人救助", AidType::kDisability},
      {"education aid", AidType::kEducation},
      {"EDUCATION_AID", AidType::kEducation},
      {"education-aid", AidType::kEducation},
      {"教育救助", AidType::kEducation},
      {"助学", AidType::kEducation},
      {"medical aid", AidType::kMedical},
      {"medical_aid", AidType::kMedical},
      {"Medical-Aid", AidType::kMedical},
      {"医疗救助", AidType::kMedical},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ParseAidType(std::string(c.text)), c.type) << c.text;
  }
}

// Anything else is kUnknown.
TEST(AidTypeTest, UnknownSpellings) {
  for (std::string_view text :
       {"", "cash", "unknown", "jobtraining", "money aid", "资金", "救助"}) {
    EXPECT_EQ(ParseAidType(std::string(text)), AidType::kUnknown) << text;
  }
}

// Names of each type, and both of them read back.
TEST(AidTypeTest, NamesReadBack) {
  const struct {
    AidType type;
    std::string_view name;
    std::string_view chinese;
  } kCases[] = {
      {AidType::kMoney, "money", "资金救助"},
      {AidType::kCounselling, "counselling", "心理疏导"},
      {AidType::kJobTraining, "job_training", "职业培训"},
      {AidType::kJobPlacement, "job_placement", "就业安置"},
      {AidType::kDisability, "disability", "残疾救助"},
      {AidType::kEducation, "education", "教育救助"},
      {AidType::kMedical, "medical", "医疗救助"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(AidTypeName(c.type), c.name);
    EXPECT_EQ(AidTypeChineseName(c.type), c.chinese);
    EXPECT_EQ(ParseAidType(AidTypeName(c.type)), c.type);
    EXPECT_EQ(ParseAidType(AidTypeChineseName(c.type)), c.type);
  }
  EXPECT_STREQ(AidTypeName(AidType::kUnknown), "unknown");
}

// A file on disk is read whole.
TEST(AidCsvTest, ReadFile) {
  const std::string path = ::testing::TempDir() + "/aid_csv_test.csv";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string csv = Csv({kHeader, kGoodRow});
  std::fwrite(csv.data(), 1, csv.size(), f);
  std::fclose(f);
  absl::StatusOr<AidCsvResult> r = ReadAidCsvFile(path);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records.size(), 1u);
  std::remove(path.c_str());
}

// A missing file is NotFound.
TEST(AidCsvTest, ReadMissingFile) {
  absl::StatusOr<AidCsvResult> r = ReadAidCsvFile(::testing::TempDir() + "/no_such_aid_file.csv");
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
}

// ---- Column mapping ------------------------------------------------------------

// An export with the agency's own headers is read through --map / [csv] map.
TEST(AidColumnMapTest, OwnHeadersReadThroughTheMap) {
  auto map = ParseAidColumnMap(
      " record_id=登记号，name = 受助人姓名, id_number=证件号码,granted_on=发放日期,aid_type=类别");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->size(), 5u);
  EXPECT_THAT(DescribeAidColumnMap(*map), HasSubstr("证件号码 -> id_number（身份证号）"));
  auto r = ParseAidCsv(
      "登记号,受助人姓名,证件号码,类别,发放日期,金额\n"
      "X1,张伟,11010519491231002X,资金救助,2024-01-02,1000\n",
      *map);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 1u) << (r->errors.empty() ? "" : r->errors[0].reason);
  EXPECT_EQ(r->records[0].record_id, "X1");
  EXPECT_EQ(r->records[0].name, "张伟");
  EXPECT_EQ(r->records[0].id_number, "11010519491231002X");
  // Without the map the same file is refused: no 记录编号 column.
  EXPECT_FALSE(
      ParseAidCsv("登记号,受助人姓名,证件号码,类别,发放日期\nX1,张伟,,资金救助,2024-01-02\n").ok());
  // A mapped header the file lacks refuses the file, naming it.
  auto missing =
      ParseAidCsv("登记号,受助人姓名,类别,发放日期\nX1,张伟,资金救助,2024-01-02\n", *map);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("证件号码"));
}

TEST(AidColumnMapTest, BadMapsAreRefusedWithTheReason) {
  EXPECT_TRUE(ParseAidColumnMap("").ok());
  EXPECT_THAT(std::string(ParseAidColumnMap("name").status().message()), HasSubstr("字段=表头"));
  EXPECT_THAT(std::string(ParseAidColumnMap("nom=姓名").status().message()),
              HasSubstr("id_number"));
  EXPECT_THAT(std::string(ParseAidColumnMap("name=姓名,name=名字").status().message()),
              HasSubstr("两次"));
  EXPECT_FALSE(ParseAidColumnMap("name=").ok());
}

}  // namespace
}  // namespace concord::aid
