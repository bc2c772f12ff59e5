#include "domain/linkage/charges.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "domain/linkage/normalize.h"

namespace concord::aid {
namespace {

// Charge names of the Criminal Law (罪名, as the Supreme People's Court and
// Procuratorate's lists spell them, without 罪) that victims' aid meets.
constexpr std::string_view kCharges[] = {
    // Against the person
    "故意杀人",
    "过失致人死亡",
    "故意伤害",
    "过失致人重伤",
    "组织出卖人体器官",
    "强奸",
    "强制猥亵",
    "侮辱",
    "猥亵儿童",
    "非法拘禁",
    "绑架",
    "拐卖妇女",
    "拐卖儿童",
    "收买被拐卖的妇女",
    "收买被拐卖的儿童",
    "诬告陷害",
    "强迫劳动",
    "雇用童工从事危重劳动",
    "非法侵入住宅",
    "诽谤",
    "刑讯逼供",
    "暴力取证",
    "虐待",
    "虐待被监护、看护人",
    "遗弃",
    "拐骗儿童",
    "组织残疾人、儿童乞讨",
    "负有照护职责人员性侵",
    // Against property
    "抢劫",
    "盗窃",
    "诈骗",
    "抢夺",
    "聚众哄抢",
    "侵占",
    "职务侵占",
    "挪用资金",
    "敲诈勒索",
    "故意毁坏财物",
    "破坏生产经营",
    "拒不支付劳动报酬",
    "合同诈骗",
    "集资诈骗",
    "贷款诈骗",
    "信用卡诈骗",
    "保险诈骗",
    "非法吸收公众存款",
    "组织、领导传销活动",
    // Public safety and traffic
    "交通肇事",
    "危险驾驶",
    "放火",
    "失火",
    "爆炸",
    "投放危险物质",
    "以危险方法危害公共安全",
    "过失以危险方法危害公共安全",
    "重大责任事故",
    "重大劳动安全事故",
    "医疗事故",
    "非法行医",
    // Public order
    "寻衅滋事",
    "聚众斗殴",
    "妨害公务",
    "袭警",
    "黑社会性质组织",
    "组织卖淫",
    "强迫卖淫",
    "非法采矿",
    "非法持有枪支",
};

// Short forms and other wordings that name one charge.
const std::unordered_map<std::string_view, std::string_view>& Aliases() {
  static const auto* kAliases = new std::unordered_map<std::string_view, std::string_view>{
      {"伤害", "故意伤害"},
      {"故意伤人", "故意伤害"},
      {"伤人", "故意伤害"},
      {"重伤害", "故意伤害"},
      {"轻伤害", "故意伤害"},
      {"故意重伤", "故意伤害"},
      {"故意轻伤", "故意伤害"},
      {"杀人", "故意杀人"},
      {"谋杀", "故意杀人"},
      {"杀人未遂", "故意杀人"},
      {"过失致死", "过失致人死亡"},
      {"过失杀人", "过失致人死亡"},
      {"过失致人死亡", "过失致人死亡"},
      {"过失重伤", "过失致人重伤"},
      {"过失伤害", "过失致人重伤"},
      {"过失伤人", "过失致人重伤"},
      {"交通事故", "交通肇事"},
      {"肇事", "交通肇事"},
      {"肇事逃逸", "交通肇事"},
      {"交通肇事逃逸", "交通肇事"},
      {"醉驾", "危险驾驶"},
      {"醉酒驾驶", "危险驾驶"},
      {"酒驾", "危险驾驶"},
      {"追逐竞驶", "危险驾驶"},
      {"敲诈", "敲诈勒索"},
      {"勒索", "敲诈勒索"},
      {"拘禁", "非法拘禁"},
      {"限制人身自由", "非法拘禁"},
      {"强奸未遂", "强奸"},
      {"奸淫幼女", "强奸"},
      {"猥亵", "强制猥亵"},
      {"强制猥亵、侮辱", "强制猥亵"},
      {"抢劫未遂", "抢劫"},
      {"持刀抢劫", "抢劫"},
      {"飞车抢夺", "抢夺"},
      {"偷窃", "盗窃"},
      {"扒窃", "盗窃"},
      {"入室盗窃", "盗窃"},
      {"电信诈骗", "诈骗"},
      {"网络诈骗", "诈骗"},
      {"电诈", "诈骗"},
      {"毁坏财物", "故意毁坏财物"},
      {"欠薪", "拒不支付劳动报酬"},
      {"拒不支付工资", "拒不支付劳动报酬"},
      {"拐卖", "拐卖妇女"},
      {"拐卖妇女、儿童", "拐卖妇女"},
      {"非法集资", "非法吸收公众存款"},
      {"传销", "组织、领导传销活动"},
      {"打架斗殴", "聚众斗殴"},
      {"斗殴", "聚众斗殴"},
      {"黑恶", "黑社会性质组织"},
      {"涉黑", "黑社会性质组织"},
      {"投毒", "投放危险物质"},
      {"纵火", "放火"},
  };
  return *kAliases;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Drops bracketed qualifiers: ( ) after NFKC, and 〔〕 【】.
std::string DropBrackets(const std::string& s) {
  static constexpr std::pair<std::string_view, std::string_view> kPairs[] = {
      {"(", ")"}, {"〔", "〕"}, {"【", "】"}, {"[", "]"}};
  std::string out = s;
  for (const auto& [open, close] : kPairs) {
    for (size_t at = out.find(open); at != std::string::npos; at = out.find(open, at)) {
      const size_t end = out.find(close, at + open.size());
      out.erase(at, end == std::string::npos ? std::string::npos : end + close.size() - at);
    }
  }
  return out;
}

std::string_view Trimmed(std::string_view part) {
  for (std::string_view p : {"被告人涉嫌", "犯罪嫌疑人涉嫌", "涉嫌", "被告人"})
    if (StartsWith(part, p)) {
      part.remove_prefix(p.size());
      break;
    }
  for (std::string_view s : {"一案", "案件", "案", "罪"})
    if (EndsWith(part, s)) part.remove_suffix(s.size());
  if (EndsWith(part, "罪")) part.remove_suffix(std::string_view("罪").size());  // 伤害罪案
  return part;
}

std::string Canonical(std::string_view part) {
  const auto& aliases = Aliases();
  if (auto it = aliases.find(part); it != aliases.end()) return std::string(it->second);
  std::string_view best;
  for (std::string_view c : kCharges)
    if (c.size() > best.size() && part.find(c) != std::string_view::npos) best = c;
  if (!best.empty()) return std::string(best);
  // A short form inside a longer wording (伤害致死, 醉驾肇事): the longest
  // alias, the first in text order on a tie (the same on every build).
  std::string_view alias, to;
  size_t at = std::string_view::npos;
  for (const auto& [from, charge] : aliases) {
    const size_t found = part.find(from);
    if (found == std::string_view::npos) continue;
    if (from.size() > alias.size() || (from.size() == alias.size() && found < at)) {
      alias = from;
      to = charge;
      at = found;
    }
  }
  if (!alias.empty()) return std::string(to);
  return std::string(part);
}

}  // namespace

std::vector<std::string> Charges(std::string_view crime) {
  std::string text;
  for (char c : DropBrackets(NormalizeText(crime)))
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) text.push_back(c);
  // Several charges: split on the list separators (NFKC made ，；full-width
  // ones ASCII); 、 stays inside names such as 强制猥亵、侮辱 and is tried
  // whole first.
  std::vector<std::string> out;
  auto add = [&](std::string_view part) {
    part = Trimmed(part);
    if (part.empty()) return;
    std::string c = Canonical(part);
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
  };
  size_t start = 0;
  auto flush = [&](size_t end) {
    std::string_view part(text.data() + start, end - start);
    if (Aliases().count(Trimmed(part)) ||
        std::find(std::begin(kCharges), std::end(kCharges), Trimmed(part)) != std::end(kCharges)) {
      add(part);
      return;
    }
    // Split the part on 、 too.
    size_t s = 0;
    for (size_t at = part.find("、"); at != std::string_view::npos; at = part.find("、", s)) {
      add(part.substr(s, at - s));
      s = at + std::string_view("、").size();
    }
    add(part.substr(s));
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ',' || c == ';' || c == '/') {
      flush(i);
      start = i + 1;
    }
  }
  flush(text.size());
  return out;
}

}  // namespace concord::aid
