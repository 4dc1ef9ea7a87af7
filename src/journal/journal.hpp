// The tamper-evident journal (issue 5; design in docs/design/journal.md).
//
// Every registry event (a deposit registered, cancelled or transferred in, every
// processing status change, a silence attestation, outgoing-letter events,
// parapheur circuit actions) appends one leaf to ONE global, gap-free sequence,
// in the SAME transaction as the event: when the event rolls back, so does the
// leaf. The leaves form an RFC 9162 Merkle tree (merkle.hpp); signed tree heads
// (STH: size, root hash, time, Ed25519 signature with the platform key,
// administration_id 0 in trust::KeyStore) are made on demand and at
// [journal] sth_interval_seconds; inclusion and consistency proofs are served
// against them; verify_all() recomputes everything from the stored leaf data.
//
// Leaf data (version 1): a length-prefixed encoding, every field as
//   u8 version(=1) || u64be leaf_index || u64be at_ms || u64be administration_id ||
//   str kind || str subject || u64be actor_id || str detail
// where str = u32be byte length || UTF-8 bytes (integers are two's complement).
// Leaf hash = SHA-256(0x00 || data).
//
// STH signing input: "idara-sth-v1" || 0x00 || u64be tree_size || u64be timestamp_ms ||
// root_hash(32); signature = crypto_sign_detached(input, platform Ed25519 key).
//
// Concurrency: append() reads and bumps the counter row journal_head in the
// caller's transaction. SQLite already has one writer at a time; on PostgreSQL
// the UPDATE's row lock serialises every writer that appends until it commits
// (the cost of a gap-free global sequence; see docs/design/journal.md).
//
// Errors: journal.invalid_event (500: kind/subject empty or too long, detail not
// valid UTF-8 — a programming error in the caller), journal.not_found (404: no
// such leaf / entry / STH), journal.bad_range (400: a tree size or leaf index out
// of range), journal.no_sth (404: no signed tree head yet), trust.* from the key
// store, and storage errors.
//
// Thread-safety: append() is a free function working in the caller's transaction.
// A Journal may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "journal/merkle.hpp"
#include "storage/db.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace idara::trust {
class KeyStore;
}

namespace idara::journal {

struct JournalEvent {
    std::int64_t administration_id = 0;
    std::string kind;     // "deposit.registered", "processing.assigned", "letter.approved", "circuit.signed", ...
    std::string subject;  // e.g. "entry:MEF-2026-000123", "letter:17", "circuit:5"
    std::int64_t actor_id = 0;  // 0 = system / anonymous
    std::int64_t at_ms = 0;
    std::string detail;   // canonical JSON of the facts (ids, numbers, states, digests); no free text
};

// Appends one leaf in the caller's transaction; returns its leaf index (0-based, gap-free).
Result<std::int64_t> append(storage::Tx& tx, const JournalEvent& e);

// Canonical detail JSON: an object with the keys sorted (bytewise), values integers or
// strings, no whitespace. detail_json({{"entry_id", 12}, {"state", "assigned"}}).
using DetailValue = std::variant<std::int64_t, std::string>;
std::string detail_json(std::vector<std::pair<std::string, DetailValue>> fields);

// The canonical leaf data of an event at a given index (see the top of this file).
std::string encode_leaf(std::int64_t leaf_index, const JournalEvent& e);
// Reads leaf data back; nullopt when it is not a well-formed version-1 leaf.
struct DecodedLeaf {
    std::int64_t leaf_index = 0;
    JournalEvent event;
};
std::optional<DecodedLeaf> decode_leaf(std::string_view data);

struct SignedTreeHead {
    std::int64_t tree_size = 0;
    Hash root_hash{};
    std::int64_t timestamp_ms = 0;
    std::string kid;                          // the platform QR key id that signed, e.g. "IDARA-1"
    std::array<unsigned char, 64> signature{};
};
// The bytes the signature covers.
std::string sth_signing_input(const SignedTreeHead& sth);
// Checks an STH's signature with a public key.
bool verify_sth_signature(const SignedTreeHead& sth, const std::array<unsigned char, 32>& ed25519_pk);
// JSON form {"tree_size","root_hash"(hex),"timestamp"(ms),"kid","signature"(base64url)} and back.
std::string sth_to_json(const SignedTreeHead& sth);
Result<SignedTreeHead> sth_from_json(std::string_view json);  // journal.bad_sth (400) when malformed

struct StoredLeaf {
    std::int64_t leaf_index = 0;
    std::int64_t administration_id = 0;
    std::string kind;
    std::string subject;
    std::string data;  // the leaf data as stored
    Hash hash{};       // the leaf hash as stored
};

struct InclusionProof {
    StoredLeaf leaf;
    std::vector<Hash> path;  // RFC 9162 §2.1.3 audit path
    SignedTreeHead sth;      // the tree the proof is against
};

struct ConsistencyProof {
    std::int64_t first = 0;
    std::int64_t second = 0;
    std::vector<Hash> path;  // RFC 9162 §2.1.4
    std::optional<SignedTreeHead> first_sth;   // when one was stored at that size
    std::optional<SignedTreeHead> second_sth;
};

enum class Fault { none, altered, deleted, reordered, sth_mismatch, bad_signature };
std::string_view fault_name(Fault f);  // "altered", "deleted", ...

struct VerifyReport {
    std::int64_t leaves = 0;  // leaves checked
    std::int64_t sths = 0;    // signed tree heads checked
    Fault fault = Fault::none;
    // The first bad leaf: the leaf itself (altered, reordered), the first missing index
    // (deleted), or the first leaf not covered by an earlier matching STH (sth_mismatch,
    // bad_signature); sth_size is then the size of the offending STH.
    std::int64_t first_bad_leaf = -1;
    std::int64_t sth_size = -1;
    std::string what;                  // technical description of the first fault
    bool ok() const { return fault == Fault::none; }
};

class Journal {
public:
    Journal(storage::Database& db, trust::KeyStore& keys, const Clock& clock = system_clock());

