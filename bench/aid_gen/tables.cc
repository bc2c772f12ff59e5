#include "bench/aid_gen/tables.h"

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_split.h"

namespace concord::aidgen {
namespace {

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

}  // namespace

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

Tables Tables::Build() {
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

std::string Tables::ToTraditional(std::string_view s) const {
  std::string out;
  for (const std::string& c : Utf8Chars(s)) {
    const auto it = traditional.find(c);
    out += it == traditional.end() ? c : it->second;
  }
  return out;
}

bool IsMunicipality(const CountyRow& c) { return std::string_view(c.province) == c.city; }
bool IsRural(const CountyRow& c) { return std::string_view(c.county).ends_with("县"); }

}  // namespace concord::aidgen
