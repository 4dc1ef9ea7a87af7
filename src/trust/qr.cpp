// The QR payload (trust/qr.hpp). Parsing is strict: one canonical spelling per
// payload, so a payload cannot be altered without breaking its signature or shape.
#include "trust/qr.hpp"

#include "trust/codec.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <cstring>

namespace idara::trust {

namespace {

constexpr std::string_view kPrefix = "IDR1.";
constexpr std::size_t kMaxPayload = 512;
constexpr std::size_t kMaxUrl = 2048;

Error malformed(std::string d) { return {"qr.malformed", 400, std::move(d)}; }

bool is_upper_alnum_dash(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }

// [A-Z0-9-]{1,40}
bool valid_number(std::string_view s) {
    return !s.empty() && s.size() <= 40 && std::all_of(s.begin(), s.end(), is_upper_alnum_dash);
}

// Key ids are "<CODE>-<n>": [A-Za-z0-9_-]{1,64}.
bool valid_kid(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return is_upper_alnum_dash(c) || (c >= 'a' && c <= 'z') || c == '_';
           });
}

bool valid_digest(std::string_view s) {
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A positive decimal without sign or leading zero that fits in int64.
std::optional<std::int64_t> positive_decimal(std::string_view s) {
    if (s.empty() || s.size() > 18 || s[0] == '0') return std::nullopt;
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

struct Parts {
    std::string_view signed_part;  // "IDR1." + body segment
    QrClaims claims;
    std::string signature;         // 64 bytes
};

Result<Parts> split(std::string_view p) {
    if (p.size() > kMaxPayload) return malformed("payload too long");
    if (p.substr(0, kPrefix.size()) != kPrefix) return malformed("wrong prefix");
    const std::string_view rest = p.substr(kPrefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos || rest.find('.', dot + 1) != std::string_view::npos)
        return malformed("not two segments");
    auto body = codec::b64url_decode(rest.substr(0, dot));
    auto sig = codec::b64url_decode(rest.substr(dot + 1));
    if (!body || !sig) return malformed("segment is not canonical base64url");
    if (sig->size() != crypto_sign_BYTES) return malformed("signature length");

    std::string_view f[4];
    std::string_view b = *body;
    for (int i = 0; i < 4; ++i) {
        const auto bar = b.find('|');
        if (i < 3) {
            if (bar == std::string_view::npos) return malformed("too few fields");
            f[i] = b.substr(0, bar);
            b.remove_prefix(bar + 1);
        } else {
            if (bar != std::string_view::npos) return malformed("too many fields");
            f[i] = b;
        }
    }
    auto time = positive_decimal(f[1]);
    if (!valid_number(f[0])) return malformed("register number");
    if (!time) return malformed("time");
    if (!valid_digest(f[2])) return malformed("digest");
    if (!valid_kid(f[3])) return malformed("kid");

    Parts out;
    out.signed_part = p.substr(0, kPrefix.size() + dot);
    out.claims = {std::string(f[0]), *time, std::string(f[2]), std::string(f[3])};
    out.signature = std::move(*sig);
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

}  // namespace

std::string sign_qr(const QrClaims& c, const std::array<unsigned char, 64>& sk) {
    codec::sodium_ready();
    const std::string body =
        c.register_number + "|" + std::to_string(c.registered_at_ms) + "|" + c.receipt_digest + "|" + c.kid;
    std::string out = std::string(kPrefix) + codec::b64url_encode(body);
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(out.data()), out.size(), sk.data());
    out += '.';
    out += codec::b64url_encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
    return out;
}

Result<std::string> extract_payload(std::string_view in) {
    while (!in.empty() && std::strchr(" \t\r\n", in.front()) != nullptr) in.remove_prefix(1);
    while (!in.empty() && std::strchr(" \t\r\n", in.back()) != nullptr) in.remove_suffix(1);
    if (in.substr(0, kPrefix.size()) == kPrefix) {
        if (in.size() > kMaxPayload) return malformed("payload too long");
        return std::string(in);
    }
    if (in.size() > kMaxUrl) return malformed("URL too long");
    std::size_t scheme = 0;
    if (starts_with_ci(in, "https://")) scheme = 8;
    else if (starts_with_ci(in, "http://")) scheme = 7;
    else return malformed("neither a payload nor an http(s) URL");
    std::string_view rest = in.substr(scheme);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    const auto q = rest.find('?');
    if (q == std::string_view::npos) return malformed("URL without a query");
    const std::string_view authority_path = rest.substr(0, q), query = rest.substr(q + 1);
    const auto slash = authority_path.find('/');
    if (slash == 0 || slash == std::string_view::npos) return malformed("URL without a host or path");
    const std::string_view path = authority_path.substr(slash);
    constexpr std::string_view kVerify = "/verify";
    if (path.size() < kVerify.size() || path.substr(path.size() - kVerify.size()) != kVerify)
        return malformed("URL path does not end with /verify");

    std::optional<std::string> found;
    std::string_view params = query;
    while (true) {
        const auto amp = params.find('&');
        const std::string_view param = params.substr(0, amp);
        const auto eq = param.find('=');
        if (param.substr(0, eq) == "q") {
            if (found || eq == std::string_view::npos) return malformed("q missing a value or repeated");
            found = percent_decode(param.substr(eq + 1));
            if (!found) return malformed("bad percent-encoding");
        }
        if (amp == std::string_view::npos) break;
        params.remove_prefix(amp + 1);
    }
    if (!found) return malformed("URL without q");
    if (found->size() > kMaxPayload || found->substr(0, kPrefix.size()) != kPrefix)
        return malformed("q is not a payload");
    return std::move(*found);
}

Result<QrClaims> parse_qr(std::string_view payload) {
    auto p = split(payload);
    if (!p) return p.error();
    return std::move(p->claims);
}

Result<QrClaims> verify_qr(std::string_view payload, const std::vector<PublicKey>& keys) {
    auto p = split(payload);
    if (!p) return p.error();
    const auto key = std::find_if(keys.begin(), keys.end(), [&](const PublicKey& k) { return k.kid == p->claims.kid; });
    if (key == keys.end()) return Error{"qr.unknown_key", 400, "unknown key id " + p->claims.kid};
    codec::sodium_ready();
    if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(p->signature.data()),
                                    reinterpret_cast<const unsigned char*>(p->signed_part.data()),
                                    p->signed_part.size(), key->ed25519_pk.data()) != 0)
        return Error{"qr.bad_signature", 400, "signature does not verify with " + key->kid};
    return std::move(p->claims);
}

std::string qr_url(std::string_view public_url, std::string_view payload) {
    static const char* hex = "0123456789ABCDEF";
    std::string out(public_url);
    out += "/verify?q=";
    for (char ch : payload) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace idara::trust
