// The message log's stored record: canonical JSON, leaf hash, row decoding, archive files
// (exchange/msglog_record.hpp).
#include "exchange/msglog_record.hpp"

#include <boost/json.hpp>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstdio>

namespace idara::exchange::msglog {

namespace json = boost::json;

namespace {

std::string quoted(std::string_view s) { return json::serialize(json::value(json::string(s))); }

void add_field(std::string& out, std::string_view key, std::string_view text) {
    out += ",\"";
    out += key;
    out += "\":";
    out += quoted(text);
}

void add_body(std::string& out, std::string_view key, const std::optional<std::string>& body) {
    out += ",\"";
    out += key;
    out += "\":";
    out += body ? quoted(b64_encode(*body)) : std::string("null");
}

std::string hash_hex(const journal::Hash& h) { return journal::to_hex(h); }

journal::Hash hash_of_blob(const storage::Row& row, std::size_t i) {
    journal::Hash h{};
    const auto b = row.as_blob(i).bytes;
    if (b.size() == h.size()) std::copy(b.begin(), b.end(), h.begin());
    return h;
}

std::optional<std::string> opt_blob(const storage::Row& row, std::size_t i) {
    if (row.is_null(i)) return std::nullopt;
    return row.as_blob(i).bytes;
}

}  // namespace

std::string b64_encode(std::string_view bytes) {
    if (sodium_init() < 0) return {};
    const std::size_t n = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    std::string out(n, '\0');
    sodium_bin2base64(out.data(), n, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(n - 1);  // the terminating NUL
    return out;
}

std::optional<std::string> b64_decode(std::string_view text) {
    if (sodium_init() < 0) return std::nullopt;
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    // Strict: only the canonical encoding of those bytes is accepted.
    if (b64_encode(out) != text) return std::nullopt;
    return out;
}

std::string record_json_tail(const StoredRecord& r) {
    std::string out;
    out.reserve(256 + r.request_canonical.size() + r.response_canonical.size() +
                (r.request_body ? r.request_body->size() * 4 / 3 : 0) +
                (r.response_body ? r.response_body->size() * 4 / 3 : 0));
    out += ",\"v\":1";
    add_field(out, "direction", r.direction);
    add_field(out, "query_id", r.query_id);
    add_field(out, "client", r.client);
    add_field(out, "service", r.service);
    out += ",\"at_ms\":" + std::to_string(r.at_ms);
    add_field(out, "request_canonical", r.request_canonical);
    add_field(out, "request_signature", r.request_signature);
    add_field(out, "response_canonical", r.response_canonical);
    add_field(out, "response_signature", r.response_signature);
    add_field(out, "body_mode", r.body_mode);
    add_body(out, "request_body", r.request_body);
    add_body(out, "response_body", r.response_body);
    out += '}';
    return out;
}

std::string record_json(const StoredRecord& r) { return "{\"id\":" + std::to_string(r.id) + record_json_tail(r); }

journal::Hash record_leaf(const StoredRecord& r) { return journal::leaf_hash(record_json(r)); }

const char* const kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS records (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL,
  query_id TEXT NOT NULL,
  client TEXT NOT NULL,
  service TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  request_canonical TEXT NOT NULL,
  request_signature TEXT NOT NULL,
  response_canonical TEXT NOT NULL,
  response_signature TEXT NOT NULL,
  request_body BLOB NULL,
  response_body BLOB NULL,
  body_mode TEXT NOT NULL,
  leaf_hash BLOB NOT NULL,
  batch_id INTEGER NULL
);
CREATE INDEX IF NOT EXISTS records_unstamped ON records(id) WHERE batch_id IS NULL;
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY,
  first_record INTEGER NOT NULL,
  last_record INTEGER NOT NULL,
  root BLOB NOT NULL,
  token BLOB NOT NULL,
  stamped_at_ms INTEGER NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS op_records (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL,
  query_id TEXT NOT NULL,
  client TEXT NOT NULL,
  service TEXT NOT NULL,
  user_id TEXT NOT NULL,
  peer_gateway TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  request_bytes INTEGER NOT NULL,
  response_bytes INTEGER NOT NULL,
  success INTEGER NOT NULL,
  status INTEGER NOT NULL,
  error_type TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS op_records_end ON op_records(end_ms, id);
CREATE TABLE IF NOT EXISTS archives (
  seq INTEGER PRIMARY KEY,
  file TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  prev_sha256 TEXT NOT NULL,
  batch_id INTEGER NOT NULL
);
)SQL";

const char* const kRecordColumns =
    "id, direction, query_id, client, service, at_ms, request_canonical, request_signature, response_canonical, "
    "response_signature, request_body, response_body, body_mode, leaf_hash, batch_id";

StoredRecord record_from_row(const storage::Row& row) {
    StoredRecord r;
    r.id = row.as_int(0);
    r.direction = row.as_text(1);
    r.query_id = row.as_text(2);
    r.client = row.as_text(3);
    r.service = row.as_text(4);
    r.at_ms = row.as_int(5);
    r.request_canonical = row.as_text(6);
    r.request_signature = row.as_text(7);
    r.response_canonical = row.as_text(8);
    r.response_signature = row.as_text(9);
    r.request_body = opt_blob(row, 10);
    r.response_body = opt_blob(row, 11);
    r.body_mode = row.as_text(12);
    r.leaf = hash_of_blob(row, 13);
    r.batch_id = row.opt_int(14);
    return r;
}

const char* const kBatchColumns = "id, first_record, last_record, root, token, stamped_at_ms, archived";

StoredBatch batch_from_row(const storage::Row& row) {
    StoredBatch b;
    b.id = row.as_int(0);
    b.first_record = row.as_int(1);
    b.last_record = row.as_int(2);
    b.root = hash_of_blob(row, 3);
    b.token = row.as_blob(4).bytes;
    b.stamped_at_ms = row.as_int(5);
    b.archived = row.as_int(6) != 0;
    return b;
}

std::string archive_name(std::int64_t seq) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%06lld.json", static_cast<long long>(seq));
    return buf;
}

std::string sha256_hex(std::string_view bytes) {
    journal::Hash h{};
    EVP_Digest(bytes.data(), bytes.size(), h.data(), nullptr, EVP_sha256(), nullptr);
    return journal::to_hex(h);
}

std::string archive_json(std::int64_t seq, const std::string& prev_sha256, const StoredBatch& b,
                         const std::vector<StoredRecord>& records) {
    std::string out = "{\"format\":\"idara-exchange-archive-v1\",\"seq\":" + std::to_string(seq);
    add_field(out, "prev_sha256", prev_sha256);
    out += ",\"batch\":{\"id\":" + std::to_string(b.id) + ",\"first_record\":" + std::to_string(b.first_record) +
           ",\"last_record\":" + std::to_string(b.last_record);
    add_field(out, "root", hash_hex(b.root));
    add_field(out, "token", b64_encode(b.token));
    out += ",\"stamped_at_ms\":" + std::to_string(b.stamped_at_ms) + "},\n\"records\":[";
    bool first = true;
    for (const auto& r : records) {
        if (!first) out += ',';
        first = false;
        out += '\n';
        std::string rec = record_json(r);
        rec.pop_back();  // '}'
        add_field(rec, "leaf_hash", hash_hex(r.leaf));
        rec += '}';
        out += rec;
    }
    out += "\n]}\n";
    return out;
}

namespace {

Error bad(std::string detail) { return Error{"exchange.bad_archive", 400, std::move(detail)}; }

const json::value* member(const json::object& o, std::string_view key) { return o.if_contains(key); }

bool get_int(const json::object& o, std::string_view key, std::int64_t& out) {
    const auto* v = member(o, key);
    if (v == nullptr || !v->is_int64()) return false;
    out = v->as_int64();
    return true;
}

bool get_text(const json::object& o, std::string_view key, std::string& out) {
    const auto* v = member(o, key);
    if (v == nullptr || !v->is_string()) return false;
    out = std::string(v->as_string());
    return true;
}

bool get_body(const json::object& o, std::string_view key, std::optional<std::string>& out) {
    const auto* v = member(o, key);
    if (v == nullptr) return false;
    if (v->is_null()) {
        out.reset();
        return true;
    }
    if (!v->is_string()) return false;
    auto bytes = b64_decode(v->as_string());
    if (!bytes) return false;
    out = std::move(*bytes);
    return true;
}

bool get_hash(const json::object& o, std::string_view key, journal::Hash& out) {
    std::string hex;
    return get_text(o, key, hex) && journal::from_hex(hex, out);
}

Result<StoredRecord> parse_record(const json::value& v, std::size_t index) {
    const std::string where = "record #" + std::to_string(index + 1) + " of the file: ";
    if (!v.is_object()) return bad(where + "not an object");
    const auto& o = v.as_object();
    StoredRecord r;
    std::int64_t version = 0;
    const bool ok = get_int(o, "id", r.id) && get_int(o, "v", version) && version == 1 &&
                    get_text(o, "direction", r.direction) && get_text(o, "query_id", r.query_id) &&
                    get_text(o, "client", r.client) && get_text(o, "service", r.service) &&
                    get_int(o, "at_ms", r.at_ms) && get_text(o, "request_canonical", r.request_canonical) &&
                    get_text(o, "request_signature", r.request_signature) &&
                    get_text(o, "response_canonical", r.response_canonical) &&
                    get_text(o, "response_signature", r.response_signature) &&
                    get_text(o, "body_mode", r.body_mode) && get_body(o, "request_body", r.request_body) &&
                    get_body(o, "response_body", r.response_body) && get_hash(o, "leaf_hash", r.leaf);
    if (!ok) return bad(where + "a field is missing or malformed");
    return r;
}

}  // namespace

Result<ArchiveContent> parse_archive(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return bad("not a JSON object");
    const auto& o = v.as_object();
    std::string format;
    ArchiveContent a;
    if (!get_text(o, "format", format) || format != "idara-exchange-archive-v1") return bad("unknown format");
    if (!get_int(o, "seq", a.seq) || !get_text(o, "prev_sha256", a.prev_sha256)) return bad("seq or prev_sha256 missing");
    const auto* bv = member(o, "batch");
    if (bv == nullptr || !bv->is_object()) return bad("batch missing");
    const auto& bo = bv->as_object();
    std::string token_b64;
    if (!get_int(bo, "id", a.batch.id) || !get_int(bo, "first_record", a.batch.first_record) ||
        !get_int(bo, "last_record", a.batch.last_record) || !get_hash(bo, "root", a.batch.root) ||
        !get_text(bo, "token", token_b64) || !get_int(bo, "stamped_at_ms", a.batch.stamped_at_ms))
        return bad("a batch field is missing or malformed");
    auto token = b64_decode(token_b64);
    if (!token) return bad("the batch token is not base64");
    a.batch.token = std::move(*token);
    a.batch.archived = true;
    const auto* rv = member(o, "records");
    if (rv == nullptr || !rv->is_array()) return bad("records missing");
    const auto& arr = rv->as_array();
    a.records.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
        auto r = parse_record(arr[i], i);
        if (!r) return r.error();
        r->batch_id = a.batch.id;
        a.records.push_back(std::move(*r));
    }
    return a;
}

}  // namespace idara::exchange::msglog
