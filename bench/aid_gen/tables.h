// The static data of concord-aid-gen (bench/aid_gen/main.cc describes the
// tool): surnames, common full names, counties, address stems, phone
// prefixes, crimes, agencies and aid types; the lookups built from them
// (Tables: given-name pools, pinyin, homophones, traditional characters);
// and the random source every draw goes through (Rng, Weighted).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace concord::aidgen {

// ---------------------------------------------------------------------------
// Randomness

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n), n > 0: rejects the lowest 2^64 mod n raw values.
  uint64_t Below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;
    for (;;) {
      const uint64_t r = engine_();
      if (r >= threshold) return r % n;
    }
  }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  std::mt19937_64 engine_;
};

// Picks an index with probability proportional to its weight.
class Weighted {
 public:
  Weighted() = default;
  explicit Weighted(const std::vector<uint64_t>& weights) {
    uint64_t sum = 0;
    for (uint64_t w : weights) cumulative_.push_back(sum += w);
  }
  size_t Pick(Rng& rng) const {
    const uint64_t r = rng.Below(cumulative_.back());
    return std::upper_bound(cumulative_.begin(), cumulative_.end(), r) - cumulative_.begin();
  }

 private:
  std::vector<uint64_t> cumulative_;
};

// ---------------------------------------------------------------------------
// Tables

// Surname, toneless pinyin, share of the population in 1/10000 (after the
// 2020 census lists; the two-character ones are rounded up to be seen).
struct SurnameRow {
  const char* hanzi;
  const char* pinyin;
  int weight;
};
inline constexpr SurnameRow kSurnames[] = {
    {"王", "wang", 712}, {"李", "li", 700},    {"张", "zhang", 674},  {"刘", "liu", 510},
    {"陈", "chen", 461}, {"杨", "yang", 322},  {"黄", "huang", 245},  {"赵", "zhao", 219},
    {"吴", "wu", 200},   {"周", "zhou", 195},  {"徐", "xu", 145},     {"孙", "sun", 138},
    {"马", "ma", 129},   {"朱", "zhu", 128},   {"胡", "hu", 116},     {"郭", "guo", 113},
    {"何", "he", 106},   {"林", "lin", 102},   {"高", "gao", 100},    {"罗", "luo", 95},
    {"郑", "zheng", 93}, {"梁", "liang", 85},  {"谢", "xie", 76},     {"宋", "song", 70},
    {"唐", "tang", 69},  {"许", "xu", 63},     {"韩", "han", 62},     {"冯", "feng", 61},
    {"邓", "deng", 61},  {"曹", "cao", 58},    {"彭", "peng", 57},    {"曾", "zeng", 55},
    {"肖", "xiao", 54},  {"田", "tian", 51},   {"董", "dong", 50},    {"潘", "pan", 48},
    {"袁", "yuan", 48},  {"蔡", "cai", 46},    {"蒋", "jiang", 45},   {"余", "yu", 45},
    {"于", "yu", 44},    {"杜", "du", 43},     {"叶", "ye", 42},      {"程", "cheng", 41},
    {"魏", "wei", 39},   {"苏", "su", 38},     {"吕", "lyu", 38},     {"丁", "ding", 37},
    {"任", "ren", 37},   {"卢", "lu", 36},     {"姚", "yao", 35},     {"沈", "shen", 34},
    {"钟", "zhong", 34}, {"姜", "jiang", 33},  {"崔", "cui", 32},     {"谭", "tan", 31},
    {"陆", "lu", 31},    {"范", "fan", 29},    {"汪", "wang", 29},    {"廖", "liao", 29},
    {"石", "shi", 28},   {"金", "jin", 27},    {"韦", "wei", 27},     {"贾", "jia", 26},
    {"夏", "xia", 26},   {"付", "fu", 26},     {"方", "fang", 25},    {"邹", "zou", 24},
    {"熊", "xiong", 24}, {"白", "bai", 24},    {"孟", "meng", 23},    {"秦", "qin", 23},
    {"邱", "qiu", 22},   {"侯", "hou", 22},    {"江", "jiang", 22},   {"尹", "yin", 22},
    {"薛", "xue", 21},   {"闫", "yan", 21},    {"段", "duan", 20},    {"雷", "lei", 20},
    {"龙", "long", 19},  {"黎", "li", 19},     {"史", "shi", 18},     {"陶", "tao", 18},
    {"贺", "he", 18},    {"毛", "mao", 17},    {"郝", "hao", 17},     {"顾", "gu", 17},
    {"龚", "gong", 16},  {"邵", "shao", 16},   {"万", "wan", 16},     {"覃", "qin", 15},
    {"武", "wu", 15},    {"钱", "qian", 15},   {"戴", "dai", 15},     {"严", "yan", 14},
    {"莫", "mo", 14},    {"孔", "kong", 14},   {"向", "xiang", 13},   {"常", "chang", 13},
    {"汤", "tang", 13},  {"康", "kang", 13},   {"易", "yi", 12},      {"乔", "qiao", 12},
    {"赖", "lai", 12},   {"文", "wen", 12},    {"施", "shi", 11},     {"洪", "hong", 11},
    {"辛", "xin", 10},   {"柳", "liu", 10},    {"欧阳", "ouyang", 3}, {"上官", "shangguan", 1},
    {"司马", "sima", 1}, {"诸葛", "zhuge", 1}, {"司徒", "situ", 1},   {"皇甫", "huangfu", 1},
};

