// Every CSV intake, chosen by the input's first byte (the rest is the file):
//   0  common/csv.h Table, every row read and checked
//   1  an aid grants export (ParseAidCsv), each good row normalised and
//      encoded as the adapter does before an aid check
//   2  the same with a column map: the first line is the map
//      ("name=证件姓名,..."), the rest the file
//   3  a case-links file (ParseCaseLinksCsv)
//   4  a petitions export (ParsePetitionCsv), as the drop folder and the
//      console's upload read it
//   5  a Febrl file, 6 a Splink file (concordctl aid dedup: ReadLinkageFile,
//      which reads a path, so the bytes go through a file in /dev/shm or /tmp)
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/csv.h"
#include "domain/linkage/aid_csv.h"
#include "domain/linkage/dedup.h"
#include "domain/linkage/tokens.h"
#include "domain/petition_intake.h"

namespace {

constexpr int64_t kNowMs = 1'780'000'000'000;  // 2026-05-28

const concord::aid::Encoder& TheEncoder() {
  static const concord::aid::Encoder encoder([] {
    concord::aid::LinkageKey key{};
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    return key;
  }());
  return encoder;
}

void Encode(const concord::aid::AidCsvResult& r) {
  for (const concord::aid::AidRecord& rec : r.records) (void)TheEncoder().Encode(rec);
}

void ReadTable(std::string_view bytes) {
  static constexpr concord::csv::Column kColumns[] = {
      {"name", "姓名", true, "名字"},
      {"id_number", "身份证号"},
      {"amount", "金额"},
  };
  absl::StatusOr<concord::csv::Table> table =
      concord::csv::Table::Parse(absl::string_view(bytes.data(), bytes.size()), kColumns);
  if (!table.ok()) return;
  concord::csv::Row row;
  while (table->Next(&row)) {
    (void)table->Check(row);
    for (size_t c = 0; c < std::size(kColumns); ++c)
      (void)concord::csv::Quote(table->Field(row, c));
  }
}

// ReadLinkageFile takes a path: one file per process, rewritten each time.
void ReadLinkage(std::string_view bytes, concord::aid::InputFormat format) {
  static const std::string path = std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                  "/concord-csv-fuzz-" + std::to_string(getpid());
  static const bool cleanup = [] {
    std::atexit([] { unlink(path.c_str()); });
    return true;
  }();
  (void)cleanup;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  auto records = concord::aid::ReadLinkageFile(path, format, {"soc_sec_id"});
  if (records.ok())
    for (const concord::aid::AidRecord& rec : *records) (void)TheEncoder().Encode(rec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      ReadTable(bytes);
      break;
    case 1:
      if (auto r = concord::aid::ParseAidCsv(bytes); r.ok()) Encode(*r);
      break;
    case 2: {
      const size_t nl = bytes.find('\n');
      const std::string_view map_text = bytes.substr(0, nl);
      const std::string_view file = nl == std::string_view::npos ? "" : bytes.substr(nl + 1);
      auto map = concord::aid::ParseAidColumnMap(map_text);
      if (!map.ok()) break;
      (void)concord::aid::DescribeAidColumnMap(*map);
      if (auto r = concord::aid::ParseAidCsv(file, *map); r.ok()) Encode(*r);
      break;
    }
    case 3:
      (void)concord::aid::ParseCaseLinksCsv(bytes);
      break;
    case 4:
      (void)concord::ledger::ParsePetitionCsv(absl::string_view(bytes.data(), bytes.size()),
                                              kNowMs);
      break;
    case 5:
      ReadLinkage(bytes, concord::aid::InputFormat::kFebrl);
      break;
    case 6:
      ReadLinkage(bytes, concord::aid::InputFormat::kSplink);
      break;
  }
  return 0;
}
