// A small stand-in for libFuzzer's main(), for the GCC build and CI: it runs
// a target's LLVMFuzzerTestOneInput over every seed, then over deterministic
// mutations of them (no coverage feedback), so that the sanitizer build
// (build-asan, ctest -L fuzz) tries each intake with broken input on every
// run. bench/fuzz.sh runs the same targets under the real libFuzzer.
//
//   <target>_fuzz [-runs=N] [-max_total_time=S] [-seed=X] [-max_len=B] PATH...
//
// The flags are libFuzzer's (others starting with '-' are ignored), so a
// command line works with either. PATH is a seed file or a folder of them
// (read recursively). Mutations stop after N runs or S seconds, whichever
// comes first. A crash (signal, uncaught exception, sanitizer report) ends
// the process (status 77, as libFuzzer) with the input written to
// ./crash-<target>-<hash> and its path printed; 0 means every input returned.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

// The input being run, for the crash handlers (async-signal-safe access only).
const uint8_t* g_data = nullptr;
size_t g_size = 0;
char g_crash_path[512] = "crash";

void WriteCrash() {
  static volatile sig_atomic_t written = 0;
  if (written) return;
  written = 1;
  const int fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    for (size_t off = 0; off < g_size;) {
      const ssize_t n = write(fd, g_data + off, g_size - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fd);
  }
  const char msg[] = "\n== fuzz driver: crash; input written to ";
  (void)!write(2, msg, sizeof msg - 1);
  (void)!write(2, g_crash_path, strlen(g_crash_path));
  (void)!write(2, "\n", 1);
}

// As libFuzzer: a crash ends the process with status 77 once its input is saved.
constexpr int kCrashExit = 77;

void OnSignal(int) {
  WriteCrash();
  _exit(kCrashExit);
}

