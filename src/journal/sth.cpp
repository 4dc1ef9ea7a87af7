// Signed tree heads: the signing input, the signature check and the JSON form.
#include "journal/journal.hpp"

#include <boost/json.hpp>
#include <sodium.h>

namespace idara::journal {
namespace {

void put_u64(std::string& out, std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}

std::string b64url(const unsigned char* p, std::size_t n) {
    std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

Error bad_sth(std::string detail) { return Error{"journal.bad_sth", 400, std::move(detail)}; }

}  // namespace

std::string sth_signing_input(const SignedTreeHead& sth) {
    std::string in = "idara-sth-v1";
    in.push_back('\0');
    put_u64(in, sth.tree_size);
    put_u64(in, sth.timestamp_ms);
    in.append(sth.root_hash.begin(), sth.root_hash.end());
    return in;
}

bool verify_sth_signature(const SignedTreeHead& sth, const std::array<unsigned char, 32>& ed25519_pk) {
    if (sodium_init() < 0) return false;
    const std::string in = sth_signing_input(sth);
    return crypto_sign_verify_detached(sth.signature.data(), reinterpret_cast<const unsigned char*>(in.data()),
                                       in.size(), ed25519_pk.data()) == 0;
}

std::string sth_to_json(const SignedTreeHead& sth) {
    boost::json::object o;
    o["tree_size"] = sth.tree_size;
    o["root_hash"] = to_hex(sth.root_hash);
    o["timestamp"] = sth.timestamp_ms;
    o["kid"] = sth.kid;
    o["signature"] = b64url(sth.signature.data(), sth.signature.size());
    return boost::json::serialize(o);
}

Result<SignedTreeHead> sth_from_json(std::string_view json) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(json, ec);
    if (ec || !v.is_object()) return bad_sth("not a JSON object");
    const auto& o = v.get_object();
    const auto* size = o.if_contains("tree_size");
    const auto* root = o.if_contains("root_hash");
    const auto* ts = o.if_contains("timestamp");
    const auto* kid = o.if_contains("kid");
    const auto* sig = o.if_contains("signature");
    if (!size || !size->is_int64() || size->get_int64() < 0) return bad_sth("tree_size");
    if (!ts || !ts->is_int64() || ts->get_int64() < 0) return bad_sth("timestamp");
    if (!root || !root->is_string() || !kid || !kid->is_string() || !sig || !sig->is_string())
        return bad_sth("root_hash/kid/signature");
    SignedTreeHead sth;
    sth.tree_size = size->get_int64();
    sth.timestamp_ms = ts->get_int64();
    const auto& rs = root->get_string();
    if (!from_hex(std::string_view(rs.data(), rs.size()), sth.root_hash)) return bad_sth("root_hash");
    sth.kid = std::string(kid->get_string());
    if (sth.kid.empty() || sth.kid.size() > 64) return bad_sth("kid");
    const auto& ss = sig->get_string();
    if (sodium_init() < 0) return Error{"internal", 500, "libsodium"};
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(sth.signature.data(), sth.signature.size(), ss.data(), ss.size(), nullptr, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != sth.signature.size() || end != ss.data() + ss.size())
        return bad_sth("signature");
    return sth;
}

}  // namespace idara::journal
