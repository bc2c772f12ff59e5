#include "domain/linkage/normalize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "id_number.h"

namespace concord::aid {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

using testing::WithCheck;

// The parts of an address as one comparable vector.
std::vector<std::string> Parts(const AddressParts& p) {
  return {p.province, p.city, p.district, p.town, p.village, p.rest};
}

struct Mapping {
  const char* in;
  const char* want;
};

// fn(row.in) == row.want for every row.
template <typename Fn>
void ExpectMappings(Fn fn, std::initializer_list<Mapping> rows) {
  for (const Mapping& row : rows) {
    SCOPED_TRACE(row.in);
    EXPECT_EQ(fn(row.in), row.want);
  }
}

// ---- Text -------------------------------------------------------------------

// NFKC turns full-width letters and U+3000 into ASCII, lower-cases and trims.
TEST(NormalizeTextTest, FullWidthLowerCasedAndTrimmed) {
  EXPECT_EQ(NormalizeText("\u3000 ＡＢＣ　Ｄ１ "), "abc d1");
}

// ---- ID numbers -----------------------------------------------------------

// The check character of the examples DOMAIN.md cites from GB 11643.
TEST(IdCheckCharTest, StandardExamples) {
  EXPECT_EQ(IdCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(IdCheckChar("44052418800101001"), '4');
}

// Numbers whose check character and birth date pass are valid, the others invalid.
TEST(NormalizeIdNumberTest, ValidityOfStandardExamples) {
  const struct {
    const char* id;
    IdQuality quality;
  } kCases[] = {
      {"11010519491231002X", IdQuality::kValid},
      {"440524188001010014", IdQuality::kValid},
      {"110105194912310021", IdQuality::kInvalid},  // wrong check character
      {"440524189001010014", IdQuality::kInvalid},  // one digit of the year changed
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(NormalizeIdNumber(c.id).quality, c.quality);
  }
}

// An invalid number is kept as its cleaned characters, with nothing derived from it.
TEST(NormalizeIdNumberTest, InvalidKeptWithoutBirthDateOrGender) {
  const NormalizedId id = NormalizeIdNumber(" 110105 19491231 0021 ");
  EXPECT_EQ(id.quality, IdQuality::kInvalid);
  EXPECT_EQ(id.value, "110105194912310021");
  EXPECT_EQ(id.birth_date, "");
  EXPECT_EQ(id.gender, "");
}

// A number whose check character is right but whose birth date is not a real date is invalid.
TEST(NormalizeIdNumberTest, ImpossibleBirthDateIsInvalid) {
  for (const std::string first17 :
       {"11010519491331002", "11010520230229002", "11010519490001002"}) {
    SCOPED_TRACE(first17);
    EXPECT_EQ(NormalizeIdNumber(WithCheck(first17)).quality, IdQuality::kInvalid);
  }
}

// Wrong lengths and letters other than X are invalid; nothing at all is missing.
TEST(NormalizeIdNumberTest, MalformedAndMissing) {
  const struct {
    const char* id;
    IdQuality quality;
  } kCases[] = {
      {"", IdQuality::kMissing},
      {"  - ", IdQuality::kMissing},
      {"11010519491231", IdQuality::kInvalid},
      {"11010519491231002X1", IdQuality::kInvalid},
      {"1101051949123100X2", IdQuality::kInvalid},  // X only as the check character
      {"11010549123100X", IdQuality::kInvalid},     // 15 digits have no check character
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(NormalizeIdNumber(c.id).quality, c.quality);
  }
}

// Lower-case x, full-width characters, spaces and dashes give the same 18 characters.
TEST(NormalizeIdNumberTest, WrittenFormsNormaliseAlike) {
  for (const char* written : {"11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ",
                              "１１０１０５１９４９１２３１００２ｘ", "110105 19491231 002X",
                              "110105-19491231-002X", "110105\u300019491231\u3000002X"}) {
    SCOPED_TRACE(written);
    const NormalizedId id = NormalizeIdNumber(written);
    EXPECT_EQ(id.quality, IdQuality::kValid);
    EXPECT_EQ(id.value, "11010519491231002X");
  }
}

// A 15-digit number (an 18-digit one without "19" and the check) converts back to the 18.
TEST(NormalizeIdNumberTest, FifteenDigitsConvertToEighteen) {
  for (const std::string& full : {std::string("11010519491231002X"), WithCheck("31010419850715003"),
                                  WithCheck("44030619991231004")}) {
    SCOPED_TRACE(full);
    ASSERT_EQ(full.substr(6, 2), "19");
    const std::string fifteen = full.substr(0, 6) + full.substr(8, 9);
    const NormalizedId id = NormalizeIdNumber(fifteen);
    EXPECT_EQ(id.quality, IdQuality::kConverted15);
    EXPECT_EQ(id.value, full);
  }
}

// The birth date and gender (odd 17th digit = male) come from the number.
TEST(NormalizeIdNumberTest, BirthDateAndGender) {
  const struct {
    const char* id;
    const char* birth_date;
    const char* gender;
  } kCases[] = {
      {"11010519491231002X", "19491231", "F"},
      {"440524188001010014", "18800101", "M"},
      {"110105491231002", "19491231", "F"},  // converted from 15 digits
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.id);
    const NormalizedId id = NormalizeIdNumber(c.id);
    EXPECT_EQ(id.birth_date, c.birth_date);
    EXPECT_EQ(id.gender, c.gender);
  }
}

// ---- Names ------------------------------------------------------------------

// Traditional characters, ASCII and ideographic spaces and middle dots give the same characters.
TEST(NormalizeNameTest, HanWrittenFormsGiveSameCharacters) {
  for (const char* written :
       {"张伟", "張偉", "张 伟", "张\u3000伟", "張\u3000偉", " 张伟 ", "张·伟"}) {
    SCOPED_TRACE(written);
    const NormalizedName n = NormalizeName(written);
    EXPECT_TRUE(n.han);
    EXPECT_EQ(n.chars, "张伟");
    EXPECT_THAT(n.tokens, ElementsAre("zhang", "wei"));
  }
}

// Han names become toneless pinyin: surname, then the given name's syllables joined.
TEST(NormalizeNameTest, PinyinTokens) {
  const struct {
    const char* name;
    std::vector<std::string> tokens;
  } kCases[] = {
      {"张伟", {"zhang", "wei"}},
      {"欧阳小明", {"ouyang", "xiaoming"}},  // compound surname
      {"司马光", {"sima", "guang"}},
      {"单雄信", {"shan", "xiongxin"}},  // 单 as a surname reads shan
      {"曾国藩", {"zeng", "guofan"}},    // 曾 as a surname reads zeng
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(NormalizeName(c.name).tokens, ElementsAreArray(c.tokens));
  }
}

// Homophones keep their characters apart but share their pinyin.
TEST(NormalizeNameTest, HomophonesShareTokens) {
  const NormalizedName a = NormalizeName("王明"), b = NormalizeName("王铭");
  EXPECT_NE(a.chars, b.chars);
  EXPECT_EQ(a.tokens, b.tokens);
}

// Romanised names: letters only, lower case, their own tokens in their own order.
TEST(NormalizeNameTest, LatinTokens) {
  const struct {
    const char* name;
    std::vector<std::string> tokens;
  } kCases[] = {
      {"Zhang Wei", {"zhang", "wei"}},  {"ZHANG Wei", {"zhang", "wei"}},
      {"zhangwei", {"zhangwei"}},       {"Ｚｈａｎｇ\u3000Ｗｅｉ", {"zhang", "wei"}},  // full-width
      {"Wei, Zhang", {"wei", "zhang"}}, {"O'Brien", {"obrien"}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const NormalizedName n = NormalizeName(c.name);
    EXPECT_FALSE(n.han);
    EXPECT_THAT(n.tokens, ElementsAreArray(c.tokens));
  }
}

// ---- Phones -----------------------------------------------------------------

// Country prefixes are dropped from mobiles; landlines keep all their digits.
TEST(NormalizePhoneTest, Forms) {
  ExpectMappings(NormalizePhone, {
                                     {"+86 138-0013-8000", "13800138000"},
                                     {"0086 13800138000", "13800138000"},
                                     {"138 0013 8000", "13800138000"},
                                     {"8613800138000", "13800138000"},
                                     {"１３８００１３８０００", "13800138000"},  // full-width
                                     {"010-12345678", "01012345678"},
                                     {"", ""},
                                 });
}

// ---- Addresses --------------------------------------------------------------

// An address with and without its municipality shares district, town and village.
TEST(NormalizeAddressTest, MunicipalityPrefixOptional) {
  const AddressParts full = NormalizeAddress("上海市徐汇区漕河泾街道田林路100号");
  const AddressParts bare = NormalizeAddress("徐汇区漕河泾街道田林路100号");
  EXPECT_THAT(Parts(full), ElementsAre("上海", "", "徐汇区", "漕河泾街道", "田林路", "100号"));
  EXPECT_THAT(Parts(bare), ElementsAre("", "", "徐汇区", "漕河泾街道", "田林路", "100号"));
}

// A provincial address fills every part.
TEST(NormalizeAddressTest, ProvinceCityDistrictTownVillageRest) {
  const AddressParts p = NormalizeAddress("江苏省南京市玄武区孝陵卫街道钟灵村5号");
  EXPECT_TRUE(p.han);
  EXPECT_THAT(Parts(p), ElementsAre("江苏省", "南京市", "玄武区", "孝陵卫街道", "钟灵村", "5号"));
}

// A city whose name ends in 州 keeps its 市 (杭州市, 广州市, 苏州市 ...).
TEST(NormalizeAddressTest, CityEndingInZhou) {
  const AddressParts p = NormalizeAddress("浙江省杭州市西湖区三墩镇石祥村12号");
  EXPECT_THAT(Parts(p), ElementsAre("浙江省", "杭州市", "西湖区", "三墩镇", "石祥村", "12号"));
  EXPECT_EQ(NormalizeAddress("西湖区三墩镇").district, p.district);
}

// Traditional characters, spaces and full-width digits normalise away.
TEST(NormalizeAddressTest, TraditionalSpacesAndFullWidth) {
  const AddressParts trad = NormalizeAddress("臺北市 大安區 羅斯福路１００號");
  EXPECT_THAT(Parts(trad), ElementsAre("", "台北市", "大安区", "", "罗斯福路", "100号"));
  EXPECT_EQ(Parts(trad), Parts(NormalizeAddress("台北市大安区罗斯福路100号")));
}

// A Latin address stays whole in `rest`; its postcode, or a bare locality, is its city.
TEST(NormalizeAddressTest, LatinAddresses) {
  const struct {
    const char* address;
    const char* rest;
    const char* city;
  } kCases[] = {
      {"Hauptstrasse 5 10115 Berlin", "hauptstrasse 5 10115 berlin", "10115"},
      {"LONDON", "london", "london"},
      {"12 Baker Street", "12 baker street", ""},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.address);
    const AddressParts p = NormalizeAddress(c.address);
    EXPECT_FALSE(p.han);
    EXPECT_EQ(p.rest, c.rest);
    EXPECT_EQ(p.city, c.city);
  }
}

// ---- Dates and case numbers ------------------------------------------------

// Real dates become YYYYMMDD (leap years included); impossible ones become "".
TEST(NormalizeDateTest, RealDatesOnly) {
  ExpectMappings(NormalizeDate, {
                                    {"2024-02-29", "20240229"},
                                    {"20240229", "20240229"},
                                    {"2000-02-29", "20000229"},
                                    {"2023-02-29", ""},
                                    {"1900-02-29", ""},
                                    {"2023-13-01", ""},
                                    {"2023-04-31", ""},
                                    {"2023-4-1", ""},
                                    {"", ""},
                                });
}

// Full-width, ASCII, 〔〕 and 【】 brackets and spaces give one case number.
TEST(NormalizeCaseRefTest, BracketsAndSpacesUnified) {
  constexpr char kWant[] = "(2023)沪0105刑初123号";
  ExpectMappings(NormalizeCaseRef, {
                                       {"（2023）沪0105刑初123号", kWant},
                                       {"(2023)沪0105刑初123号", kWant},
                                       {"〔2023〕沪0105刑初123号", kWant},
                                       {"【2023】沪 0105 刑初 123 号", kWant},
                                       {"［２０２３］沪０１０５刑初１２３号", kWant},
                                   });
}

}  // namespace
}  // namespace concord::aid
