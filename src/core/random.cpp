#include "core/random.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace idara::random {

namespace {
void ensure_init() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

std::string to_hex(const unsigned char* p, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), p, n);
    out.pop_back();
    return out;
}
}  // namespace

std::string hex_token(std::size_t n) {
    ensure_init();
    std::vector<unsigned char> buf(n);
    randombytes_buf(buf.data(), n);
    return to_hex(buf.data(), n);
}

std::string url_token(std::size_t n) {
    ensure_init();
    std::vector<unsigned char> buf(n);
    randombytes_buf(buf.data(), n);
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_encoded_len(n, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), buf.data(), n, variant);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

bool equal_ct(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sha256_hex(std::string_view data) {
    // OpenSSL's SHA-256 uses the CPU's SHA extensions where present: several times faster
    // than libsodium's portable C on receipts and attachments.
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), h, &len, EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed");
    return to_hex(h, len);
}

}  // namespace idara::random
