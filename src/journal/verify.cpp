// Journal::verify_all(): the audit. One read transaction, leaves streamed in chunks,
// roots recomputed with a RootBuilder (O(log n) memory), every STH checked when the
// stream reaches its size. Stops at the first fault.
#include "journal/journal.hpp"

#include "trust/key_store.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace idara::journal {
namespace {

constexpr std::int64_t kChunk = 4096;

struct StoredSth {
    SignedTreeHead sth;
    bool malformed = false;
};

}  // namespace

Result<VerifyReport> Journal::verify_all(const std::function<void(std::int64_t, std::int64_t)>& progress) {
    return db_.read<VerifyReport>([&](storage::Tx& tx) -> Result<VerifyReport> {
        VerifyReport rep;
        auto head = size(tx);
        if (!head) return head.error();
        auto pubs = keys_.public_keys(tx);
        if (!pubs) return pubs.error();
        std::map<std::string, std::array<unsigned char, 32>> platform_keys;
        for (const auto& k : *pubs)
            if (k.administration_code.empty()) platform_keys[k.kid] = k.ed25519_pk;

        auto rows = tx.query("SELECT tree_size, root_hash, signed_at, kid, signature FROM journal_sths "
                             "ORDER BY tree_size, id");
        if (!rows) return rows.error();
        std::vector<StoredSth> sths;
        for (const auto& r : *rows) {
            StoredSth s;
            s.sth.tree_size = r.as_int(0);
            s.sth.timestamp_ms = r.as_int(2);
            s.sth.kid = r.as_text(3);
            const auto root = r.as_blob(1).bytes, sig = r.as_blob(4).bytes;
            s.malformed = root.size() != s.sth.root_hash.size() || sig.size() != s.sth.signature.size();
            if (!s.malformed) {
                std::copy(root.begin(), root.end(), s.sth.root_hash.begin());
                std::copy(sig.begin(), sig.end(), s.sth.signature.begin());
            }
            sths.push_back(std::move(s));
        }
        const std::int64_t total = std::max(*head, sths.empty() ? 0 : sths.back().sth.tree_size);

        RootBuilder tree;
        std::size_t next_sth = 0;
        std::int64_t covered = 0;  // leaves under the last STH that matched
        auto fail = [&](Fault f, std::int64_t leaf, std::string what, std::int64_t sth_size = -1) {
            rep.fault = f;
            rep.first_bad_leaf = leaf;
            rep.sth_size = sth_size;
            rep.what = std::move(what);
            rep.leaves = static_cast<std::int64_t>(tree.size());
        };
        // Checks every STH whose size the stream has reached; false on a fault.
        auto check_sths = [&]() -> bool {
            while (next_sth < sths.size() && sths[next_sth].sth.tree_size <= static_cast<std::int64_t>(tree.size())) {
                const auto& s = sths[next_sth++];
                ++rep.sths;
                const auto key = platform_keys.find(s.sth.kid);
                if (s.malformed || key == platform_keys.end() || !verify_sth_signature(s.sth, key->second)) {
                    fail(Fault::bad_signature, covered,
                         "signed tree head of size " + std::to_string(s.sth.tree_size) + " has a bad signature",
                         s.sth.tree_size);
                    return false;
                }
                if (s.sth.tree_size < static_cast<std::int64_t>(tree.size())) continue;  // only for negative sizes
                if (tree.root() != s.sth.root_hash) {
                    fail(Fault::sth_mismatch, covered,
                         "recomputed root of the first " + std::to_string(s.sth.tree_size) +
                             " leaves differs from the signed tree head",
                         s.sth.tree_size);
                    return false;
                }
                covered = s.sth.tree_size;
            }
            return true;
        };
        if (!check_sths()) return rep;

        std::int64_t expected = 0;
        if (progress) progress(0, total);
        for (;;) {
            auto chunk = tx.query("SELECT leaf_index, administration_id, kind, subject, event_at, data, hash "
                                  "FROM journal_leaves WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2",
                                  {expected, kChunk});
            if (!chunk) return chunk.error();
            for (const auto& r : *chunk) {
                const std::int64_t at = r.as_int(0);
                if (at != expected) {
                    fail(Fault::deleted, expected, "leaf " + std::to_string(expected) + " is missing");
                    return rep;
                }
                const std::string data = r.as_blob(5).bytes;
                const std::string stored = r.as_blob(6).bytes;
                const auto decoded = decode_leaf(data);
                if (!decoded) {
                    fail(Fault::altered, at, "leaf " + std::to_string(at) + " data is not a well-formed leaf");
                    return rep;
                }
                if (decoded->leaf_index != at) {
                    fail(Fault::reordered, at,
                         "leaf " + std::to_string(at) + " holds the data of leaf " +
                             std::to_string(decoded->leaf_index));
                    return rep;
                }
                const Hash h = leaf_hash(data);
                if (stored.size() != h.size() || std::memcmp(h.data(), stored.data(), h.size()) != 0) {
                    fail(Fault::altered, at, "leaf " + std::to_string(at) + " data does not match its hash");
                    return rep;
                }
                const auto& e = decoded->event;
                if (e.administration_id != r.as_int(1) || e.kind != r.as_text(2) || e.subject != r.as_text(3) ||
                    e.at_ms != r.as_int(4)) {
                    fail(Fault::altered, at, "leaf " + std::to_string(at) + " columns differ from its data");
                    return rep;
                }
                tree.push(h);
                ++expected;
                if (!check_sths()) return rep;
            }
            if (progress) progress(expected, total);
            if (static_cast<std::int64_t>(chunk->size()) < kChunk) break;
        }
        if (expected < total) {
            fail(Fault::deleted, expected,
                 "leaf " + std::to_string(expected) + " is missing (the journal has " + std::to_string(total) + ")");
            return rep;
        }
        if (expected > *head) {
            fail(Fault::altered, *head, "leaves beyond the journal head (" + std::to_string(*head) + ")");
            return rep;
        }
        rep.leaves = expected;
        return rep;
    });
}

}  // namespace idara::journal