uint64_t Fnv1a(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

void Run(const std::string& target, const std::vector<uint8_t>& input) {
  g_data = input.data();
  g_size = input.size();
  snprintf(g_crash_path, sizeof g_crash_path, "crash-%s-%016llx", target.c_str(),
           static_cast<unsigned long long>(Fnv1a(input.data(), input.size())));
  // A copy of exactly `size` bytes, so that ASan sees a read past the end.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() ? input.size() : 1]);
  if (!input.empty()) memcpy(copy.get(), input.data(), input.size());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
}

// Byte values that break parsers more often than random ones.
constexpr uint8_t kInteresting[] = {0,   1,   0x7f, 0x80, 0xff, '"',  '\'', ',',  '\n', '\r',
                                    '=', '[', ']',  '{',  '}',  '\\', '%',  ';',  ':',  '-',
                                    '0', '9', ' ',  0xe3, 0x80, 0xc0, 0xef, 0xbb, 0xbf, 0xfe};

class Mutator {
 public:
  Mutator(uint64_t seed, size_t max_len) : rng_(seed), max_len_(max_len) {}

  // One to eight stacked changes of `base`, sometimes spliced with `other`.
  std::vector<uint8_t> Mutate(const std::vector<uint8_t>& base, const std::vector<uint8_t>& other) {
    std::vector<uint8_t> d = base;
    const int n = 1 + static_cast<int>(Below(8));
    for (int i = 0; i < n; ++i) MutateOnce(d, other);
    if (d.size() > max_len_) d.resize(max_len_);
    return d;
  }

 private:
  uint64_t Below(uint64_t n) { return n ? rng_() % n : 0; }

  void MutateOnce(std::vector<uint8_t>& d, const std::vector<uint8_t>& other) {
    switch (Below(10)) {
      case 0:  // flip a bit
        if (!d.empty()) d[Below(d.size())] ^= static_cast<uint8_t>(1u << Below(8));
        break;
      case 1:  // a random byte
        if (!d.empty()) d[Below(d.size())] = static_cast<uint8_t>(Below(256));
        break;
      case 2:  // an interesting byte
        if (!d.empty()) d[Below(d.size())] = kInteresting[Below(sizeof kInteresting)];
        break;
      case 3: {  // insert a few random or interesting bytes
        const size_t at = Below(d.size() + 1), k = 1 + Below(4);
        for (size_t i = 0; i < k; ++i)
          d.insert(d.begin() + static_cast<long>(at),
                   Below(2) ? static_cast<uint8_t>(Below(256))
                            : kInteresting[Below(sizeof kInteresting)]);
        break;
      }
      case 4: {  // delete a range
        if (d.empty()) break;
        const size_t at = Below(d.size()), k = 1 + Below(std::min<size_t>(16, d.size() - at));
        d.erase(d.begin() + static_cast<long>(at), d.begin() + static_cast<long>(at + k));
        break;
      }
      case 5: {  // duplicate a range (repeats nest brackets, rows, fields)
        if (d.empty() || d.size() > max_len_ / 2) break;
        const size_t at = Below(d.size()), k = 1 + Below(std::min<size_t>(64, d.size() - at));
        const std::vector<uint8_t> piece(d.begin() + static_cast<long>(at),
                                         d.begin() + static_cast<long>(at + k));
        const size_t times = 1 + Below(Below(2) ? 4 : 64);
        for (size_t t = 0; t < times && d.size() + k <= max_len_; ++t)
          d.insert(d.begin() + static_cast<long>(at), piece.begin(), piece.end());
        break;
      }
      case 6: {  // splice: our head, the other input's tail
        if (other.empty()) break;
        const size_t cut = Below(d.size() + 1), from = Below(other.size());
        d.resize(cut);
        d.insert(d.end(), other.begin() + static_cast<long>(from), other.end());
        break;
      }
      case 7: {  // copy a piece of the other input over ours
        if (other.empty() || d.empty()) break;
        const size_t from = Below(other.size()), at = Below(d.size());
        const size_t k = std::min({other.size() - from, d.size() - at, 1 + Below(32)});
        std::copy_n(other.begin() + static_cast<long>(from), k, d.begin() + static_cast<long>(at));
        break;
      }
      case 8:  // truncate
        d.resize(Below(d.size() + 1));
        break;
      case 9: {  // add or subtract a small number at a byte (lengths, varints, digits)
        if (d.empty()) break;
        uint8_t& b = d[Below(d.size())];
        b = static_cast<uint8_t>(b + static_cast<int>(Below(35)) - 17);
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  size_t max_len_;
};

bool ReadFile(const std::filesystem::path& p, std::vector<uint8_t>* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::string target = std::filesystem::path(argv[0]).filename().string();
  uint64_t runs = 10000, seed = 1;
  double max_seconds = 0;
  size_t max_len = 0;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("-runs=", 0) == 0) {
      runs = std::strtoull(a.c_str() + 6, nullptr, 10);
    } else if (a.rfind("-max_total_time=", 0) == 0) {
      max_seconds = std::strtod(a.c_str() + 16, nullptr);
    } else if (a.rfind("-seed=", 0) == 0) {
      seed = std::strtoull(a.c_str() + 6, nullptr, 10);
    } else if (a.rfind("-max_len=", 0) == 0) {
      max_len = std::strtoull(a.c_str() + 9, nullptr, 10);
    } else if (!a.empty() && a[0] == '-') {
      // another libFuzzer flag: not ours
    } else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::vector<uint8_t>> corpus;
  for (const auto& f : files) {
    std::vector<uint8_t> bytes;
    if (!ReadFile(f, &bytes)) {
      fprintf(stderr, "%s: cannot read %s\n", target.c_str(), f.c_str());
      return 2;
    }
    corpus.push_back(std::move(bytes));
  }
  if (corpus.empty()) {
    fprintf(stderr, "%s: no seed input (give files or folders)\n", target.c_str());
    return 2;
  }
  size_t longest = 0;
  for (const auto& c : corpus) longest = std::max(longest, c.size());
  if (max_len == 0) max_len = std::max<size_t>(4096, 2 * longest);

  // Under a sanitizer its report comes first, then the death callback saves
  // the input; SIGABRT (a failed check, abort_on_error) is ours either way.
  signal(SIGABRT, OnSignal);
  if (__sanitizer_set_death_callback) {
    __sanitizer_set_death_callback(WriteCrash);
  } else {
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) signal(sig, OnSignal);
  }
  std::set_terminate([] {
    WriteCrash();
    _exit(kCrashExit);
  });

  const auto start = std::chrono::steady_clock::now();
  for (const auto& c : corpus) Run(target, c);
  Mutator mutator(seed, max_len);
  std::mt19937_64 pick(seed ^ 0x9e3779b97f4a7c15ull);
  uint64_t done = 0;
  double elapsed = 0;
  for (; done < runs; ++done) {
    if ((done & 63) == 0) {
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (max_seconds > 0 && elapsed >= max_seconds) break;
    }
    const auto& base = corpus[pick() % corpus.size()];
    const auto& other = corpus[pick() % corpus.size()];
    Run(target, mutator.Mutate(base, other));
  }
  elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  printf("%s: %zu seeds and %llu mutations (seed %llu, max_len %zu) in %.2f s, no crash\n",
         target.c_str(), corpus.size(), static_cast<unsigned long long>(done),
         static_cast<unsigned long long>(seed), max_len, elapsed);
  return 0;
}
