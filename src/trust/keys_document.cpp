// keys_document / parse_keys_document (trust/key_store.hpp): the published
// /.well-known/idara-keys.json, written and read with Boost.JSON. Times are
// ISO 8601 UTC with milliseconds ("2026-05-14T10:42:00.123Z") so that a document
// reads back to the same values; the reader also accepts whole seconds.
#include "trust/codec.hpp"

#include "core/dates.hpp"
#include "trust/key_store.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>

namespace idara::trust {

namespace {

namespace json = boost::json;

Error doc_error(std::string d) { return {"trust.keys_document", 400, std::move(d)}; }

std::string iso8601(std::int64_t ms) { return i18n::iso_utc_ms(ms); }

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// "YYYY-MM-DDTHH:MM:SS[.mmm]Z" → ms since the epoch.
std::optional<std::int64_t> parse_iso8601(std::string_view s) {
    int y, mo, d, h, mi, se, ms = 0;
    if (s.size() != 20 && s.size() != 24) return std::nullopt;
    if (!digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d) ||
        s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, se) || s.back() != 'Z')
        return std::nullopt;
    if (s.size() == 24 && (s[19] != '.' || !digits(s, 20, 3, ms))) return std::nullopt;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    const std::time_t t = timegm(&tm);
    if (tm.tm_mday != d || tm.tm_mon != mo - 1) return std::nullopt;  // 31 February and the like
    return static_cast<std::int64_t>(t) * 1000 + ms;
}

const json::string* get_string(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v ? v->if_string() : nullptr;
}

}  // namespace

std::string keys_document(const std::vector<PublicKey>& keys, const std::vector<std::string>& anchors_pem) {
    json::array list;
    for (const auto& k : keys) {
        list.push_back(json::object{
            {"kid", k.kid},
            {"alg", "Ed25519"},
            {"administration", k.administration_code},
            {"public_key", codec::b64url_encode(std::string_view(reinterpret_cast<const char*>(k.ed25519_pk.data()),
                                                                 k.ed25519_pk.size()))},
            {"created_at", iso8601(k.created_at_ms)},
            {"status", k.active ? "active" : "retired"},
        });
    }
    json::array anchors;
    for (const auto& a : anchors_pem) anchors.push_back(json::string(a));
    return json::serialize(json::object{{"version", 1}, {"keys", std::move(list)}, {"trust_anchors", std::move(anchors)}});
}

Result<KeysDocument> parse_keys_document(std::string_view text) {
    if (text.size() > 1024 * 1024) return doc_error("document too large");
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) return doc_error("not JSON: " + ec.message());
    const auto* root = v.if_object();
    if (!root) return doc_error("not an object");
    const auto* version = root->if_contains("version");
    if (!version || !version->is_int64() || version->as_int64() != 1) return doc_error("version is not 1");
    const auto* keys = root->if_contains("keys");
    const auto* anchors = root->if_contains("trust_anchors");
    if (!keys || !keys->is_array() || !anchors || !anchors->is_array()) return doc_error("keys or trust_anchors missing");

    KeysDocument doc;
    for (const auto& item : keys->get_array()) {
        const auto* o = item.if_object();
        if (!o) return doc_error("a key is not an object");
        const auto* kid = get_string(*o, "kid");
        const auto* alg = get_string(*o, "alg");
        const auto* admin = get_string(*o, "administration");
        const auto* pk = get_string(*o, "public_key");
        const auto* created = get_string(*o, "created_at");
        const auto* status = get_string(*o, "status");
        if (!kid || !alg || !admin || !pk || !created || !status) return doc_error("a key lacks a field");
        if (kid->empty() || kid->size() > 64) return doc_error("bad kid");
        if (*alg != "Ed25519") return doc_error("unknown alg");
        if (*status != "active" && *status != "retired") return doc_error("unknown status");
        PublicKey k;
        auto bytes = codec::b64url_decode(*pk);
        if (!bytes || bytes->size() != k.ed25519_pk.size()) return doc_error("bad public_key");
        auto at = parse_iso8601(*created);
        if (!at) return doc_error("bad created_at");
        k.kid = std::string(*kid);
        k.administration_code = std::string(*admin);
        std::memcpy(k.ed25519_pk.data(), bytes->data(), bytes->size());
        k.created_at_ms = *at;
        k.active = *status == "active";
        doc.keys.push_back(std::move(k));
    }
    for (const auto& a : anchors->get_array()) {
        const auto* s = a.if_string();
        if (!s) return doc_error("a trust anchor is not a string");
        if (!cert_from_pem(*s)) return doc_error("a trust anchor is not a PEM certificate");
        doc.anchors_pem.emplace_back(*s);
    }
    return doc;
}

}  // namespace idara::trust