// The most common full names in China; every one of them is shared by
// hundreds of thousands of unrelated people.
struct CommonName {
  const char* surname;
  const char* given;
  bool male;
};
inline constexpr CommonName kCommonNames[] = {
    {"张", "伟", true},  {"王", "伟", true},    {"王", "芳", false},   {"李", "伟", true},
    {"李", "娜", false}, {"张", "敏", false},   {"李", "静", false},   {"王", "静", false},
    {"刘", "伟", true},  {"王", "秀英", false}, {"张", "丽", false},   {"李", "秀英", false},
    {"王", "丽", false}, {"张", "静", false},   {"张", "秀英", false}, {"李", "强", true},
    {"王", "敏", false}, {"李", "敏", false},   {"王", "磊", true},    {"刘", "洋", true},
    {"王", "艳", false}, {"王", "勇", true},    {"李", "军", true},    {"张", "勇", true},
    {"李", "杰", true},  {"张", "杰", true},    {"张", "磊", true},    {"王", "强", true},
    {"李", "娟", false}, {"王", "军", true},    {"张", "艳", false},   {"张", "涛", true},
    {"王", "涛", true},  {"李", "艳", false},   {"王", "超", true},    {"李", "明", true},
    {"李", "勇", true},  {"王", "娟", false},   {"刘", "杰", true},    {"刘", "敏", false},
    {"李", "霞", false}, {"李", "丽", false},   {"张", "军", true},    {"王", "杰", true},
    {"张", "强", true},  {"王", "秀兰", false}, {"王", "刚", true},    {"王", "平", true},
    {"刘", "芳", false}, {"张", "燕", false},   {"刘", "艳", false},   {"刘", "军", true},
    {"李", "平", true},  {"李", "红", false},   {"陈", "静", false},   {"陈", "伟", true},
};

// Real GB/T 2260 counties and districts. A municipality is its own city.
struct CountyRow {
  const char* code;
  const char* province;
  const char* city;
  const char* county;
  const char* province_abbr;  // 沪, 粤, ... as in case numbers
};
inline constexpr CountyRow kCounties[] = {
    {"110101", "北京市", "北京市", "东城区", "京"},
    {"110102", "北京市", "北京市", "西城区", "京"},
    {"110105", "北京市", "北京市", "朝阳区", "京"},
    {"110108", "北京市", "北京市", "海淀区", "京"},
    {"110118", "北京市", "北京市", "密云区", "京"},
    {"120101", "天津市", "天津市", "和平区", "津"},
    {"120103", "天津市", "天津市", "河西区", "津"},
    {"310101", "上海市", "上海市", "黄浦区", "沪"},
    {"310104", "上海市", "上海市", "徐汇区", "沪"},
    {"310105", "上海市", "上海市", "长宁区", "沪"},
    {"310107", "上海市", "上海市", "普陀区", "沪"},
    {"310115", "上海市", "上海市", "浦东新区", "沪"},
    {"310151", "上海市", "上海市", "崇明区", "沪"},
    {"500103", "重庆市", "重庆市", "渝中区", "渝"},
    {"500106", "重庆市", "重庆市", "沙坪坝区", "渝"},
    {"130102", "河北省", "石家庄市", "长安区", "冀"},
    {"130123", "河北省", "石家庄市", "正定县", "冀"},
    {"140105", "山西省", "太原市", "小店区", "晋"},
    {"210102", "辽宁省", "沈阳市", "和平区", "辽"},
    {"210202", "辽宁省", "大连市", "中山区", "辽"},
    {"220102", "吉林省", "长春市", "南关区", "吉"},
    {"230103", "黑龙江省", "哈尔滨市", "南岗区", "黑"},
    {"230124", "黑龙江省", "哈尔滨市", "方正县", "黑"},
    {"320102", "江苏省", "南京市", "玄武区", "苏"},
    {"320322", "江苏省", "徐州市", "沛县", "苏"},
    {"320508", "江苏省", "苏州市", "姑苏区", "苏"},
    {"330106", "浙江省", "杭州市", "西湖区", "浙"},
    {"330127", "浙江省", "杭州市", "淳安县", "浙"},
    {"330302", "浙江省", "温州市", "鹿城区", "浙"},
    {"340104", "安徽省", "合肥市", "蜀山区", "皖"},
    {"340121", "安徽省", "合肥市", "长丰县", "皖"},
    {"350102", "福建省", "福州市", "鼓楼区", "闽"},
    {"350121", "福建省", "福州市", "闽侯县", "闽"},
    {"350203", "福建省", "厦门市", "思明区", "闽"},
    {"360102", "江西省", "南昌市", "东湖区", "赣"},
    {"360121", "江西省", "南昌市", "南昌县", "赣"},
    {"370102", "山东省", "济南市", "历下区", "鲁"},
    {"370124", "山东省", "济南市", "平阴县", "鲁"},
    {"370202", "山东省", "青岛市", "市南区", "鲁"},
    {"410105", "河南省", "郑州市", "金水区", "豫"},
    {"410122", "河南省", "郑州市", "中牟县", "豫"},
    {"420106", "湖北省", "武汉市", "武昌区", "鄂"},
    {"420111", "湖北省", "武汉市", "洪山区", "鄂"},
    {"430104", "湖南省", "长沙市", "岳麓区", "湘"},
    {"430121", "湖南省", "长沙市", "长沙县", "湘"},
    {"440106", "广东省", "广州市", "天河区", "粤"},
    {"440305", "广东省", "深圳市", "南山区", "粤"},
    {"440513", "广东省", "汕头市", "潮阳区", "粤"},
    {"450103", "广西壮族自治区", "南宁市", "青秀区", "桂"},
    {"450123", "广西壮族自治区", "南宁市", "隆安县", "桂"},
    {"510107", "四川省", "成都市", "武侯区", "川"},
    {"510121", "四川省", "成都市", "金堂县", "川"},
    {"520102", "贵州省", "贵阳市", "南明区", "黔"},
    {"520121", "贵州省", "贵阳市", "开阳县", "黔"},
    {"530102", "云南省", "昆明市", "五华区", "滇"},
    {"530124", "云南省", "昆明市", "富民县", "滇"},
    {"610113", "陕西省", "西安市", "雁塔区", "陕"},
    {"610122", "陕西省", "西安市", "蓝田县", "陕"},
};
inline constexpr int kCountyCount = sizeof(kCounties) / sizeof(kCounties[0]);

