// concord-aid-gen: synthetic judicial-aid grant records (国家司法救助) with
// ground truth, for measuring how well the aid duplicate check links records.
//
//   concord-aid-gen --people N --seed S --out FILE.csv
//                   [--profile clean|realistic|hard] [--gb18030 | --bom]
//                   [--self-check]
//
// The file is CSV (comma, RFC 4180 double quotes where a field needs them, LF
// line ends), UTF-8 by default, UTF-8 with a byte-order mark with --bom, or
// GB18030 with --gb18030 (converted by ICU). Header:
//
//   record_id,agency,name,id_number,birth_date,gender,phone,address,case_ref,
//   incident_date,crime,aid_type,amount_yuan,granted_on,person_id,case_id
//
// person_id ("P000001") and case_id ("C000001") are the truth; the importer
// ignores them. Two rows are the same person iff their person_id is equal; a
// duplicate grant (DOMAIN.md, "Judicial aid": one-time aid) is a pair of rows
// with equal person_id AND equal case_id. The same person aided for another
// case is the same person but not a duplicate grant.
//
// Population (the same people, cases and grants for a given seed in every
// profile; only the corruptions below differ, so profiles compare directly):
// - People: surnames weighted by their frequency in China (116, including
//   two-character ones such as 欧阳 and 诸葛), 1- or 2-character given names
//   from about 530 characters leaning male, female or either; 4% take one of
//   the most common full names (张伟, 王芳, 李娜, ...), so many unrelated people
//   share a name. Resident IDs are valid per GB 11643 (a real county code,
//   the birth date, a sequence whose parity is the gender, the MOD 11-2 check
//   character) and unique; birth_date and gender agree with the ID. Mobile
//   phones are 11 digits from real prefixes. Addresses (province, city,
//   district or county, 街道 or 镇, road and number or village) are mostly
//   where the case happened, and IDs mostly from where the person lives.
// - Each person has 1 to 4 grants (70% one). An extra grant is for the same
//   case (a duplicate, by another agency or the same one) 65% of the time,
//   otherwise for a new case of the same person.
// - Families: 10% of people bring a relative (spouse, child, parent, now and
//   then a twin) with the same address and usually the same phone, often the
//   same surname, a different ID and birth date, often aided in the same case.
//   A relative is another person. 3% of cases have an unrelated co-victim.
// - Case references per stage: police "沪公(刑)字[2023]456号", procuratorate
//   "沪徐检刑诉[2023]12号", court "(2023)沪0104刑初123号". A grant carries
//   its agency's stage reference, sometimes a second one after ';'.
// - Presentation varies on every row: dates mostly YYYY-MM-DD, some
//   YYYY/MM/DD, YYYYMMDD or YYYY年M月D日; aid_type in English or Chinese;
//   amounts "12000", "12,000", "12000元" or "12000.00" (money only).
//
// Corruptions. The first row of each person (its "original") is clean: full
// Chinese name, valid 18-character ID, ISO birth date, phone, full address.
// Every other row of that person is a copy, and each corruption below strikes
// a copy with the profile's rate, independently except where two cannot both
// happen: the ID rows are tried in order (missing, mistyped, 15-digit,
// lower-case x) and a later one applies only to copies the earlier spared, and
// so are missing and reformatted birth dates and phones; a pinyin name gets
// no traditional characters, homophone or inner space (full-width: ＺＨＡＮＧ).
//
//   corruption                                   clean  realistic  hard
//   name in traditional characters (and address)   1%      5%       15%
//   homophone for one given-name character         1%      5%       15%
//   name in pinyin (Zhang Wei, ZHANG Wei,         0.5%     5%       15%
//     Wei Zhang, zhangwei, ZHANG WEI)
//   space or U+3000 inside the name                2%      8%       15%
//   full-width letters / U+3000 in the name       0.5%     3%        8%
//   id_number missing                              2%     12%       40%
//   id_number mistyped (one digit changed or two  0.5%     4%       10%
//     adjacent swapped; the check then fails)
//   15-digit first-generation ID (born < 2000)     1%      5%       10%
//   lower-case x check character (when it is X)   20%     50%       60%
//   phone missing                                  3%     15%       35%
//   phone written +86 / with spaces / dashes       5%     20%       40%
//   address abbreviated (province, city or         5%     20%       40%
//     street dropped)
//   address typo (character dropped or            1%      5%       15%
//     homophone, house number changed)
//   birth_date missing                             3%     15%       35%
//   birth_date in another format                   5%     20%       40%
//   incident_date missing                          1%      5%       15%
// Case references, on every row: a second reference    50% / 25% / 10%,
// full-width brackets （） 〔〕                          5% / 20% / 35%.
//
// stderr gets a summary: rows, people, true same-person pairs (sum over
// people of C(rows, 2)), true duplicate-grant pairs (the same over
// person-and-case groups), then how many rows each corruption struck.
// --self-check re-reads the rows it wrote and exits 1 if an original's ID is
// not a valid 18-character ID agreeing with its birth_date and gender, if an
// uncorrupted ID fails its check, a mistyped one passes, a 15-digit one does
// not expand to the person's ID, or a record_id repeats.
//
// Determinism: one seed gives the same file on any machine. std::mt19937_64 is
// specified exactly by the standard; the distributions (std::uniform_int_-
// distribution and friends are implementation-defined, so libstdc++ and libc++
// may differ) are not used: Rng below draws integers by rejection and
// probabilities from the top 53 bits. Structure and corruptions use two
// streams, which keeps the population independent of the profile.
#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace {

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
constexpr SurnameRow kSurnames[] = {
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

// Given-name characters by toneless pinyin and lean ('m' male, 'f' female,
// 'n' either). Characters with the same pinyin are the homophones a clerk's
// input method offers; no character here has a second reading in names.
struct GivenRow {
  const char* pinyin;
  char lean;
  const char* chars;
};
// clang-format off
constexpr GivenRow kGiven[] = {
    {"ai", 'f', "爱艾"},          {"an", 'n', "安"},            {"ang", 'm', "昂"},
    {"bai", 'n', "柏"},           {"bang", 'm', "邦"},          {"bao", 'm', "宝保"},
    {"bei", 'f', "贝蓓"},         {"bi", 'f', "碧璧"},          {"biao", 'm', "彪"},
    {"bin", 'm', "斌彬滨"},       {"bing", 'm', "兵炳"},        {"bing", 'f', "冰"},
    {"bo", 'm', "波博"},          {"cai", 'm', "才财"},         {"cai", 'f', "彩"},
    {"can", 'n', "灿"},           {"chang", 'm', "昌畅"},       {"chao", 'm', "超"},
    {"chen", 'm', "琛"},          {"chen", 'n', "晨辰宸"},      {"cheng", 'm', "成诚承城骋"},
    {"cheng", 'n', "澄"},         {"chi", 'm', "驰"},           {"chong", 'm', "崇"},
    {"chu", 'n', "楚初"},         {"chuan", 'm', "川传"},       {"chun", 'n', "春淳"},
    {"chun", 'f', "纯"},          {"ci", 'f', "慈"},            {"cong", 'n', "聪"},
    {"cui", 'f', "翠"},           {"da", 'm', "达"},            {"dai", 'f', "黛"},
    {"dan", 'f', "丹"},           {"de", 'm', "德"},            {"deng", 'm', "登"},
    {"di", 'm', "迪"},            {"di", 'f', "娣笛"},          {"ding", 'm', "定鼎"},
    {"dong", 'm', "东栋"},        {"dong", 'n', "冬"},          {"duan", 'm', "端"},
    {"e", 'f', "娥"},             {"en", 'n', "恩"},            {"fan", 'm', "帆"},
    {"fan", 'n', "凡"},           {"fang", 'f', "芳"},          {"fang", 'n', "方"},
    {"fei", 'm', "飞"},           {"fei", 'f', "菲霏妃"},       {"fen", 'f', "芬"},
    {"feng", 'm', "峰锋丰枫"},    {"feng", 'f', "凤"},          {"fu", 'm', "福富"},
    {"fu", 'f', "芙"},            {"gang", 'm', "刚钢"},        {"ge", 'n', "歌"},
    {"gen", 'm', "根"},           {"geng", 'm', "耕"},          {"gong", 'm', "功"},
    {"guan", 'm', "冠"},          {"guang", 'm', "光广"},       {"gui", 'm', "贵"},
    {"gui", 'f', "桂"},           {"guo", 'm', "国"},           {"hai", 'm', "海"},
    {"han", 'm', "瀚翰汉"},       {"han", 'f', "涵晗寒菡"},     {"hang", 'm', "航杭"},
    {"hao", 'm', "浩昊皓豪灏颢"}, {"he", 'm', "赫河"},          {"he", 'n', "和"},
    {"he", 'f', "荷"},            {"heng", 'm', "恒衡"},        {"hong", 'm', "宏弘鸿"},
    {"hong", 'f', "红虹"},        {"hu", 'm', "虎"},            {"hua", 'm', "桦"},
    {"hua", 'n', "华"},           {"hua", 'f', "花"},           {"huai", 'm', "怀"},
    {"huan", 'm', "焕"},          {"huan", 'f', "欢环"},        {"huang", 'm', "煌"},
    {"hui", 'm', "辉晖"},         {"hui", 'f', "慧惠蕙卉"},     {"ji", 'm', "吉继基骥"},
    {"ji", 'f', "霁姬"},          {"jia", 'n', "佳嘉家"},       {"jia", 'f', "珈"},
    {"jian", 'm', "建健剑坚"},    {"jiang", 'm', "江疆"},       {"jiao", 'f', "娇姣"},
    {"jie", 'm', "杰捷"},         {"jie", 'f', "洁婕"},         {"jin", 'm', "金晋锦进"},
    {"jin", 'f', "瑾"},           {"jing", 'm', "京景竞"},      {"jing", 'f', "静婧晶菁"},
    {"jing", 'n', "靖敬"},        {"ju", 'f', "菊"},            {"juan", 'f', "娟鹃"},
    {"jun", 'm', "军俊峻骏"},     {"jun", 'f', "珺"},           {"jun", 'n', "君"},
    {"kai", 'm', "凯楷开恺"},     {"kang", 'm', "康"},          {"ke", 'm', "克科"},
    {"ke", 'n', "可"},            {"kuan", 'm', "宽"},          {"kui", 'm', "魁奎"},
    {"kun", 'm', "坤昆"},         {"lan", 'f', "兰岚蓝澜"},     {"lang", 'm', "朗"},
    {"lei", 'm', "磊雷"},         {"lei", 'f', "蕾"},           {"li", 'm', "力立利"},
    {"li", 'f', "丽莉俐璃"},      {"lian", 'f', "莲怜涟"},      {"liang", 'm', "亮良"},
    {"lin", 'm', "霖麟"},         {"lin", 'f', "琳"},           {"lin", 'n', "林"},
    {"ling", 'f', "玲铃苓灵"},    {"ling", 'n', "凌"},          {"long", 'm', "龙隆"},
    {"lu", 'm', "路禄"},          {"lu", 'f', "璐露"},          {"lun", 'm', "伦"},
    {"man", 'f', "曼蔓"},         {"mao", 'm', "茂"},           {"mei", 'f', "美梅媚玫眉"},
    {"meng", 'f', "梦萌"},        {"miao", 'f', "淼苗妙"},      {"min", 'm', "民"},
    {"min", 'f', "敏"},           {"ming", 'm', "明铭鸣"},      {"mo", 'n', "墨"},
    {"mu", 'm', "牧穆"},          {"mu", 'n', "沐"},            {"na", 'f', "娜"},
    {"nan", 'm', "南"},           {"nan", 'n', "楠"},           {"ni", 'f', "妮霓"},
    {"ning", 'f', "凝"},          {"ning", 'n', "宁"},          {"nuo", 'n', "诺"},
    {"pei", 'f', "佩沛"},         {"peng", 'm', "鹏朋"},        {"ping", 'f', "萍"},
    {"ping", 'n', "平"},          {"qi", 'm', "奇启齐祺"},      {"qi", 'f', "琪绮"},
    {"qi", 'n', "琦"},            {"qian", 'm', "乾谦"},        {"qian", 'f', "倩茜芊"},
    {"qiang", 'm', "强"},         {"qiang", 'f', "蔷"},         {"qiao", 'f', "巧"},
    {"qin", 'm', "勤钦"},         {"qin", 'f', "琴芹"},         {"qing", 'm', "庆"},
    {"qing", 'f', "晴清卿"},      {"qing", 'n', "青"},          {"qiu", 'n', "秋"},
    {"quan", 'm', "全泉权"},      {"qun", 'm', "群"},           {"ran", 'f', "冉"},
    {"ran", 'n', "然"},           {"rong", 'm', "融"},          {"rong", 'f', "蓉容"},
    {"rong", 'n', "荣"},          {"rou", 'f', "柔"},           {"ru", 'm', "儒"},
    {"ru", 'f', "如茹"},          {"rui", 'm', "锐"},           {"rui", 'f', "蕊"},
    {"rui", 'n', "瑞睿"},         {"run", 'm', "润"},           {"ruo", 'f', "若"},
    {"sen", 'm', "森"},           {"sha", 'f', "莎"},           {"shan", 'm', "山善"},
    {"shan", 'f', "珊姗"},        {"shang", 'm', "尚"},         {"shao", 'm', "绍"},
    {"sheng", 'm', "生胜盛晟圣升"},{"shi", 'm', "世仕"},         {"shi", 'f', "诗"},
    {"shu", 'm', "树"},           {"shu", 'f', "淑舒姝"},       {"shu", 'n', "书"},
    {"shuang", 'f', "爽双"},      {"shun", 'm', "顺舜"},        {"si", 'f', "丝"},
    {"si", 'n', "思斯"},          {"song", 'm', "松嵩颂"},      {"su", 'f', "素"},
    {"tai", 'm', "泰"},           {"tao", 'm', "涛韬"},         {"tao", 'f', "桃"},
    {"teng", 'm', "腾"},          {"tian", 'm', "天田"},        {"tian", 'f', "甜恬"},
    {"ting", 'm', "霆廷"},        {"ting", 'f', "婷亭庭"},      {"tong", 'm', "桐"},
    {"tong", 'f', "彤"},          {"wan", 'f', "婉琬宛"},       {"wang", 'm', "旺望"},
    {"wei", 'm', "伟炜巍威卫"},   {"wei", 'f', "薇"},           {"wei", 'n', "维玮蔚"},
    {"wen", 'm', "文闻"},         {"wen", 'f', "雯"},           {"wu", 'm', "武悟"},
    {"xi", 'f', "曦溪"},          {"xi", 'n', "熙希喜"},        {"xia", 'f', "霞"},
    {"xian", 'm', "贤显"},        {"xian", 'f', "娴仙"},        {"xiang", 'm', "翔祥"},
    {"xiang", 'f', "香湘"},       {"xiao", 'f', "筱"},          {"xiao", 'n', "晓小"},
    {"xin", 'm', "鑫新"},         {"xin", 'f', "欣馨心"},       {"xin", 'n', "昕"},
    {"xing", 'm', "兴"},          {"xing", 'f', "杏"},          {"xing", 'n', "星"},
    {"xiong", 'm', "雄"},         {"xiu", 'm', "修"},           {"xiu", 'f', "秀"},
    {"xu", 'm', "绪煦"},          {"xu", 'n', "旭"},            {"xuan", 'm', "轩宣煊"},
    {"xuan", 'f', "萱璇"},        {"xue", 'f', "雪"},           {"xun", 'm', "勋迅"},
    {"ya", 'f', "雅娅"},          {"ya", 'n', "亚"},            {"yan", 'm', "岩彦"},
    {"yan", 'f', "燕艳妍雁琰"},   {"yang", 'm', "阳扬"},        {"yang", 'n', "洋"},
    {"yao", 'm', "耀尧"},         {"yao", 'f', "瑶"},           {"ye", 'm', "烨"},
    {"yi", 'm', "毅逸翊"},        {"yi", 'f', "怡依仪艺宜懿"},  {"yi", 'n', "一奕"},
    {"yin", 'm', "寅"},           {"yin", 'f', "银吟"},         {"ying", 'm', "鹰"},
    {"ying", 'f', "英颖莹盈樱莺瑛滢"},{"yong", 'm', "勇永涌"},      {"you", 'm', "友佑"},
    {"you", 'f', "优悠"},         {"yu", 'm', "宇煜昱禹"},      {"yu", 'f', "雨玉瑜钰妤"},
    {"yu", 'n', "羽"},            {"yuan", 'm', "远源元渊"},    {"yuan", 'f', "媛园"},
    {"yue", 'm', "越岳"},         {"yue", 'f', "月悦玥"},       {"yun", 'm', "运"},
    {"yun", 'f', "芸韵"},         {"yun", 'n', "云昀"},         {"ze", 'm', "泽"},
    {"zhan", 'm', "展战"},        {"zhang", 'm', "章彰"},       {"zhao", 'm', "昭钊"},
    {"zhe", 'm', "哲"},           {"zhen", 'm', "振震桢"},      {"zhen", 'f', "珍贞真"},
    {"zheng", 'm', "正政峥铮"},   {"zhi", 'm', "志智治致"},     {"zhi", 'f', "芝"},
    {"zhi", 'n', "之"},           {"zhong", 'm', "忠中仲"},     {"zhou", 'm', "洲舟"},
    {"zhu", 'm', "柱"},           {"zhu", 'f', "珠竹"},         {"zhuo", 'n', "卓"},
    {"zi", 'f', "紫姿"},          {"zi", 'n', "子梓"},          {"zong", 'm', "宗"},
};
// clang-format on

// The most common full names in China; every one of them is shared by
// hundreds of thousands of unrelated people.
struct CommonName {
  const char* surname;
  const char* given;
  bool male;
};
constexpr CommonName kCommonNames[] = {
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
constexpr CountyRow kCounties[] = {
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
constexpr int kCountyCount = sizeof(kCounties) / sizeof(kCounties[0]);

// Name stems for 街道 (urban districts), roads, 镇 and 村 (counties).
const std::vector<std::string> kStreetStems = {
    "新华", "人民", "解放", "建设", "中山", "和平", "朝阳", "光明", "东风", "胜利",
    "幸福", "青年", "文化", "友谊", "团结", "花园", "红旗", "城关", "东湖", "南苑",
    "北苑", "紫荆", "桂花", "枫林", "金桥", "龙华", "湖滨", "江滨", "东门", "西门",
    "南门", "北门", "长虹", "华山", "兴隆", "前进", "振兴", "东升"};
const std::vector<std::string> kRoadStems = {
    "人民", "解放", "建设", "中山", "和平", "新华", "长江", "黄河", "延安", "南京",
    "北京", "健康", "工农", "文化", "学府", "迎宾", "银河", "金山", "凤凰", "玉兰",
    "海棠", "梧桐", "翠竹", "青松", "朝阳", "光华", "民主", "复兴", "滨河", "东风"};
const std::vector<std::string> kTownStems = {"城关", "新丰", "石桥", "永安", "太平", "青山", "大桥",
                                             "白沙", "龙泉", "清水", "马头", "高桥", "双河", "三合",
                                             "五里", "柳林", "桃源", "金鸡", "凤凰", "长岭"};
const std::vector<std::string> kVillageStems = {
    "张家", "王庄", "李家", "刘庄", "陈家", "赵庄", "前进", "红星", "新农", "石桥",
    "柳树", "杨柳", "大王", "小李", "东岗", "西坡", "南湖", "北沟", "胜利", "光明",
    "幸福", "和平", "跃进", "民主", "上坝", "下坝", "河东", "河西", "马家", "周庄"};

// Simplified -> traditional for every name and address character above whose
// traditional form differs (checked against ICU's Hans-Hant). Surnames keep
// their surname form: 范 沈 姜 余 于 周 stay, 钟 -> 鍾.
// clang-format off
constexpr std::string_view kTraditionalPairs =
    // surnames
    "张張 陈陳 刘劉 杨楊 黄黃 赵趙 吴吳 郑鄭 孙孫 马馬 罗羅 谢謝 韩韓 冯馮 "
    "邓鄧 蒋蔣 叶葉 苏蘇 吕呂 卢盧 钟鍾 谭譚 陆陸 韦韋 贾賈 邹鄒 闫閆 龙龍 "
    "贺賀 顾顧 龚龔 万萬 钱錢 严嚴 汤湯 乔喬 赖賴 欧歐 阳陽 诸諸 "
    // given names
    "伟偉 炜煒 维維 玮瑋 卫衛 华華 丽麗 军軍 国國 东東 强強 杰傑 洁潔 静靜 "
    "鸣鳴 铭銘 红紅 艳艷 涛濤 刚剛 兰蘭 宝寶 贝貝 滨濱 财財 灿燦 畅暢 诚誠 "
    "驰馳 纯純 聪聰 达達 栋棟 飞飛 锋鋒 丰豐 枫楓 凤鳳 钢鋼 广廣 贵貴 汉漢 "
    "鸿鴻 欢歡 环環 焕煥 辉輝 晖暉 继繼 骥驥 剑劍 坚堅 娇嬌 锦錦 进進 鹃鵑 "
    "骏駿 凯凱 开開 恺愷 岚嵐 蓝藍 澜瀾 莲蓮 怜憐 涟漣 铃鈴 灵靈 禄祿 伦倫 "
    "梦夢 宁寧 诺諾 鹏鵬 启啓 齐齊 绮綺 谦謙 蔷薔 钦欽 庆慶 权權 荣榮 锐銳 "
    "润潤 绍紹 胜勝 圣聖 诗詩 书書 树樹 双雙 顺順 丝絲 颂頌 韬韜 腾騰 闻聞 "
    "娴嫻 贤賢 显顯 晓曉 兴興 绪緒 轩軒 勋勳 亚亞 娅婭 扬揚 瑶瑤 尧堯 烨燁 "
    "仪儀 艺藝 银銀 颖穎 莹瑩 樱櫻 莺鶯 鹰鷹 涌湧 优優 钰鈺 园園 远遠 渊淵 "
    "悦悅 韵韻 云雲 运運 泽澤 战戰 钊釗 桢楨 贞貞 峥崢 铮錚 桦樺 灏灝 颢顥 "
    "骋騁 竞競 滢瀅 传傳 姗姍 宽寬 彦彥 怀懷 恒恆 晋晉 爱愛 霁霽 许許 "
    // addresses and case numbers
    "区區 县縣 镇鎮 号號 组組 单單 楼樓 门門 桥橋 湾灣 岭嶺 庄莊 汇匯 长長 "
    "坝壩 关關 尔爾 岗崗 温溫 厦廈 闽閩 济濟 历歷 农農 学學 沪滬 粤粵 赣贛 "
    "辽遼 鲁魯 阴陰 岛島 头頭 壮壯 陕陝 连連 乡鄉 团團 结結 谊誼 设設 风風 "
    "荆荊 跃躍 沟溝 鸡雞 宾賓 复復 ";
// clang-format on

constexpr const char* kPhonePrefixes[] = {"130", "131", "132", "133", "134", "135", "136", "137",
                                          "138", "139", "145", "147", "150", "151", "152", "153",
                                          "155", "156", "157", "158", "159", "166", "173", "175",
                                          "176", "177", "178", "180", "181", "182", "183", "184",
                                          "185", "186", "187", "188", "189", "191", "198", "199"};

struct CrimeRow {
  const char* name;
  int weight;
};
constexpr CrimeRow kCrimes[] = {
    {"故意伤害", 30},    {"交通肇事", 18}, {"诈骗", 12},    {"故意杀人", 10},
    {"盗窃", 8},         {"抢劫", 8},      {"寻衅滋事", 7}, {"强奸", 5},
    {"过失致人死亡", 3}, {"非法拘禁", 2},  {"抢夺", 2},     {"敲诈勒索", 2},
};

enum class Agency { kProcuratorate, kCourt, kPolice, kJusticeBureau };
constexpr const char* kAgencyNames[] = {"procuratorate", "court", "police", "justice_bureau"};
constexpr const char* kAgencyRecordPrefix[] = {"JCY", "FY", "GA", "SFJ"};

enum class AidType {
  kMoney,
  kCounselling,
  kTraining,
  kPlacement,
  kDisability,
  kEducation,
  kMedical
};
constexpr const char* kAidEnglish[] = {"money",          "psychological counselling",
                                       "job training",   "job placement",
                                       "disability aid", "education aid",
                                       "medical aid"};
constexpr const char* kAidChinese[] = {"资金救助", "心理疏导", "职业培训", "就业安置",
                                       "残疾救助", "教育救助", "医疗救助"};

// ---------------------------------------------------------------------------
// Profiles (see the table at the top)

struct Profile {
  const char* name;
  double traditional, homophone, pinyin, spacing, fullwidth;
  double id_missing, id_mistyped, id_15, lower_x;
  double phone_missing, phone_format;
  double address_abbrev, address_typo;
  double birth_missing, birth_format, incident_missing;
  double two_refs, ref_fullwidth;
};
// clang-format off
constexpr Profile kProfiles[] = {
    //            trad  homo   pinyin space fullw  id_mis id_typo id_15 low_x ph_mis ph_fmt ad_abb ad_typo b_mis b_fmt inc_mis 2refs ref_fw
    {"clean",     0.01, 0.01,  0.005, 0.02, 0.005, 0.02,  0.005,  0.01, 0.20, 0.03,  0.05,  0.05,  0.01,   0.03, 0.05, 0.01,   0.50, 0.05},
    {"realistic", 0.05, 0.05,  0.05,  0.08, 0.03,  0.12,  0.04,   0.05, 0.50, 0.15,  0.20,  0.20,  0.05,   0.15, 0.20, 0.05,   0.25, 0.20},
    {"hard",      0.15, 0.15,  0.15,  0.15, 0.08,  0.40,  0.10,   0.10, 0.60, 0.35,  0.40,  0.40,  0.15,   0.35, 0.40, 0.15,   0.10, 0.35},
};
// clang-format on

// ---------------------------------------------------------------------------
// Text helpers

// Splits UTF-8 into code points, each as its bytes.
std::vector<std::string> Utf8Chars(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// ASCII to full-width forms (U+FF01..U+FF5E), space to U+3000.
std::string FullWidth(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') {
      out += "\u3000";
    } else if (c > 0x20 && c < 0x7F) {
      const unsigned cp = 0xFEE0 + static_cast<unsigned char>(c);
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------------------
// Dates (proleptic Gregorian; H. Hinnant's days_from_civil)

struct Date {
  int y = 0, m = 0, d = 0;
  friend bool operator==(const Date&, const Date&) = default;
};

int64_t DaysFromCivil(Date date) {
  const int y = date.y - (date.m <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (date.m + (date.m > 2 ? -3 : 9)) + 2) / 5 + date.d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

Date AddDays(Date date, int64_t days) { return CivilFromDays(DaysFromCivil(date) + days); }

Date RandomDate(Rng& rng, Date from, Date to) {
  const int64_t a = DaysFromCivil(from), b = DaysFromCivil(to);
  return CivilFromDays(a + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(b - a + 1))));
}

enum class DateFormat { kIso, kSlash, kCompact, kChinese };

std::string FormatDate(Date d, DateFormat f) {
  switch (f) {
    case DateFormat::kIso:
      return absl::StrFormat("%04d-%02d-%02d", d.y, d.m, d.d);
    case DateFormat::kSlash:
      return absl::StrFormat("%04d/%02d/%02d", d.y, d.m, d.d);
    case DateFormat::kCompact:
      return absl::StrFormat("%04d%02d%02d", d.y, d.m, d.d);
    case DateFormat::kChinese:
      return absl::StrFormat("%d年%d月%d日", d.y, d.m, d.d);
  }
  return "";
}

// The mix of formats agencies export: mostly ISO.
DateFormat RandomDateFormat(Rng& rng) {
  const double u = rng.Unit();
  return u < 0.85   ? DateFormat::kIso
         : u < 0.91 ? DateFormat::kSlash
         : u < 0.96 ? DateFormat::kCompact
                    : DateFormat::kChinese;
}

// Reads back any format FormatDate writes.
std::optional<Date> ParseDate(std::string_view s) {
  std::vector<int> parts;
  int value = -1;
  int digits = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      value = (value < 0 ? 0 : value) * 10 + (c - '0');
      ++digits;
    } else if (value >= 0) {
      parts.push_back(value);
      value = -1;
    }
  }
  if (value >= 0) parts.push_back(value);
  if (parts.size() == 1 && digits == 8) {
    parts = {parts[0] / 10000, parts[0] / 100 % 100, parts[0] % 100};
  }
  if (parts.size() != 3) return std::nullopt;
  return Date{parts[0], parts[1], parts[2]};
}

// ---------------------------------------------------------------------------
// Resident ID numbers (GB 11643-1999)

char IdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

// An 18-character ID with digits where digits belong and a matching check
// character; lower-case x accepted.
bool IsValidId18(std::string_view id) {
  if (id.size() != 18) return false;
  for (int i = 0; i < 17; ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  const char last = id[17] == 'x' ? 'X' : id[17];
  return IdCheckChar(id.substr(0, 17)) == last;
}

// 15-digit first-generation number -> its 18-character form.
std::string ExpandId15(std::string_view id15) {
  std::string body = std::string(id15.substr(0, 6)) + "19" + std::string(id15.substr(6));
  body.push_back(IdCheckChar(body));
  return body;
}

// ---------------------------------------------------------------------------
// The population

struct Address {
  int county = 0;
  std::string street;  // 街道 or 镇 part, e.g. "枫林街道"
  std::string rest;    // road and number, or village and number
};

struct Person {
  std::string surname, surname_pinyin;
  std::vector<std::string> given;  // one or two characters
  bool male = false;
  Date birth;
  int id_county = 0;
  std::string id18;
  std::string phone;
  Address address;
};

struct Case {
  int county = 0;
  int crime = 0;
  Date incident;
  int police_year = 0, police_no = 0;
  int proc_year = 0, proc_no = 0;
  int court_year = 0, court_no = 0;
};

struct Grant {
  int person = 0;
  int case_index = 0;
  Agency agency = Agency::kProcuratorate;
  AidType type = AidType::kMoney;
  int amount_yuan = 0;  // money only
  Date granted;
  bool original = false;  // the person's first, clean row
};

struct Tables {
  Weighted surnames;
  std::vector<std::string> male_chars, female_chars;
  std::unordered_map<std::string, std::string> pinyin;                   // given char -> pinyin
  std::unordered_map<std::string, std::vector<std::string>> homophones;  // char -> others
  std::unordered_map<std::string, std::string> traditional;
  Weighted crimes;

  static Tables Build() {
    Tables t;
    std::vector<uint64_t> weights;
    for (const auto& s : kSurnames) weights.push_back(static_cast<uint64_t>(s.weight));
    t.surnames = Weighted(weights);
    std::map<std::string, std::vector<std::string>> by_pinyin;
    for (const auto& row : kGiven) {
      for (const std::string& c : Utf8Chars(row.chars)) {
        if (row.lean != 'f') t.male_chars.push_back(c);
        if (row.lean != 'm') t.female_chars.push_back(c);
        t.pinyin[c] = row.pinyin;
        by_pinyin[row.pinyin].push_back(c);
      }
    }
    for (const auto& [py, chars] : by_pinyin) {
      for (const std::string& c : chars) {
        for (const std::string& other : chars)
          if (other != c) t.homophones[c].push_back(other);
      }
    }
    for (absl::string_view pair :
         absl::StrSplit(absl::string_view(kTraditionalPairs.data(), kTraditionalPairs.size()), ' ',
                        absl::SkipEmpty())) {
      const auto chars = Utf8Chars(std::string_view(pair.data(), pair.size()));
      t.traditional[chars[0]] = chars[1];
    }
    weights.clear();
    for (const auto& c : kCrimes) weights.push_back(static_cast<uint64_t>(c.weight));
    t.crimes = Weighted(weights);
    return t;
  }

  std::string ToTraditional(std::string_view s) const {
    std::string out;
    for (const std::string& c : Utf8Chars(s)) {
      const auto it = traditional.find(c);
      out += it == traditional.end() ? c : it->second;
    }
    return out;
  }
};

bool IsMunicipality(const CountyRow& c) { return std::string_view(c.province) == c.city; }
bool IsRural(const CountyRow& c) { return std::string_view(c.county).ends_with("县"); }

// Builds people, cases and grants from the structure stream.
class Population {
 public:
  Population(const Tables& tables, uint64_t seed) : t_(tables), rng_(seed) {}

  void Generate(int people) {
    while (static_cast<int>(persons_.size()) < people) {
      // A case, sometimes shared with an earlier unrelated victim.
      int case_index;
      if (!cases_.empty() && rng_.Chance(0.03)) {
        case_index =
            static_cast<int>(cases_.size() - 1 - rng_.Below(std::min<size_t>(cases_.size(), 50)));
      } else {
        case_index = NewCase(-1, RandomDate(rng_, {2015, 1, 1}, {2024, 6, 30}));
      }
      const int p = NewPerson(case_index);
      AddGrants(p, case_index);
      if (static_cast<int>(persons_.size()) < people && rng_.Chance(0.10)) {
        const int r = NewRelative(p);
        // Relatives alive at the incident are often aided in the same case.
        const bool alive =
            DaysFromCivil(persons_[r].birth) < DaysFromCivil(cases_[case_index].incident);
        const int rc = alive && rng_.Chance(0.6) ? case_index : NewCase(r, RandomIncident(r));
        AddGrants(r, rc);
      }
    }
    // Files list grants by date, not by person; same-day grants in any order.
    for (size_t i = grants_.size(); i > 1; --i) std::swap(grants_[i - 1], grants_[rng_.Below(i)]);
    std::stable_sort(grants_.begin(), grants_.end(), [](const Grant& a, const Grant& b) {
      return DaysFromCivil(a.granted) < DaysFromCivil(b.granted);
    });
  }

  const std::vector<Person>& persons() const { return persons_; }
  const std::vector<Case>& cases() const { return cases_; }
  const std::vector<Grant>& grants() const { return grants_; }

 private:
  Date RandomIncident(int person) {
    const Date from = std::max(AddDays(persons_[person].birth, 365), Date{2015, 1, 1},
                               [](Date a, Date b) { return DaysFromCivil(a) < DaysFromCivil(b); });
    return RandomDate(rng_, from, {2024, 6, 30});
  }

  // A stage number unique within (stage, county, year): counters with gaps.
  int NextNumber(int stage, int county, int year) {
    int& next = numbers_[{stage, county, year}];
    if (next == 0) next = rng_.Range(1, 200);
    const int n = next;
    next += rng_.Range(1, 20);
    return n;
  }

  int NewCase(int person, Date incident) {
    Case c;
    c.county = person >= 0 ? NearCounty(persons_[person].address.county, 0.7, 0.15)
                           : static_cast<int>(rng_.Below(kCountyCount));
    c.crime = static_cast<int>(t_.crimes.Pick(rng_));
    c.incident = incident;
    c.police_year = incident.y;
    c.police_no = NextNumber(0, c.county, c.police_year);
    c.proc_year = incident.y + (rng_.Chance(0.4) ? 1 : 0);
    c.proc_no = NextNumber(1, c.county, c.proc_year);
    c.court_year = c.proc_year + (rng_.Chance(0.3) ? 1 : 0);
    c.court_no = NextNumber(2, c.county, c.court_year);
    cases_.push_back(c);
    return static_cast<int>(cases_.size() - 1);
  }

  std::vector<std::string> GivenName(bool male, int length) {
    const auto& pool = male ? t_.male_chars : t_.female_chars;
    std::vector<std::string> g{rng_.Pick(pool)};
    if (length == 2) g.push_back(!male && rng_.Chance(0.05) ? g[0] : rng_.Pick(pool));
    return g;
  }

  // Sequence, check character and uniqueness for a person's ID.
  void AssignId(Person& p, int seq_hint = 0) {
    for (int attempt = 0;; ++attempt) {
      int seq = seq_hint > 0 && attempt == 0 ? seq_hint : rng_.Range(1, 499) * 2;
      if (p.male && seq % 2 == 0) seq += 1;
      if (!p.male && seq % 2 == 1) seq += 1;
      if (seq > 999) seq -= 2;
      std::string body = absl::StrFormat("%s%04d%02d%02d%03d", kCounties[p.id_county].code,
                                         p.birth.y, p.birth.m, p.birth.d, seq);
      if (!ids_.insert(body).second) continue;
      body.push_back(IdCheckChar(body));
      p.id18 = std::move(body);
      return;
    }
  }

  std::string NewPhone() {
    for (;;) {
      std::string phone = kPhonePrefixes[rng_.Below(std::size(kPhonePrefixes))];
      for (int i = 0; i < 8; ++i) phone.push_back(static_cast<char>('0' + rng_.Below(10)));
      if (phones_.insert(phone).second) return phone;
    }
  }

  // `county` itself with probability `same`, another county of its province
  // with probability `province`, otherwise any county (migrants).
  int NearCounty(int county, double same, double province) {
    const double u = rng_.Unit();
    if (u < same) return county;
    if (u < same + province) {
      std::vector<int> others;
      for (int i = 0; i < kCountyCount; ++i)
        if (i != county && std::string_view(kCounties[i].province) == kCounties[county].province)
          others.push_back(i);
      if (!others.empty()) return rng_.Pick(others);
    }
    return static_cast<int>(rng_.Below(kCountyCount));
  }

  Address NewAddress(int county) {
    Address a;
    a.county = county;
    const CountyRow& c = kCounties[a.county];
    if (IsRural(c)) {
      a.street = rng_.Pick(kTownStems) + "镇";
      a.rest = rng_.Pick(kVillageStems) + "村";
      if (rng_.Chance(0.5)) a.rest += absl::StrCat(rng_.Range(1, 12), "组");
      a.rest += absl::StrCat(rng_.Range(1, 150), "号");
    } else {
      a.street = rng_.Pick(kStreetStems) + "街道";
      a.rest = rng_.Pick(kRoadStems);
      const double r = rng_.Unit();
      static constexpr const char* kDirections[] = {"东", "南", "西", "北", "中"};
      if (r < 0.15) a.rest += kDirections[rng_.Below(std::size(kDirections))];
      a.rest += r < 0.80 ? "路" : r < 0.92 ? "街" : "大道";
      if (std::string_view(c.province) == "上海市" && rng_.Chance(0.5)) {
        a.rest += absl::StrCat(rng_.Range(1, 1200), "弄", rng_.Range(1, 60), "号", rng_.Range(1, 6),
                               "0", rng_.Range(1, 4), "室");
      } else {
        a.rest += absl::StrCat(rng_.Range(1, 999), "号");
        if (rng_.Chance(0.4)) {
          a.rest += absl::StrCat(rng_.Range(1, 30), "栋", rng_.Range(1, 4), "单元",
                                 rng_.Range(1, 25), "0", rng_.Range(1, 4), "室");
        }
      }
    }
    return a;
  }

  // Age at the incident: children, working age, elderly.
  Date BirthFor(Date incident) {
    const double u = rng_.Unit();
    const int age = u < 0.12   ? rng_.Range(1, 17)
                    : u < 0.85 ? rng_.Range(18, 59)
                               : rng_.Range(60, 85);
    return AddDays(incident, -(int64_t{age} * 365 + rng_.Range(0, 364)));
  }

  int NewPerson(int case_index) {
    Person p;
    if (rng_.Chance(0.04)) {
      const CommonName& n = kCommonNames[rng_.Below(std::size(kCommonNames))];
      p.surname = n.surname;
      p.surname_pinyin = kSurnames[SurnameIndex(n.surname)].pinyin;
      p.given = Utf8Chars(n.given);
      p.male = n.male;
    } else {
      const SurnameRow& s = kSurnames[t_.surnames.Pick(rng_)];
      p.surname = s.hanzi;
      p.surname_pinyin = s.pinyin;
      p.male = rng_.Chance(0.5);
      p.given = GivenName(p.male, rng_.Chance(0.25) ? 1 : 2);
    }
    p.birth = BirthFor(cases_[case_index].incident);
    // Victims mostly live where the crime happened and were born nearby.
    p.address = NewAddress(NearCounty(cases_[case_index].county, 0.7, 0.15));
    p.id_county = NearCounty(p.address.county, 0.75, 0.10);
    AssignId(p);
    p.phone = NewPhone();
    persons_.push_back(std::move(p));
    return static_cast<int>(persons_.size() - 1);
  }

  // A spouse, child, parent or twin: same address, usually the same phone.
  int NewRelative(int of) {
    const Person& base = persons_[of];
    Person r;
    r.address = base.address;
    r.phone = rng_.Chance(0.8) ? base.phone : NewPhone();
    r.id_county = rng_.Chance(0.85) ? base.id_county : NearCounty(r.address.county, 0.75, 0.10);
    enum { kTwin, kSpouse, kChild, kParent } kind;
    const double u = rng_.Unit();
    kind = u < 0.04 ? kTwin : u < 0.40 ? kSpouse : u < 0.75 ? kChild : kParent;
    if (kind == kChild && base.birth.y > 1990) kind = kParent;
    if (kind == kParent && base.birth.y < 1960) kind = kChild;
    const int64_t year = 365;
    int seq_hint = 0;
    if (kind == kTwin) {  // same birth date and surname, often a shared first character
      r.male = rng_.Chance(0.5);
      r.birth = base.birth;
      r.id_county = base.id_county;
      r.surname = base.surname;
      r.surname_pinyin = base.surname_pinyin;
      const auto& pool = r.male ? t_.male_chars : t_.female_chars;
      do {
        r.given = base.given.size() == 2 && rng_.Chance(0.7)
                      ? std::vector<std::string>{base.given[0], rng_.Pick(pool)}
                      : GivenName(r.male, static_cast<int>(base.given.size()));
      } while (r.given == base.given);
      seq_hint = std::stoi(base.id18.substr(14, 3)) + 1;
    } else {
      bool same_surname;
      if (kind == kSpouse) {  // Chinese wives keep their surnames
        r.male = !base.male;
        r.birth = AddDays(base.birth, rng_.Range(-5, 5) * year + rng_.Range(-180, 180));
        same_surname = rng_.Chance(0.05);
      } else if (kind == kChild) {
        r.male = rng_.Chance(0.5);
        r.birth = AddDays(base.birth, rng_.Range(20, 38) * year + rng_.Range(0, 364));
        same_surname = rng_.Chance(0.85);
      } else {
        r.male = rng_.Chance(0.5);
        r.birth = AddDays(base.birth, -(rng_.Range(20, 38) * year + rng_.Range(0, 364)));
        same_surname = r.male || rng_.Chance(0.1);
      }
      const Date latest{2022, 12, 31}, earliest{1930, 1, 1};
      if (DaysFromCivil(r.birth) > DaysFromCivil(latest))
        r.birth = RandomDate(rng_, {2012, 1, 1}, latest);
      if (DaysFromCivil(r.birth) < DaysFromCivil(earliest))
        r.birth = RandomDate(rng_, earliest, {1940, 12, 31});
      if (same_surname) {
        r.surname = base.surname;
        r.surname_pinyin = base.surname_pinyin;
      } else {
        const SurnameRow& s = kSurnames[t_.surnames.Pick(rng_)];
        r.surname = s.hanzi;
        r.surname_pinyin = s.pinyin;
      }
      r.given = GivenName(r.male, rng_.Chance(0.25) ? 1 : 2);
    }
    AssignId(r, seq_hint);
    persons_.push_back(std::move(r));
    return static_cast<int>(persons_.size() - 1);
  }

  static size_t SurnameIndex(std::string_view hanzi) {
    for (size_t i = 0; i < std::size(kSurnames); ++i)
      if (hanzi == kSurnames[i].hanzi) return i;
    return 0;
  }

  Agency RandomAgency() {
    const double u = rng_.Unit();
    return u < 0.35   ? Agency::kProcuratorate
           : u < 0.65 ? Agency::kCourt
           : u < 0.80 ? Agency::kPolice
                      : Agency::kJusticeBureau;
  }

  // Mostly money; children get education aid often and never job help.
  AidType RandomAidType(const Person& p, Date on) {
    const bool child = DaysFromCivil(on) - DaysFromCivil(p.birth) < 16 * 365;
    const double u = rng_.Unit();
    if (child && u < 0.25) return AidType::kEducation;
    if (u < 0.70) return AidType::kMoney;
    static constexpr AidType kAdult[] = {AidType::kCounselling, AidType::kTraining,
                                         AidType::kPlacement,   AidType::kDisability,
                                         AidType::kEducation,   AidType::kMedical};
    static constexpr AidType kChild[] = {AidType::kCounselling, AidType::kDisability,
                                         AidType::kEducation, AidType::kMedical};
    return child ? kChild[rng_.Below(std::size(kChild))] : kAdult[rng_.Below(std::size(kAdult))];
  }

  // Amounts lean low: 2000 to 50000 yuan in steps of 500.
  int RandomAmount() {
    const double u = rng_.Unit();
    const int top = u < 0.6 ? 10000 : u < 0.9 ? 30000 : 50000;
    return rng_.Range(4, top / 500) * 500;
  }

  Grant MakeGrant(int person, int case_index, Agency agency, AidType type) {
    Grant g;
    g.person = person;
    g.case_index = case_index;
    g.agency = agency;
    g.type = type;
    if (type == AidType::kMoney) g.amount_yuan = RandomAmount();
    const Date latest{2025, 6, 30};
    g.granted = AddDays(cases_[case_index].incident, rng_.Range(30, 900));
    if (DaysFromCivil(g.granted) > DaysFromCivil(latest)) g.granted = latest;
    return g;
  }

  void AddGrants(int person, int case_index) {
    const double u = rng_.Unit();
    const int k = u < 0.70 ? 1 : u < 0.88 ? 2 : u < 0.96 ? 3 : 4;
    Grant first = MakeGrant(person, case_index, RandomAgency(),
                            RandomAidType(persons_[person], cases_[case_index].incident));
    first.original = true;
    grants_.push_back(first);
    std::vector<Grant> mine{first};
    for (int i = 1; i < k; ++i) {
      if (rng_.Chance(0.65)) {
        // The same case again: usually another agency, same kind of aid.
        const Grant& prior = mine[rng_.Below(mine.size())];
        Agency agency = prior.agency;
        if (rng_.Chance(0.8)) {
          while (agency == prior.agency) agency = RandomAgency();
        }
        const AidType type =
            rng_.Chance(0.7) ? prior.type
                             : RandomAidType(persons_[person], cases_[prior.case_index].incident);
        Grant g = MakeGrant(person, prior.case_index, agency, type);
        if (agency == prior.agency && type == prior.type && rng_.Chance(0.5))
          g.amount_yuan = prior.amount_yuan;
        mine.push_back(g);
      } else {
        const int c = NewCase(person, RandomIncident(person));
        mine.push_back(MakeGrant(person, c, RandomAgency(),
                                 RandomAidType(persons_[person], cases_[c].incident)));
      }
      grants_.push_back(mine.back());
    }
  }

  const Tables& t_;
  Rng rng_;
  std::vector<Person> persons_;
  std::vector<Case> cases_;
  std::vector<Grant> grants_;
  std::unordered_set<std::string> ids_;  // first 17 characters
  std::unordered_set<std::string> phones_;
  std::map<std::tuple<int, int, int>, int> numbers_;
};

// ---------------------------------------------------------------------------
// Rendering rows, with the profile's corruptions on copies

enum class IdState { kIntact, kMissing, kMistyped, kFifteen, kLowerX };

// One output row: the CSV fields, then what the self-check needs to know.
struct Row {
  std::string record_id, agency, name, id_number, birth_date, gender, phone, address, case_ref,
      incident_date, crime, aid_type, amount_yuan, granted_on, person_id, case_id;
  int person = 0;
  bool original = false;
  IdState id_state = IdState::kIntact;
};

// The columns in file order: the header names and the fields they hold.
struct ColumnDef {
  const char* name;
  std::string Row::*field;
};
constexpr ColumnDef kColumns[] = {
    {"record_id", &Row::record_id},
    {"agency", &Row::agency},
    {"name", &Row::name},
    {"id_number", &Row::id_number},
    {"birth_date", &Row::birth_date},
    {"gender", &Row::gender},
    {"phone", &Row::phone},
    {"address", &Row::address},
    {"case_ref", &Row::case_ref},
    {"incident_date", &Row::incident_date},
    {"crime", &Row::crime},
    {"aid_type", &Row::aid_type},
    {"amount_yuan", &Row::amount_yuan},
    {"granted_on", &Row::granted_on},
    {"person_id", &Row::person_id},
    {"case_id", &Row::case_id},
};

// How many copies each corruption struck.
struct Tally {
  std::map<std::string, int> count;
  void Add(const char* what) { ++count[what]; }
  std::string ToString() const { return absl::StrJoin(count, " ", absl::PairFormatter("=")); }
};

class Renderer {
 public:
  Renderer(const Tables& tables, const Population& pop, const Profile& profile, uint64_t seed)
      : t_(tables), pop_(pop), pr_(profile), rng_(seed) {}

  std::vector<Row> RenderAll() {
    std::vector<Row> rows;
    rows.reserve(pop_.grants().size());
    std::array<int, 4> counters{};
    for (const Grant& g : pop_.grants()) {
      Row row = Render(g);
      const int a = static_cast<int>(g.agency);
      row.record_id =
          absl::StrFormat("%s%04d%06d", kAgencyRecordPrefix[a], g.granted.y, ++counters[a]);
      rows.push_back(std::move(row));
    }
    return rows;
  }

  const Tally& tally() const { return tally_; }

 private:
  bool Strike(double rate, const char* what) {
    if (!rng_.Chance(rate)) return false;
    tally_.Add(what);
    return true;
  }

  Row Render(const Grant& g) {
    const Person& p = pop_.persons()[g.person];
    const Case& c = pop_.cases()[g.case_index];
    const bool copy = !g.original;
    Row row;
    row.person = g.person;
    row.original = g.original;
    row.agency = kAgencyNames[static_cast<int>(g.agency)];
    const bool traditional = copy && Strike(pr_.traditional, "traditional");
    row.name = copy ? CorruptName(p, traditional) : p.surname + absl::StrJoin(p.given, "");
    RenderId(p, copy, row);
    if (copy && Strike(pr_.birth_missing, "birth_missing")) {
      // left empty
    } else if (copy && Strike(pr_.birth_format, "birth_format")) {
      row.birth_date = FormatDate(p.birth, static_cast<DateFormat>(rng_.Range(1, 3)));
    } else {
      row.birth_date = FormatDate(p.birth, DateFormat::kIso);
    }
    row.gender = Gender(p.male, copy);
    if (copy && Strike(pr_.phone_missing, "phone_missing")) {
      // left empty
    } else if (copy && Strike(pr_.phone_format, "phone_format")) {
      row.phone = FormatPhone(p.phone);
    } else {
      row.phone = p.phone;
    }
    row.address = RenderAddress(p.address, copy, traditional);
    row.case_ref = CaseRef(c, g.agency);
    const DateFormat df = RandomDateFormat(rng_);
    if (!(copy && Strike(pr_.incident_missing, "incident_missing")))
      row.incident_date = FormatDate(c.incident, df);
    row.crime = kCrimes[c.crime].name;
    if (rng_.Chance(0.15)) row.crime += "罪";
    const int type = static_cast<int>(g.type);
    row.aid_type = rng_.Chance(0.55) ? kAidChinese[type] : kAidEnglish[type];
    if (g.type == AidType::kMoney) row.amount_yuan = FormatAmount(g.amount_yuan);
    row.granted_on = FormatDate(g.granted, df);
    row.person_id = absl::StrFormat("P%06d", g.person + 1);
    row.case_id = absl::StrFormat("C%06d", g.case_index + 1);
    return row;
  }

  std::string CorruptName(const Person& p, bool traditional) {
    const bool fullwidth = Strike(pr_.fullwidth, "fullwidth");
    if (Strike(pr_.pinyin, "pinyin")) return PinyinName(p, fullwidth);
    std::vector<std::string> given = p.given;
    std::vector<size_t> candidates;
    for (size_t i = 0; i < given.size(); ++i)
      if (t_.homophones.contains(given[i])) candidates.push_back(i);
    if (!candidates.empty() && Strike(pr_.homophone, "homophone")) {
      const size_t i = candidates[rng_.Below(candidates.size())];
      given[i] = rng_.Pick(t_.homophones.at(given[i]));
    }
    if (traditional) {
      for (std::string& c : given) c = t_.ToTraditional(c);
    }
    std::string sep = fullwidth ? "\u3000" : "";
    if (Strike(pr_.spacing, "spacing")) {
      if (sep.empty()) sep = rng_.Chance(0.6) ? " " : "\u3000";
      if (given.size() == 2 && rng_.Chance(0.3)) given[0] += sep;  // 张 晓 明
    }
    const std::string surname = traditional ? t_.ToTraditional(p.surname) : p.surname;
    return surname + sep + absl::StrJoin(given, "");
  }

  // "Zhang Wei", "ZHANG Wei", "Wei Zhang", "zhangwei" or "ZHANG WEI".
  std::string PinyinName(const Person& p, bool fullwidth) {
    const std::string first =
        p.surname_pinyin == "lyu" && rng_.Chance(0.5) ? "lv" : p.surname_pinyin;
    std::string last;
    for (const std::string& c : p.given) {
      const std::string& py = t_.pinyin.at(c);
      // An apostrophe keeps "xi'an" apart from "xian".
      if (!last.empty() && (py[0] == 'a' || py[0] == 'e' || py[0] == 'o')) last += "'";
      last += py;
    }
    const double u = rng_.Unit();
    const std::string name = u < 0.35   ? Capitalised(first) + " " + Capitalised(last)
                             : u < 0.55 ? Upper(first) + " " + Capitalised(last)
                             : u < 0.70 ? Capitalised(last) + " " + Capitalised(first)
                             : u < 0.85 ? first + absl::StrReplaceAll(last, {{"'", ""}})
                                        : Upper(first) + " " + Upper(last);
    return fullwidth ? FullWidth(name) : name;
  }

  void RenderId(const Person& p, bool copy, Row& row) {
    std::string& out = row.id_number;
    out = p.id18;
    if (!copy) return;
    if (Strike(pr_.id_missing, "id_missing")) {
      out.clear();
      row.id_state = IdState::kMissing;
    } else if (Strike(pr_.id_mistyped, "id_mistyped")) {
      if (rng_.Chance(0.5)) {
        const size_t i = rng_.Below(17);
        out[i] = static_cast<char>('0' + (out[i] - '0' + rng_.Range(1, 9)) % 10);
      } else {
        size_t i;
        do i = rng_.Below(16);
        while (out[i] == out[i + 1]);
        std::swap(out[i], out[i + 1]);
      }
      row.id_state = IdState::kMistyped;
    } else if (p.birth.y < 2000 && Strike(pr_.id_15, "id_15")) {
      out = p.id18.substr(0, 6) + p.id18.substr(8, 9);
      row.id_state = IdState::kFifteen;
    } else if (p.id18.back() == 'X' && Strike(pr_.lower_x, "id_lower_x")) {
      out.back() = 'x';
      row.id_state = IdState::kLowerX;
    }
  }

  std::string Gender(bool male, bool copy) {
    const double u = copy ? rng_.Unit() : 0.0;
    if (u < 0.90) return male ? "男" : "女";
    if (u < 0.95) return male ? "M" : "F";
    return male ? "male" : "female";
  }

  std::string FormatPhone(const std::string& p) {
    const std::string a = p.substr(0, 3), b = p.substr(3, 4), c = p.substr(7);
    switch (rng_.Below(6)) {
      case 0:
        return absl::StrCat("+86 ", a, " ", b, " ", c);
      case 1:
        return absl::StrCat("+86", p);
      case 2:
        return absl::StrCat(a, "-", b, "-", c);
      case 3:
        return absl::StrCat(a, " ", b, " ", c);
      case 4:
        return absl::StrCat("86-", p);
      default:
        return absl::StrCat("(+86)", p);
    }
  }

  std::string RenderAddress(const Address& a, bool copy, bool traditional) {
    const CountyRow& c = kCounties[a.county];
    std::string province = c.province, city = IsMunicipality(c) ? "" : c.city, street = a.street;
    if (copy && Strike(pr_.address_abbrev, "address_abbrev")) {
      const double u = rng_.Unit();
      if (u < 0.40) {
        province.clear();  // a municipality has no city part left either
      } else if (u < 0.75) {
        province.clear();
        city.clear();
      } else {
        street.clear();
      }
    }
    std::string s = province + city + c.county + street + a.rest;
    if (copy && Strike(pr_.address_typo, "address_typo"))
      s = Typo(s, std::string(province + city + c.county).size());
    return traditional ? t_.ToTraditional(s) : s;
  }

  // After the county: swaps a character for a homophone, drops one (never
  // the unit between two numbers, which would merge them), or changes a digit.
  std::string Typo(const std::string& s, size_t protected_bytes) {
    const std::string head = s.substr(0, protected_bytes);
    std::vector<std::string> tail = Utf8Chars(s.substr(protected_bytes));
    const auto is_digit = [&](size_t j) {
      return j < tail.size() && tail[j].size() == 1 && tail[j][0] >= '0' && tail[j][0] <= '9';
    };
    std::vector<size_t> droppable, homophone, digit;
    for (size_t i = 0; i < tail.size(); ++i) {
      if (tail[i].size() == 3 && !(i > 0 && is_digit(i - 1)) && !is_digit(i + 1))
        droppable.push_back(i);
      if (t_.homophones.contains(tail[i])) homophone.push_back(i);
      if (is_digit(i)) digit.push_back(i);
    }
    const double u = rng_.Unit();
    if (u < 0.35 && !homophone.empty()) {
      const size_t i = homophone[rng_.Below(homophone.size())];
      tail[i] = rng_.Pick(t_.homophones.at(tail[i]));
    } else if (u < 0.70 && droppable.size() > 2) {
      tail.erase(tail.begin() + static_cast<ptrdiff_t>(droppable[rng_.Below(droppable.size())]));
    } else if (!digit.empty()) {
      const size_t i = digit[rng_.Below(digit.size())];
      const bool leading = i == 0 || !is_digit(i - 1);
      char d;
      do d = static_cast<char>('0' + rng_.Below(10));
      while (d == tail[i][0] || (leading && d == '0'));
      tail[i] = std::string(1, d);
    }
    return head + absl::StrJoin(tail, "");
  }

  // The agency's own stage number, sometimes a second stage's after ';'.
  std::string CaseRef(const Case& c, Agency agency) {
    enum Stage { kPolice, kProc, kCourt };
    Stage own;
    const double u = rng_.Unit();
    switch (agency) {
      case Agency::kPolice:
        own = kPolice;
        break;
      case Agency::kProcuratorate:
        own = u < 0.7 ? kProc : kPolice;
        break;
      case Agency::kCourt:
        own = kCourt;
        break;
      default:
        own = u < 0.5 ? kCourt : u < 0.8 ? kPolice : kProc;
        break;
    }
    const bool wide = Strike(pr_.ref_fullwidth, "ref_fullwidth");
    auto render = [&](Stage s) -> std::string {
      const CountyRow& k = kCounties[c.county];
      switch (s) {
        case kPolice:
          return wide ? absl::StrFormat("%s公（刑）字〔%d〕%d号", k.province_abbr, c.police_year,
                                        c.police_no)
                      : absl::StrFormat("%s公(刑)字[%d]%d号", k.province_abbr, c.police_year,
                                        c.police_no);
        case kProc: {
          const std::string county_abbr = Utf8Chars(k.county)[0];
          return wide ? absl::StrFormat("%s%s检刑诉〔%d〕%d号", k.province_abbr, county_abbr,
                                        c.proc_year, c.proc_no)
                      : absl::StrFormat("%s%s检刑诉[%d]%d号", k.province_abbr, county_abbr,
                                        c.proc_year, c.proc_no);
        }
        case kCourt:
          return wide ? absl::StrFormat("（%d）%s%s刑初%d号", c.court_year, k.province_abbr,
                                        k.code + 2, c.court_no)
                      : absl::StrFormat("(%d)%s%s刑初%d号", c.court_year, k.province_abbr,
                                        k.code + 2, c.court_no);
      }
      return "";
    };
    std::string ref = render(own);
    if (rng_.Chance(pr_.two_refs)) {
      Stage other;
      do other = static_cast<Stage>(rng_.Below(3));
      while (other == own);
      ref += rng_.Chance(0.8) ? ";" : "；";
      ref += render(other);
    }
    return ref;
  }

  std::string FormatAmount(int yuan) {
    const double u = rng_.Unit();
    if (u < 0.75) return absl::StrCat(yuan);
    if (u < 0.85) {
      return yuan >= 1000 ? absl::StrFormat("%d,%03d", yuan / 1000, yuan % 1000)
                          : absl::StrCat(yuan);
    }
    if (u < 0.95) return absl::StrCat(yuan, "元");
    return absl::StrCat(yuan, ".00");
  }

  const Tables& t_;
  const Population& pop_;
  const Profile& pr_;
  Rng rng_;
  Tally tally_;
};

// ---------------------------------------------------------------------------
// Output

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::string ToCsv(const std::vector<Row>& rows) {
  std::string out;
  for (const ColumnDef& c : kColumns) absl::StrAppend(&out, out.empty() ? "" : ",", c.name);
  out += '\n';
  for (const Row& row : rows) {
    bool first = true;
    for (const ColumnDef& c : kColumns) {
      if (!std::exchange(first, false)) out += ',';
      out += CsvField(row.*c.field);
    }
    out += '\n';
  }
  return out;
}

// UTF-8 -> GB18030 through ICU; every Unicode character has a GB18030 form,
// so a failure means malformed UTF-8 from a bug here.
absl::StatusOr<std::string> ToGb18030(const std::string& utf8) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(nullptr, 0, &length, utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
    return absl::InternalError(absl::StrCat("UTF-8 decoding: ", u_errorName(status)));
  std::u16string utf16(static_cast<size_t>(length), u'\0');
  status = U_ZERO_ERROR;
  u_strFromUTF8(utf16.data(), length, nullptr, utf8.data(), static_cast<int32_t>(utf8.size()),
                &status);
  if (U_FAILURE(status))
    return absl::InternalError(absl::StrCat("UTF-8 decoding: ", u_errorName(status)));

  UConverter* conv = ucnv_open("GB18030", &status);
  if (U_FAILURE(status))
    return absl::UnavailableError(absl::StrCat("ICU has no GB18030: ", u_errorName(status)));
  ucnv_setFromUCallBack(conv, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::string out(
      static_cast<size_t>(UCNV_GET_MAX_BYTES_FOR_STRING(length, ucnv_getMaxCharSize(conv))), '\0');
  const int32_t written = ucnv_fromUChars(conv, out.data(), static_cast<int32_t>(out.size()),
                                          utf16.data(), length, &status);
  ucnv_close(conv);
  if (U_FAILURE(status))
    return absl::InternalError(absl::StrCat("GB18030 encoding: ", u_errorName(status)));
  out.resize(static_cast<size_t>(written));
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot open ", path, " for writing"));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Summary and self-check

struct Summary {
  size_t rows = 0, people = 0;
  uint64_t same_person_pairs = 0, duplicate_grant_pairs = 0;
};

// Counts from the truth columns as written.
Summary Summarise(const std::vector<Row>& rows) {
  std::unordered_map<std::string, uint64_t> by_person, by_person_case;
  for (const Row& r : rows) {
    ++by_person[r.person_id];
    ++by_person_case[r.person_id + "/" + r.case_id];
  }
  Summary s;
  s.rows = rows.size();
  s.people = by_person.size();
  for (const auto& [k, n] : by_person) s.same_person_pairs += n * (n - 1) / 2;
  for (const auto& [k, n] : by_person_case) s.duplicate_grant_pairs += n * (n - 1) / 2;
  return s;
}

std::vector<std::string> SelfCheck(const std::vector<Row>& rows,
                                   const std::vector<Person>& persons) {
  std::vector<std::string> failures;
  auto fail = [&](const Row& r, const char* what) {
    failures.push_back(
        absl::StrCat(r.record_id, " (", r.person_id, "): ", what, " [", r.id_number, "]"));
  };
  std::unordered_set<std::string> record_ids;
  std::vector<int> originals(persons.size(), 0);
  for (const Row& r : rows) {
    if (!record_ids.insert(r.record_id).second) fail(r, "record_id repeated");
    const std::string& id = r.id_number;
    const std::string& truth = persons[r.person].id18;
    if (r.original) {
      ++originals[r.person];
      if (id.size() != 18 || !IsValidId18(id) || id.back() == 'x') {
        fail(r, "original ID is not a valid 18-character ID");
        continue;
      }
      const std::optional<Date> birth = ParseDate(r.birth_date);
      const Date from_id{std::stoi(id.substr(6, 4)), std::stoi(id.substr(10, 2)),
                         std::stoi(id.substr(12, 2))};
      if (!birth || !(*birth == from_id)) fail(r, "original birth_date disagrees with the ID");
      const bool male = (id[16] - '0') % 2 == 1;
      if (r.gender != (male ? "男" : "女")) fail(r, "original gender disagrees with the ID");
    }
    switch (r.id_state) {
      case IdState::kIntact:
        if (!IsValidId18(id) || id != truth) fail(r, "uncorrupted ID fails its check");
        break;
      case IdState::kLowerX:
        if (!IsValidId18(id) || id.back() != 'x') fail(r, "lower-case x ID fails its check");
        break;
      case IdState::kMistyped:
        if (IsValidId18(id)) fail(r, "mistyped ID passes its check");
        break;
      case IdState::kFifteen:
        if (id.size() != 15 || ExpandId15(id) != truth)
          fail(r, "15-digit ID does not expand to the person's ID");
        break;
      case IdState::kMissing:
        if (!id.empty()) fail(r, "missing ID is not empty");
        break;
    }
    if (!r.birth_date.empty()) {
      const std::optional<Date> birth = ParseDate(r.birth_date);
      if (!birth || !(*birth == persons[r.person].birth)) fail(r, "birth_date is not the person's");
    }
  }
  for (size_t p = 0; p < persons.size(); ++p) {
    if (originals[p] != 1)
      failures.push_back(absl::StrFormat("P%06d has %d original rows", p + 1, originals[p]));
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "concord-aid-gen: synthetic judicial-aid grants with truth columns (see the source header)"};
  int people = 0;
  uint64_t seed = 1;
  std::string out_path;
  std::string profile_name = "realistic";
  bool gb18030 = false, bom = false, self_check = false;
  app.add_option("--people", people, "number of distinct people")
      ->required()
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--seed", seed, "random seed; the same seed gives the same file");
  app.add_option("--out", out_path, "CSV file to write")->required();
  app.add_option("--profile", profile_name, "corruption rates")
      ->check(CLI::IsMember({"clean", "realistic", "hard"}));
  auto* gb = app.add_flag("--gb18030", gb18030, "write GB18030 instead of UTF-8");
  app.add_flag("--bom", bom, "start the UTF-8 file with a byte-order mark")->excludes(gb);
  app.add_flag("--self-check", self_check,
               "verify IDs, birth dates and genders of what was written; exit 1 if wrong");
  CLI11_PARSE(app, argc, argv);

  const auto start = std::chrono::steady_clock::now();
  const Profile* profile = &kProfiles[0];
  for (const Profile& p : kProfiles)
    if (profile_name == p.name) profile = &p;

  const Tables tables = Tables::Build();
  Population population(tables, seed);
  population.Generate(people);
  // The corruption stream: a different, seed-derived start (splitmix64 step).
  uint64_t z = seed + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  Renderer renderer(tables, population, *profile, z ^ (z >> 31));
  const std::vector<Row> rows = renderer.RenderAll();

  std::string bytes = ToCsv(rows);
  if (gb18030) {
    absl::StatusOr<std::string> converted = ToGb18030(bytes);
    if (!converted.ok()) {
      std::fprintf(stderr, "concord-aid-gen: %s\n",
                   std::string(converted.status().message()).c_str());
      return 1;
    }
    bytes = *std::move(converted);
  } else if (bom) {
    bytes.insert(0, "\xEF\xBB\xBF");
  }
  if (absl::Status s = WriteFile(out_path, bytes); !s.ok()) {
    std::fprintf(stderr, "concord-aid-gen: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  const Summary s = Summarise(rows);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "concord-aid-gen: profile=%s seed=%llu rows=%zu people=%zu same_person_pairs=%llu "
               "duplicate_grant_pairs=%llu (%.2f s)\n",
               profile->name, static_cast<unsigned long long>(seed), s.rows, s.people,
               static_cast<unsigned long long>(s.same_person_pairs),
               static_cast<unsigned long long>(s.duplicate_grant_pairs), seconds);
  std::fprintf(stderr, "concord-aid-gen: corruptions %s\n", renderer.tally().ToString().c_str());

  if (self_check) {
    const std::vector<std::string> failures = SelfCheck(rows, population.persons());
    for (size_t i = 0; i < failures.size() && i < 20; ++i)
      std::fprintf(stderr, "self-check: %s\n", failures[i].c_str());
    if (!failures.empty()) {
      std::fprintf(stderr, "self-check: %zu failures\n", failures.size());
      return 1;
    }
    std::fprintf(stderr, "self-check: ok (%zu rows)\n", rows.size());
  }
  return 0;
}
