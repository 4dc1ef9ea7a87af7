#include "exchange/ed25519.hpp"
#include "exchange/files.hpp"

#include "core/random.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace idara::exchange {

namespace {

void ensure_sodium() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

Error key_file(const std::string& path, std::string why) {
    return Error{"exchange.key_file", 500, path + ": " + std::move(why)};
}

constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

}  // namespace

SigningKey SigningKey::generate() {
    ensure_sodium();
    SigningKey k;
    crypto_sign_keypair(k.pk_.data(), k.sk_.data());
    return k;
}

Result<SigningKey> SigningKey::load(const std::string& path) {
    ensure_sodium();
    std::ifstream in(path, std::ios::binary);
    if (!in) return key_file(path, "cannot be read");
    std::string text(256, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() >= 256) return key_file(path, "too large for a key file");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    auto seed = unb64(text);
    if (!seed || seed->size() != crypto_sign_SEEDBYTES) return key_file(path, "not a base64 32-byte seed");
    SigningKey k;
    crypto_sign_seed_keypair(k.pk_.data(), k.sk_.data(), reinterpret_cast<const unsigned char*>(seed->data()));
    sodium_memzero(seed->data(), seed->size());
    return k;
}

Status SigningKey::save(const std::string& path) const {
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    crypto_sign_ed25519_sk_to_seed(seed.data(), sk_.data());
    std::string line = b64(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size())) + "\n";
    sodium_memzero(seed.data(), seed.size());
    std::string why;
    const bool ok = files::write_atomic(path, line, true, why);
    sodium_memzero(line.data(), line.size());
    if (!ok) return key_file(path, "cannot be written: " + why);
    return {};
}

std::string SigningKey::public_key_b64() const {
    return b64(std::string_view(reinterpret_cast<const char*>(pk_.data()), pk_.size()));
}

std::string SigningKey::sign(std::string_view data) const {
    std::string sig(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(data.data()), data.size(), sk_.data());
    return sig;
}

std::string SigningKey::key_id() const { return key_id_of(pk_); }

Result<PublicKey> parse_public_key_b64(std::string_view text) {
    auto raw = unb64(text);
    if (!raw) return raw.error();
    if (raw->size() != 32) return Error{"exchange.bad_base64", 400, "a public key is 32 bytes"};
    PublicKey pk{};
    std::memcpy(pk.data(), raw->data(), pk.size());
    return pk;
}

bool verify_signature(const PublicKey& pk, std::string_view data, std::string_view sig64) {
    ensure_sodium();
    if (sig64.size() != crypto_sign_BYTES) return false;
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig64.data()),
                                       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                                       pk.data()) == 0;
}

std::string key_id_of(const PublicKey& pk) {
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(pk.data(), pk.size(), h, &len, EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed");
    char out[17];
    sodium_bin2hex(out, sizeof out, h, 8);
    return std::string(out, 16);
}

std::string b64(std::string_view bytes) {
    ensure_sodium();
    std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      kVariant);
    out.pop_back();  // the terminating NUL
    return out;
}

Result<std::string> unb64(std::string_view text) {
    ensure_sodium();
    if (text.empty()) return std::string();
    if (text.size() % 4 != 0) return Error{"exchange.bad_base64", 400, "length is not a multiple of 4"};
    // libsodium's decoder maps some bytes above 0x7f to base64 digits: refuse them first.
    for (char c : text)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              c == '='))
            return Error{"exchange.bad_base64", 400, "not standard base64"};
    std::string out(text.size() / 4 * 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, &end, kVariant) != 0 ||
        end != text.data() + text.size())
        return Error{"exchange.bad_base64", 400, "not standard base64"};
    out.resize(len);
    return out;
}

}  // namespace idara::exchange
