// Journal: signed tree heads, leaves, inclusion and consistency proofs from the database.
//
// Cache: the roots of complete 1024-leaf blocks of committed leaves, in order from
// block 0, and a RootBuilder over them. Only make_sth() (its own write transaction,
// which appends nothing) extends it, from leaves below the committed journal_head,
// so it never holds a leaf that could still roll back. Everything else reads it and
// computes what is missing without storing it.
#include "journal/journal.hpp"

#include "trust/key_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <mutex>

namespace idara::journal {
namespace {

constexpr unsigned kBlockHeight = 10;
constexpr std::int64_t kBlock = std::int64_t{1} << kBlockHeight;
constexpr std::int64_t kChunk = 8192;

Error corrupt(std::string detail) { return Error{"journal.corrupt", 500, std::move(detail)}; }
Error bad_range(std::string detail) { return Error{"journal.bad_range", 400, std::move(detail)}; }

Hash hash_of(const storage::Blob& b, bool& ok) {
    Hash h{};
    ok = b.bytes.size() == h.size();
    if (ok) std::copy(b.bytes.begin(), b.bytes.end(), h.begin());
    return h;
}

// Streams the stored leaf hashes [from, to) in order; journal.corrupt when one is missing.
Status read_hashes(storage::Tx& tx, std::int64_t from, std::int64_t to, const std::function<void(const Hash&)>& sink) {
    for (std::int64_t at = from; at < to;) {
        const std::int64_t upto = std::min(to, at + kChunk);
        auto rows = tx.query("SELECT leaf_index, hash FROM journal_leaves WHERE leaf_index >= $1 AND leaf_index < $2 "
                             "ORDER BY leaf_index",
                             {at, upto});
        if (!rows) return rows.error();
        for (const auto& r : *rows) {
            bool ok = false;
            const Hash h = hash_of(r.as_blob(1), ok);
            if (r.as_int(0) != at || !ok) return corrupt("leaf " + std::to_string(at) + " missing or malformed");
            sink(h);
            ++at;
        }
        if (at != upto) return corrupt("leaf " + std::to_string(at) + " missing");
    }
    return {};
}

Result<SignedTreeHead> sth_from_row(const storage::Row& r) {
    SignedTreeHead s;
    s.tree_size = r.as_int(0);
    bool ok = false;
    s.root_hash = hash_of(r.as_blob(1), ok);
    const auto sig = r.as_blob(4);
    if (!ok || sig.bytes.size() != s.signature.size()) return corrupt("malformed signed tree head");
    s.timestamp_ms = r.as_int(2);
    s.kid = r.as_text(3);
    std::copy(sig.bytes.begin(), sig.bytes.end(), s.signature.begin());
    return s;
}

constexpr const char* kSthColumns = "SELECT tree_size, root_hash, signed_at, kid, signature FROM journal_sths ";

StoredLeaf leaf_from_row(const storage::Row& r) {
    StoredLeaf l;
    l.leaf_index = r.as_int(0);
    l.administration_id = r.as_int(1);
    l.kind = r.as_text(2);
    l.subject = r.as_text(3);
    l.data = r.as_blob(4).bytes;
    bool ok = false;
    l.hash = hash_of(r.as_blob(5), ok);
    return l;
}

}  // namespace

struct Journal::Cache {
    std::mutex mu;
    std::vector<Hash> blocks;  // roots of blocks [0, blocks.size())
    RootBuilder prefix;        // over the same leaves
};

Journal::Journal(storage::Database& db, trust::KeyStore& keys, const Clock& clock)
    : db_(db), keys_(keys), clock_(clock), cache_(std::make_shared<Cache>()) {}

Result<std::int64_t> Journal::size(storage::Tx& tx) {
    auto r = tx.query_one("SELECT size FROM journal_head WHERE id = 1");
    if (!r) return r.error();
    if (!*r) return corrupt("journal_head row missing");
    return (*r)->as_int(0);
}

Result<StoredLeaf> Journal::leaf(storage::Tx& tx, std::int64_t leaf_index) {
    auto r = tx.query_one("SELECT leaf_index, administration_id, kind, subject, data, hash FROM journal_leaves "
                          "WHERE leaf_index = $1",
                          {leaf_index});
    if (!r) return r.error();
    if (!*r) return Error{"journal.not_found", 404, "leaf " + std::to_string(leaf_index)};
    return leaf_from_row(**r);
}

Result<Hash> Journal::range_root(storage::Tx& tx, std::int64_t begin, std::int64_t end) {
    RootBuilder b;
    std::int64_t i = begin;
    while (i < end) {
        std::int64_t cached = 0;
        Hash block{};
        {
            std::lock_guard lock(cache_->mu);
            cached = static_cast<std::int64_t>(cache_->blocks.size());
            if (i % kBlock == 0 && i / kBlock < cached) block = cache_->blocks[static_cast<std::size_t>(i / kBlock)];
        }
        if (i % kBlock == 0 && i / kBlock < cached && i + kBlock <= end) {
            b.push_subtree(block, kBlockHeight);
            i += kBlock;
            continue;
        }
        // Inside the cached region: up to the next block boundary; beyond it: to the end.
        const std::int64_t j = i < cached * kBlock ? std::min(end, (i / kBlock + 1) * kBlock) : end;
        if (auto s = read_hashes(tx, i, j, [&](const Hash& h) { b.push(h); }); !s) return s.error();
        i = j;
    }
    return b.root();
}

Result<SignedTreeHead> Journal::make_sth() {
    return db_.write<SignedTreeHead>([&](storage::Tx& tx) { return make_sth_in(tx, true); });
}

Result<SignedTreeHead> Journal::make_sth(storage::Tx& tx) { return make_sth_in(tx, false); }

Result<std::optional<SignedTreeHead>> Journal::make_sth_if_grown() {
    return db_.write<std::optional<SignedTreeHead>>([&](storage::Tx& tx) -> Result<std::optional<SignedTreeHead>> {
        auto n = size(tx);
        if (!n) return n.error();
        auto latest = latest_sth(tx);
        if (!latest && latest.error().code != "journal.no_sth") return latest.error();
        if (latest && latest->tree_size == *n) return std::optional<SignedTreeHead>{};
        auto sth = make_sth_in(tx, true);
        if (!sth) return sth.error();
        return std::optional<SignedTreeHead>{*sth};
    });
}

Result<SignedTreeHead> Journal::make_sth_in(storage::Tx& tx, bool update_cache) {
    if (auto s = keys_.ensure_keys(tx, 0, "IDARA", "idara"); !s) return s.error();
    auto keys = keys_.keys_for(tx, 0);
    if (!keys) return keys.error();
    auto n = size(tx);
    if (!n) return n.error();

    RootBuilder full;
    std::size_t known_blocks = 0;
    {
        std::lock_guard lock(cache_->mu);
        if (static_cast<std::int64_t>(cache_->prefix.size()) <= *n) {
            full = cache_->prefix;
            known_blocks = cache_->blocks.size();
        }
    }
    const auto start = static_cast<std::int64_t>(full.size());
    std::vector<Hash> new_blocks, tail;
    RootBuilder block;
    auto s = read_hashes(tx, start, *n, [&](const Hash& h) {
        block.push(h);
        tail.push_back(h);
        if (block.size() == static_cast<std::uint64_t>(kBlock)) {
            new_blocks.push_back(block.root());
            full.push_subtree(new_blocks.back(), kBlockHeight);
            block = RootBuilder{};
            tail.clear();
        }
    });
    if (!s) return s.error();
    if (update_cache) {
        std::lock_guard lock(cache_->mu);
        if (cache_->blocks.size() == known_blocks && static_cast<std::int64_t>(cache_->prefix.size()) == start) {
            cache_->blocks.insert(cache_->blocks.end(), new_blocks.begin(), new_blocks.end());
            cache_->prefix = full;
        } else if (start == 0 && known_blocks == 0) {  // the cache was ahead of this database: start over
            cache_->blocks = new_blocks;
            cache_->prefix = full;
        }
    }
    for (const auto& h : tail) full.push(h);

    SignedTreeHead sth;
    sth.tree_size = *n;
    sth.root_hash = full.root();
    sth.timestamp_ms = clock_.now_ms();
    sth.kid = (*keys)->kid;
    const std::string in = sth_signing_input(sth);
    if (sodium_init() < 0) return Error{"internal", 500, "libsodium"};
    crypto_sign_detached(sth.signature.data(), nullptr, reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                         (*keys)->ed25519_sk.data());
    auto ins = tx.exec("INSERT INTO journal_sths (tree_size, root_hash, signed_at, kid, signature) "
                       "VALUES ($1, $2, $3, $4, $5)",
                       {sth.tree_size, storage::Blob{std::string(sth.root_hash.begin(), sth.root_hash.end())},
                        sth.timestamp_ms, sth.kid,
                        storage::Blob{std::string(sth.signature.begin(), sth.signature.end())}});
    if (!ins) return ins.error();
    return sth;
}

Result<SignedTreeHead> Journal::latest_sth(storage::Tx& tx) {
    auto r = tx.query_one(std::string(kSthColumns) + "ORDER BY id DESC LIMIT 1");
    if (!r) return r.error();
    if (!*r) return Error{"journal.no_sth", 404, "no signed tree head yet"};
    return sth_from_row(**r);
}

Result<SignedTreeHead> Journal::sth_of_size(storage::Tx& tx, std::int64_t tree_size) {
    auto r = tx.query_one(std::string(kSthColumns) + "WHERE tree_size = $1 ORDER BY id DESC LIMIT 1", {tree_size});
    if (!r) return r.error();
    if (!*r) return Error{"journal.not_found", 404, "no signed tree head of size " + std::to_string(tree_size)};
    return sth_from_row(**r);
}

Result<InclusionProof> Journal::inclusion_proof(storage::Tx& tx, std::int64_t leaf_index,
                                                std::optional<std::int64_t> tree_size) {
    auto sth = tree_size ? sth_of_size(tx, *tree_size) : latest_sth(tx);
    if (!sth) return sth.error();
    if (leaf_index < 0 || leaf_index >= sth->tree_size)
        return bad_range("leaf " + std::to_string(leaf_index) + " outside tree of " + std::to_string(sth->tree_size));
    auto l = leaf(tx, leaf_index);
    if (!l) return l.error();
    InclusionProof p{std::move(*l), {}, *sth};
    std::optional<Error> failed;
    auto root = [&](std::uint64_t b, std::uint64_t e) -> Hash {
        if (failed) return Hash{};
        auto r = range_root(tx, static_cast<std::int64_t>(b), static_cast<std::int64_t>(e));
        if (!r) {
            failed = r.error();
            return Hash{};
        }
        return *r;
    };
    p.path = inclusion_path(root, static_cast<std::uint64_t>(leaf_index), static_cast<std::uint64_t>(sth->tree_size));
    if (failed) return *failed;
    return p;
}

Result<std::int64_t> Journal::registration_leaf(storage::Tx& tx, const std::string& register_number) {
    auto r = tx.query_one("SELECT leaf_index FROM journal_leaves WHERE subject = $1 AND kind IN "
                          "('deposit.registered', 'deposit.transferred_in') ORDER BY leaf_index LIMIT 1",
                          {"entry:" + register_number});
    if (!r) return r.error();
    if (!*r) return Error{"journal.not_found", 404, "no registration leaf for " + register_number};
    return (*r)->as_int(0);
}

Result<ConsistencyProof> Journal::consistency_proof(storage::Tx& tx, std::int64_t first, std::int64_t second) {
    auto n = size(tx);
    if (!n) return n.error();
    if (first <= 0 || first > second || second > *n)
        return bad_range("consistency " + std::to_string(first) + ".." + std::to_string(second) + " of " +
                         std::to_string(*n));
    ConsistencyProof p;
    p.first = first;
    p.second = second;
    std::optional<Error> failed;
    auto root = [&](std::uint64_t b, std::uint64_t e) -> Hash {
        if (failed) return Hash{};
        auto r = range_root(tx, static_cast<std::int64_t>(b), static_cast<std::int64_t>(e));
        if (!r) {
            failed = r.error();
            return Hash{};
        }
        return *r;
    };
    p.path = consistency_path(root, static_cast<std::uint64_t>(first), static_cast<std::uint64_t>(second));
    if (failed) return *failed;
    for (auto [size, slot] : {std::pair{first, &p.first_sth}, std::pair{second, &p.second_sth}}) {
        auto s = sth_of_size(tx, size);
        if (s) *slot = *s;
        else if (s.error().code != "journal.not_found") return s.error();
    }
    return p;
}

}  // namespace idara::journal
