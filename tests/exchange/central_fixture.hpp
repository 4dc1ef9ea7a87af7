// Shared by the central_* tests: a fresh central directory, a clock the test moves, and
// registration documents.
#pragma once

#include "core/clock.hpp"
#include "exchange/central.hpp"
#include "exchange/ed25519.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace idara::testing {

// Starts at the real time (certificates are issued for the real now) and moves by hand.
class CentralClock final : public Clock {
public:
    std::chrono::system_clock::time_point now() const override {
        return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_.load()));
    }
    void advance(std::chrono::milliseconds d) { ms_ += d.count(); }

private:
    std::atomic<std::int64_t> ms_{system_clock().now_ms()};
};

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A fresh P-256 private key in PEM.
inline std::string new_key_pem() {
    EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    EVP_PKEY_free(k);
    return out;
}

inline std::string member_json(const std::string& code, const std::string& sign_key_b64 = {}) {
    boost::json::object o{{"class", "GOV"},
                          {"code", code},
                          {"name_ar", "وزارة " + code},
                          {"name_fr", "Ministère " + code},
                          {"sign_key", sign_key_b64.empty() ? exchange::SigningKey::generate().public_key_b64()
                                                            : sign_key_b64}};
    return boost::json::serialize(o);
}

inline std::string subsystem_json(const std::string& member, const std::string& code) {
    return boost::json::serialize(boost::json::object{{"member", member}, {"code", code}});
}

inline std::string gateway_json(const std::string& owner, const std::string& code, const std::string& cert_pem,
                                const std::string& address = "127.0.0.1:8201") {
    return boost::json::serialize(
        boost::json::object{{"owner", owner}, {"code", code}, {"address", address}, {"tls_cert_pem", cert_pem}});
}

class CentralTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/idara-central-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ASSERT_TRUE(exchange::init_central(dir_, options()));
        auto c = exchange::open_central(dir_, clock_);
        ASSERT_TRUE(c) << c.error().code << " " << c.error().detail;
        central_ = std::move(*c);
    }
    void TearDown() override {
        central_.reset();
        std::filesystem::remove_all(dir_);
    }
    virtual exchange::CentralOptions options() const { return {}; }

    // Files and approves a request; returns its id.
    std::int64_t approved(std::string_view kind, const std::string& json) {
        auto id = central_->request(kind, json);
        EXPECT_TRUE(id) << (id ? "" : id.error().code + " " + id.error().detail);
        if (!id) return 0;
        EXPECT_TRUE(central_->approve(*id));
        return *id;
    }

    std::string gateway_cert(const std::string& host = "127.0.0.1") {
        auto pem = exchange::issue_dev_gateway_cert(dir_, new_key_pem(), "gw", host);
        EXPECT_TRUE(pem);
        return pem ? *pem : std::string{};
    }

    std::string dir_;
    CentralClock clock_;
    std::unique_ptr<exchange::Central> central_;
};

}  // namespace idara::testing