// Name stems for 街道 (urban districts), roads, 镇 and 村 (counties).
extern const std::vector<std::string> kStreetStems;
extern const std::vector<std::string> kRoadStems;
extern const std::vector<std::string> kTownStems;
extern const std::vector<std::string> kVillageStems;

inline constexpr const char* kPhonePrefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "145", "147", "150", "151", "152", "153", "155", "156", "157", "158",
    "159", "166", "173", "175", "176", "177", "178", "180", "181", "182",
    "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"};

struct CrimeRow {
  const char* name;
  int weight;
};
inline constexpr CrimeRow kCrimes[] = {
    {"故意伤害", 30},    {"交通肇事", 18}, {"诈骗", 12},    {"故意杀人", 10},
    {"盗窃", 8},         {"抢劫", 8},      {"寻衅滋事", 7}, {"强奸", 5},
    {"过失致人死亡", 3}, {"非法拘禁", 2},  {"抢夺", 2},     {"敲诈勒索", 2},
};

enum class Agency { kProcuratorate, kCourt, kPolice, kJusticeBureau };
inline constexpr const char* kAgencyNames[] = {"procuratorate", "court", "police",
                                               "justice_bureau"};
inline constexpr const char* kAgencyRecordPrefix[] = {"JCY", "FY", "GA", "SFJ"};

enum class AidType {
  kMoney,
  kCounselling,
  kTraining,
  kPlacement,
  kDisability,
  kEducation,
  kMedical
};
inline constexpr const char* kAidEnglish[] = {"money",          "psychological counselling",
                                              "job training",   "job placement",
                                              "disability aid", "education aid",
                                              "medical aid"};
inline constexpr const char* kAidChinese[] = {"资金救助", "心理疏导", "职业培训", "就业安置",
                                              "残疾救助", "教育救助", "医疗救助"};

// Splits UTF-8 into code points, each as its bytes.
std::vector<std::string> Utf8Chars(std::string_view s);

// The lookups built from the tables above.
struct Tables {
  Weighted surnames;
  std::vector<std::string> male_chars, female_chars;
  std::unordered_map<std::string, std::string> pinyin;                   // given char -> pinyin
  std::unordered_map<std::string, std::vector<std::string>> homophones;  // char -> others
  std::unordered_map<std::string, std::string> traditional;
  Weighted crimes;

  static Tables Build();

  std::string ToTraditional(std::string_view s) const;
};

bool IsMunicipality(const CountyRow& c);
bool IsRural(const CountyRow& c);

}  // namespace concord::aidgen
