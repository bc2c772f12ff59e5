#include "tools/concordctl/aid_commands.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "domain/linkage/dedup.h"

namespace concord::ctl {

int CmdAidKeygen(const std::string& path) {
  if (auto st = aid::WriteNewLinkageKey(path); !st.ok()) {
    std::cerr << st.message() << "\n";
    return 2;
  }
  std::cout << "已生成关联密钥 / linkage key written: " << path
            << "（分发给各救助机关，不得交给枢纽或救助代理 / give it to the granting agencies,"
               " never to the hub or the aid agent)\n";
  return 0;
}

int CmdAidDedup(const AidDedupArgs& a) {
  auto format = aid::ParseInputFormat(a.format);
  if (!format.ok()) {
    std::cerr << format.status().message() << "\n";
    return 2;
  }
  aid::LinkageKey key;
  if (!a.key_file.empty()) {
    auto k = aid::ReadLinkageKey(a.key_file);
    if (!k.ok()) {
      std::cerr << k.status().message() << "\n";
      return 2;
    }
    key = *k;
  } else {
    key = aid::RandomLinkageKey();  // one run: any key will do, as long as it is one key
  }
  aid::DedupOptions o;
  o.format = *format;
  o.ignore_columns = a.ignore_columns;
  o.threshold = a.threshold;
  o.person_only = a.person_only || *format != aid::InputFormat::kConcord;
  auto r = aid::RunDedup(a.input, o, key);
  if (!r.ok()) {
    std::cerr << r.status().message() << "\n";
    return 2;
  }
  for (const auto& e : r->errors)
    std::cerr << a.input << ":" << e.line << ": " << e.reason << "\n";
  std::ofstream out(a.out);
  if (!out) {
    std::cerr << "无法写入 / cannot write " << a.out << "\n";
    return 2;
  }
  out << "id_a,id_b,score\n";
  char score[32];
  for (const auto& p : r->pairs) {
    snprintf(score, sizeof score, "%.4f", p.probability);
    out << p.id_a << "," << p.id_b << "," << score << "\n";
  }
  if (!out.flush()) {
    std::cerr << "无法写入 / cannot write " << a.out << "\n";
    return 2;
  }
  if (!a.model_out.empty()) std::ofstream(a.model_out) << r->model.ToText();
  fprintf(stderr,
          "记录 records %zu（跳过 skipped %zu 行 rows）; 候选对 candidate pairs %zu（过大的分块 "
          "oversized blocks skipped %zu）; 判为%s %s pairs %zu\n"
          "用时 time: read %.2f s, encode %.2f s, match %.2f s\n",
          r->records, r->errors.size(), r->candidates, r->skipped_keys,
          o.person_only ? "同一人" : "重复救助", o.person_only ? "same-person" : "duplicate-aid",
          r->pairs.size(), r->seconds_read, r->seconds_encode, r->seconds_match);
  return r->errors.empty() ? 0 : 1;
}

}  // namespace concord::ctl
