// The journal's parsers and verifiers of outside input (journal/journal.hpp, merkle.hpp):
// a signed tree head in JSON (what an auditor feeds back), leaf data read from a database
// that may have been tampered with, and inclusion/consistency proofs as anyone may send them.
// The first byte picks which; nothing may crash, and what parses writes back identically.
#include "journal/journal.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace {

std::uint64_t u16(std::string_view& s) {
    if (s.size() < 2) return 0;
    const auto v = static_cast<std::uint64_t>((static_cast<unsigned char>(s[0]) << 8) | static_cast<unsigned char>(s[1]));
    s.remove_prefix(2);
    return v;
}

std::vector<idara::journal::Hash> hashes(std::string_view s) {
    std::vector<idara::journal::Hash> out;
    while (s.size() >= 32) {
        idara::journal::Hash h{};
        std::memcpy(h.data(), s.data(), 32);
        out.push_back(h);
        s.remove_prefix(32);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace idara::journal;
    if (size == 0) return 0;
    std::string_view s(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {
            auto sth = sth_from_json(s);
            if (!sth) {
                if (sth.error().code != "journal.bad_sth") __builtin_trap();
                return 0;
            }
            auto again = sth_from_json(sth_to_json(*sth));
            if (!again || again->tree_size != sth->tree_size || again->root_hash != sth->root_hash ||
                again->timestamp_ms != sth->timestamp_ms || again->kid != sth->kid || again->signature != sth->signature)
                __builtin_trap();
            return 0;
        }
        case 1: {
            auto leaf = decode_leaf(s);
            if (leaf && encode_leaf(leaf->leaf_index, leaf->event) != s) __builtin_trap();
            return 0;
        }
        case 2: {
            const std::uint64_t index = u16(s), tree = u16(s);
            auto hs = hashes(s);
            if (hs.size() < 2) return 0;
            const Hash leaf = hs[0], root = hs[1];
            hs.erase(hs.begin(), hs.begin() + 2);
            (void)verify_inclusion(index, tree, leaf, hs, root);
            return 0;
        }
        default: {
            const std::uint64_t first = u16(s), second = u16(s);
            auto hs = hashes(s);
            if (hs.size() < 2) return 0;
            const Hash a = hs[0], b = hs[1];
            hs.erase(hs.begin(), hs.begin() + 2);
            (void)verify_consistency(first, second, a, b, hs);
            return 0;
        }
    }
}
