// init_gateway_keys: a gateway's own secrets, made once (gateway.hpp).
#include "exchange/gateway.hpp"
#include "exchange/files.hpp"

#include "core/random.hpp"
#include "exchange/ed25519.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace idara::exchange {

namespace {

Error key_error(const std::string& path, const std::string& why) {
    return Error{"exchange.key_file", 500, path + ": " + why};
}

// Writes `data` to `path` with mode 0600 through a temporary file and a rename.
Status write_secret(const std::string& path, const std::string& data) {
    std::string why;
    if (!files::write_atomic(path, data, true, why)) return key_error(path, why);
    return {};
}

Result<std::string> new_p256_pem() {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    if (!key) return Error{"exchange.key_file", 500, "P-256 key generation failed"};
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return Error{"exchange.key_file", 500, "cannot encode the TLS key"};
    char* p = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &p);
    return std::string(p, static_cast<std::size_t>(n));
}

}  // namespace

Status init_gateway_keys(const GatewayConfig& cfg) {
    std::error_code ec;
    std::filesystem::create_directories(cfg.dir, ec);
    if (ec) return key_error(cfg.dir, "cannot create the directory: " + ec.message());
    const auto exists = [&](std::string_view f) { return std::filesystem::exists(cfg.path(f)); };
    if (!exists("sign.key")) {
        auto st = SigningKey::generate().save(cfg.path("sign.key"));
        if (!st) return st;
    }
    if (!exists("tls.key")) {
        auto pem = new_p256_pem();
        if (!pem) return pem.error();
        auto st = write_secret(cfg.path("tls.key"), *pem);
        if (!st) return st;
    }
    if (!exists("admin-token")) {
        auto st = write_secret(cfg.path("admin-token"), random::hex_token(32) + "\n");
        if (!st) return st;
    }
    return {};
}

}  // namespace idara::exchange
