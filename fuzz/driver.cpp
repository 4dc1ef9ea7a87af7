// Runs a libFuzzer-style target without libFuzzer, so every fuzz target also
// runs as an ordinary test under g++ with ASan+UBSan: first each file of the
// seed corpus, then a fixed number of deterministic inputs made by mutating
// the seeds (bit flips, byte insertions and deletions, splices, random bytes).
// `make fuzz` builds the same targets with clang's real libFuzzer instead.
//   usage: <target> CORPUS_DIR [ITERATIONS]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& s) { LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

std::string mutate(std::string s, const std::vector<std::string>& seeds, std::mt19937_64& rng) {
    auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
    const int steps = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < steps; ++i) {
        switch (rng() % 6) {
            case 0: if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8)); break;
            case 1: s.insert(pick(s.size() + 1), 1, static_cast<char>(rng() % 256)); break;
            case 2: if (!s.empty()) s.erase(pick(s.size()), 1 + pick(8)); break;
            case 3: { const auto& o = seeds[pick(seeds.size())]; s.insert(pick(s.size() + 1), o.substr(pick(o.size() + 1))); break; }
            case 4: { std::string r(pick(64), '\0'); for (auto& c : r) c = static_cast<char>(rng() % 256); s += r; break; }
            default: if (!s.empty()) s.insert(pick(s.size()), s.substr(pick(s.size()), 16)); break;
        }
        if (s.size() > 64 * 1024) s.resize(64 * 1024);
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS]\n", argv[0]);
        return 2;
    }
    const long iterations = argc > 2 ? std::atol(argv[2]) : 20000;
    std::vector<std::string> seeds;
    for (const auto& e : std::filesystem::directory_iterator(argv[1])) {
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        seeds.push_back(ss.str());
    }
    if (seeds.empty()) {
        std::fprintf(stderr, "no seed in %s\n", argv[1]);
        return 2;
    }
    for (const auto& s : seeds) run(s);
    std::mt19937_64 rng(20261122);
    for (long i = 0; i < iterations; ++i) run(mutate(seeds[i % static_cast<long>(seeds.size())], seeds, rng));
    std::printf("%zu seeds and %ld mutated inputs ran without a crash\n", seeds.size(), iterations);
    return 0;
}
