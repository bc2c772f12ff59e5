// The TOML config, chosen by the input's first byte (the rest is the text):
//   0  ConfigFile::Parse, then every value of every table read as every kind
//      (String, Int, Double, Bool, Strings, Path, StringMap, nested tables
//      and arrays of tables), as the daemons read their sections
//   1  the hub's registry file (Registry::Load, with the demo ACL)
//   2  the hub's ACL file (Registry::Load, with the demo registry)
// Registry::Load reads paths: the text goes through a file in /dev/shm (or /tmp),
// one per process, rewritten each time.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/config.h"
#include "hub/registry/registry.h"

namespace {

constexpr char kRegistry[] = R"([[principal]]
name = "shangzhou.court"
public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
roles = ["agency"]
display = "上州区人民法院"

[[principal]]
name = "shangzhou.police"
public_key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
roles = ["agency"]
)";

constexpr char kAcl[] = R"([[rule]]
from = "role:agency"
type = "concord.v1.*"
to = ["role:agency", "topic:*"]

[[subscribe]]
from = "role:agency"
topics = ["district"]
)";

// Never destroyed: the atexit handler below runs after the statics whose
// construction finished after it was registered are gone (ASan's
// heap-use-after-free when it was a plain static string).
const std::string& Folder() {
  static const std::string* const folder = [] {
    auto* f = new std::string(std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                              "/concord-toml-fuzz-" + std::to_string(getpid()));
    if (mkdir(f->c_str(), 0700) != 0 && errno != EEXIST) std::abort();
    std::atexit([] {
      for (const char* name : {"/registry.toml", "/acl.toml"}) unlink((Folder() + name).c_str());
      rmdir(Folder().c_str());
    });
    return f;
  }();
  return *folder;
}

std::string Write(const char* name, std::string_view text) {
  const std::string path = Folder() + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (!text.empty()) std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  return path;
}

void Walk(const concord::ConfigSection& s, int depth) {
  if (depth > 8) return;
  for (const std::string& key : s.Keys()) {
    (void)s.Has(key);
    (void)s.String(key);
    (void)s.Int(key, int64_t{-1});
    (void)s.Int<int>(key, -1);
    (void)s.Int<uint32_t>(key, 7);
    (void)s.Int<uint16_t>(key, 7);
    (void)s.Double(key, 0.5);
    (void)s.Bool(key, false);
    (void)s.Strings(key);
    (void)s.Path(key);
    (void)s.StringMap(key);
    Walk(s[key], depth + 1);
    for (const concord::ConfigSection& t : s.Tables(key)) Walk(t, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      if (auto file = concord::ConfigFile::Parse(text, "/etc/concord/court.toml"); file.ok()) {
        Walk(file->root(), 0);
        (void)file->Resolve("data");
      }
      break;
    case 1:
      (void)concord::hub::Registry::Load(Write("/registry.toml", text), Write("/acl.toml", kAcl));
      break;
    case 2:
      (void)concord::hub::Registry::Load(Write("/registry.toml", kRegistry),
                                         Write("/acl.toml", text));
      break;
  }
  return 0;
}
