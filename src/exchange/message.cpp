#include "exchange/message.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace idara::exchange {

struct BodyHasher::State {
    EVP_MD_CTX* ctx = nullptr;
    bool finished = false;
};

BodyHasher::BodyHasher() : s_(new State) {
    s_->ctx = EVP_MD_CTX_new();
    if (s_->ctx == nullptr || EVP_DigestInit_ex(s_->ctx, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(s_->ctx);
        delete s_;
        throw std::runtime_error("SHA-256 initialisation failed");
    }
}

BodyHasher::~BodyHasher() {
    EVP_MD_CTX_free(s_->ctx);
    delete s_;
}

void BodyHasher::update(std::string_view chunk) {
    if (s_->finished) throw std::logic_error("BodyHasher::update after finish");
    if (!chunk.empty() && EVP_DigestUpdate(s_->ctx, chunk.data(), chunk.size()) != 1)
        throw std::runtime_error("SHA-256 update failed");
}

Digest BodyHasher::finish() {
    if (s_->finished) throw std::logic_error("BodyHasher::finish called twice");
    s_->finished = true;
    Digest d{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(s_->ctx, d.data(), &len) != 1 || len != d.size())
        throw std::runtime_error("SHA-256 final failed");
    return d;
}

Digest sha256(std::string_view data) {
    Digest d{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_sha256(), nullptr) != 1 || len != d.size())
        throw std::runtime_error("SHA-256 failed");
    return d;
}

std::string hex(const Digest& d) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(d.size() * 2);
    for (unsigned char b : d) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

namespace {

constexpr std::string_view kVersion = "idara-exchange-v1";

Status append_line(std::string& out, std::string_view name, std::string_view value) {
    if (value.find_first_of("\r\n") != std::string_view::npos)
        return Error{"exchange.bad_header", 400, std::string(name) + " holds a line break"};
    out.append(value);
    out.push_back('\n');
    return {};
}

std::string_view as_text(const Digest& d) {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace

Result<std::string> canonical(const RequestParts& r) {
    std::string out;
    out.reserve(256 + r.target.size());
    out.append(kVersion).append("\nrequest\n");
    for (auto [name, value] : {std::pair<std::string_view, std::string_view>{"method", r.method},
                               {"target", r.target},
                               {"X-Road-Client", r.client},
                               {"X-Road-Id", r.query_id},
                               {"X-Road-UserId", r.user_id},
                               {"X-Road-Issue", r.issue},
                               {"Content-Type", r.content_type}})
        if (auto s = append_line(out, name, value); !s) return s.error();
    out.append(hex(r.body_sha256)).push_back('\n');
    return out;
}

Result<std::string> canonical(const ResponseParts& r) {
    std::string out;
    out.reserve(256);
    out.append(kVersion).append("\nresponse\n").append(std::to_string(r.status)).push_back('\n');
    for (auto [name, value] : {std::pair<std::string_view, std::string_view>{"X-Road-Id", r.query_id},
                               {"X-Road-Request-Hash", r.request_hash},
                               {"Content-Type", r.content_type}})
        if (auto s = append_line(out, name, value); !s) return s.error();
    out.append(hex(r.body_sha256)).push_back('\n');
    return out;
}

std::string request_hash(std::string_view request_canonical) { return b64(as_text(sha256(request_canonical))); }

std::string signature_header(const MemberId& signer, const SigningKey& key, std::string_view canonical) {
    return "v1;member=" + signer.str() + ";sig=" + b64(key.sign(as_text(sha256(canonical))));
}

Result<ParsedSignature> parse_signature_header(std::string_view value) {
    auto bad = [](std::string why) { return Error{"exchange.bad_signature_header", 400, std::move(why)}; };
    if (value.size() > 512) return bad("header too long");
    constexpr std::string_view head = "v1;member=";
    constexpr std::string_view sig_key = ";sig=";
    if (value.substr(0, head.size()) != head) return bad("must start with v1;member=");
    const auto rest = value.substr(head.size());
    const auto at = rest.find(sig_key);
    if (at == std::string_view::npos) return bad("missing ;sig=");
    auto signer = parse_member_id(rest.substr(0, at));
    if (!signer) return bad("signer: " + signer.error().detail);
    auto sig = unb64(rest.substr(at + sig_key.size()));
    if (!sig) return bad("sig is not base64");
    if (sig->size() != 64) return bad("sig is not 64 bytes");
    return ParsedSignature{std::move(*signer), std::move(*sig)};
}

bool verify_canonical(const PublicKey& pk, std::string_view canonical, std::string_view sig) {
    return verify_signature(pk, as_text(sha256(canonical)), sig);
}

}  // namespace idara::exchange