    // Signs and stores an STH over the current tree (in its own write transaction,
    // or in the caller's). When the size did not change, a new STH is still made.
    Result<SignedTreeHead> make_sth();
    Result<SignedTreeHead> make_sth(storage::Tx& tx);
    // The background interval's call: a new STH only when the journal grew since the latest
    // one (or there is none); nullopt otherwise.
    Result<std::optional<SignedTreeHead>> make_sth_if_grown();
    // The latest stored STH (journal.no_sth when none).
    Result<SignedTreeHead> latest_sth(storage::Tx& tx);
    // The latest stored STH of exactly this size (journal.not_found when none).
    Result<SignedTreeHead> sth_of_size(storage::Tx& tx, std::int64_t tree_size);
    // Number of leaves so far.
    Result<std::int64_t> size(storage::Tx& tx);
    Result<StoredLeaf> leaf(storage::Tx& tx, std::int64_t leaf_index);

    // Inclusion proof of a leaf against the STH of tree_size (latest STH when absent).
    // journal.bad_range when leaf_index >= tree size; journal.not_found when no STH of that size.
    Result<InclusionProof> inclusion_proof(storage::Tx& tx, std::int64_t leaf_index,
                                           std::optional<std::int64_t> tree_size = std::nullopt);
    // The leaf of an entry's "deposit.registered" event (subject "entry:<number>").
    Result<std::int64_t> registration_leaf(storage::Tx& tx, const std::string& register_number);
    // Consistency proof between two sizes, 0 < first <= second <= current size (journal.bad_range).
    Result<ConsistencyProof> consistency_proof(storage::Tx& tx, std::int64_t first, std::int64_t second);

    // Recomputes every leaf hash from its data, checks indexes and gaps, the root at every
    // stored STH size and every STH signature; stops at the first fault. progress(done, total)
    // is called now and then. Reads in chunks (O(log n) memory for the tree).
    Result<VerifyReport> verify_all(const std::function<void(std::int64_t, std::int64_t)>& progress = {});

private:
    struct Cache;  // roots of complete 1024-leaf blocks and the committed prefix (journal.cpp)
    Result<Hash> range_root(storage::Tx& tx, std::int64_t begin, std::int64_t end);
    Result<SignedTreeHead> make_sth_in(storage::Tx& tx, bool update_cache);

    storage::Database& db_;
    trust::KeyStore& keys_;
    const Clock& clock_;
    std::shared_ptr<Cache> cache_;
};

}  // namespace idara::journal
