// Internal to the message log (msglog*.cpp): the stored form of a record, its canonical JSON
// and leaf hash, the archive file format, the schema and the token check shared by the log and
// its verifier.
//
// Canonical record JSON (the leaf is merkle::leaf_hash of exactly these bytes):
//   {"id":N,"v":1,"direction":"client"|"server","query_id":..,"client":..,"service":..,"at_ms":N,
//    "request_canonical":..,"request_signature":..,"response_canonical":..,"response_signature":..,
//    "body_mode":"keep"|"omit"|"encrypt","request_body":<b64 of the stored bytes>|null,
//    "response_body":<b64>|null}
// Strings are serialized by Boost.JSON; keys in this order, no spaces. The id comes first so
// callers can prepare the rest (record_json_tail) before the writer assigns the id.
#pragma once

#include "core/error.hpp"
#include "journal/merkle.hpp"
#include "storage/db.hpp"

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::exchange::msglog {

struct StoredRecord {
    std::int64_t id = 0;
    std::string direction;  // "client" | "server"
    std::string query_id, client, service;
    std::int64_t at_ms = 0;
    std::string request_canonical, request_signature, response_canonical, response_signature;
    std::string body_mode;  // "keep" | "omit" | "encrypt"
    std::optional<std::string> request_body, response_body;  // the stored bytes (nullopt: omitted)
    journal::Hash leaf{};
    std::optional<std::int64_t> batch_id;
};

struct StoredBatch {
    std::int64_t id = 0, first_record = 0, last_record = 0;
    journal::Hash root{};
    std::string token;  // DER TimeStampToken
    std::int64_t stamped_at_ms = 0;
    bool archived = false;
};

// Everything after "{\"id\":N" of the canonical JSON (starts with ',', ends with '}').
std::string record_json_tail(const StoredRecord& r);
std::string record_json(const StoredRecord& r);
journal::Hash record_leaf(const StoredRecord& r);

// Standard base64 with padding (libsodium); decoding is strict.
std::string b64_encode(std::string_view bytes);
std::optional<std::string> b64_decode(std::string_view text);

// The schema, created idempotently (CREATE ... IF NOT EXISTS).
extern const char* const kSchema;

// Column list of `records` in the order record_from_row expects.
extern const char* const kRecordColumns;
StoredRecord record_from_row(const storage::Row& row);
extern const char* const kBatchColumns;
StoredBatch batch_from_row(const storage::Row& row);

// Archive file JSON: {"format":"idara-exchange-archive-v1","seq":N,"prev_sha256":"hex"|"",
//   "batch":{"id","first_record","last_record","root":hex,"token":b64,"stamped_at_ms"},
//   "records":[{...canonical fields..., bodies b64 or null, "leaf_hash":hex}]}
std::string archive_json(std::int64_t seq, const std::string& prev_sha256, const StoredBatch& b,
                         const std::vector<StoredRecord>& records);
struct ArchiveContent {
    std::int64_t seq = 0;
    std::string prev_sha256;
    StoredBatch batch;
    std::vector<StoredRecord> records;  // leaf = the value the file states
};
// Errors: a plain-words reason in Error::detail (code exchange.bad_archive).
Result<ArchiveContent> parse_archive(std::string_view json);
std::string archive_name(std::int64_t seq);  // "000001.json"

std::string sha256_hex(std::string_view bytes);

// Checks an RFC 3161 token over `root`: "" when valid, else the reason in plain words
// ("time-stamp imprint is not the root", "time-stamp token does not verify: ...").
// With no anchors the signature is checked against the token's own certificate (chain skipped).
std::string check_token(std::string_view token_der, const journal::Hash& root,
                        const std::vector<std::string>& anchors_pem);

}  // namespace idara::exchange::msglog
