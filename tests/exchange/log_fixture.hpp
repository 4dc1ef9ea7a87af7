// Shared by the log_* tests: a scratch directory, a clock tests move, a real built-in RFC 3161
// authority (root CA + TSA certificate with the critical timeStamping usage), a failing one,
// and helpers to build records and poke at gateway.db.
#pragma once

#include "core/clock.hpp"
#include "exchange/msglog.hpp"
#include "storage/db.hpp"
#include "trust/keys.hpp"
#include "trust/tsa.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

namespace idara::test_log {

class FakeClock final : public Clock {
public:
    FakeClock() : ms_(system_clock().now_ms()) {}
    std::chrono::system_clock::time_point now() const override {
        return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_.load()));
    }
    void advance(std::chrono::milliseconds d) { ms_ += d.count(); }

private:
    std::atomic<std::int64_t> ms_;
};

class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "idara-log-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& str() const { return path_; }

private:
    std::string path_;
};

// A root CA and a TSA it issued; tokens verify against root_pem.
struct TestTsa {
    trust::PkeyPtr root_key;
    trust::X509Ptr root_cert;
    std::string root_pem;
    std::shared_ptr<trust::TimeStamper> tsa;

    static TestTsa make(const std::string& org = "Test Org") {
        TestTsa t;
        t.root_key.reset(EVP_EC_gen("P-256"));
        trust::CertProfile ca;
        ca.common_name = org + " Root";
        ca.organisation = org;
        ca.ca = true;
        t.root_cert = trust::issue_certificate(t.root_key.get(), t.root_key.get(), nullptr, ca);
        trust::CertProfile p;
        p.common_name = org + " TSA";
        p.organisation = org;
        p.ext_key_usage = "critical,timeStamping";
        auto id = trust::issue_identity(t.root_key.get(), t.root_cert.get(), p);
        if (!id || !t.root_cert) throw std::runtime_error("test PKI");
        t.root_pem = trust::to_pem(t.root_cert.get());
        t.tsa = std::shared_ptr<trust::TimeStamper>(trust::make_builtin_tsa(std::move(*id), system_clock()));
        return t;
    }
};

class FailingTsa final : public trust::TimeStamper {
public:
    Result<std::string> timestamp(std::span<const unsigned char, 32>) override {
        return Error{"trust.tsa_unavailable", 503, "test: authority down"};
    }
};

// A TsaProvider whose stamper tests can swap.
class SwitchableTsa {
public:
    explicit SwitchableTsa(std::shared_ptr<trust::TimeStamper> t) : t_(std::move(t)) {}
    void set(std::shared_ptr<trust::TimeStamper> t) {
        std::lock_guard lk(mu_);
        t_ = std::move(t);
    }
    exchange::TsaProvider provider() {
        return [this] {
            std::lock_guard lk(mu_);
            return t_;
        };
    }

private:
    std::mutex mu_;
    std::shared_ptr<trust::TimeStamper> t_;
};

inline exchange::GatewayConfig config(const std::string& dir, exchange::BodyMode mode = exchange::BodyMode::keep,
                                      const std::string& pk_b64 = "") {
    exchange::GatewayConfig c;
    c.dir = dir;
    c.log.body_mode = mode;
    c.log.log_public_key_b64 = pk_b64;
    c.log.timestamp_interval_seconds = 1;
    c.log.timestamp_grace_seconds = 60;
    return c;
}

inline exchange::LogRecord record(int i, std::int64_t at_ms) {
    exchange::LogRecord r;
    r.direction = i % 2 == 0 ? exchange::Direction::client : exchange::Direction::server;
    r.query_id = "q-" + std::to_string(i);
    r.client = "MA/GOV/UNIV/registration";
    r.service = "MA/GOV/MEN/bac-results/bac-result";
    r.request_canonical = "idara-exchange-v1\nrequest\nGET\n/r1/MA/GOV/MEN/bac-results/bac-result/results/" +
                          std::to_string(i) + "\n";
    r.request_signature = "v1;member=MA/GOV/UNIV;sig=AAAA";
    r.response_canonical = "idara-exchange-v1\nresponse\n200\n";
    r.response_signature = "v1;member=MA/GOV/MEN;sig=BBBB";
    r.request_body = "";
    r.response_body = "{\"student\":" + std::to_string(i) + ",\"mention\":\"bien\"}";
    r.at_ms = at_ms;
    return r;
}

inline exchange::OpRecord op(int i, std::int64_t end_ms, bool ok = true) {
    exchange::OpRecord o;
    o.direction = exchange::Direction::client;
    o.query_id = "q-" + std::to_string(i);
    o.client = "MA/GOV/UNIV/registration";
    o.service = "MA/GOV/MEN/bac-results/bac-result";
    o.user_id = "agent-1";
    o.peer_gateway = "MA/GOV/MEN/gw1";
    o.start_ms = end_ms - 5;
    o.end_ms = end_ms;
    o.request_bytes = 10;
    o.response_bytes = 100;
    o.success = ok;
    o.status = ok ? 200 : 500;
    o.error_type = ok ? "" : "Server.ServerProxy.ServiceFailed";
    return o;
}

// A second handle on <dir>/gateway.db for tests that read or tamper with it.
inline std::unique_ptr<storage::Database> open_db(const std::string& dir) {
    storage::SqliteOptions o;
    o.path = dir + "/gateway.db";
    auto db = storage::open_sqlite(o);
    if (!db) throw std::runtime_error(db.error().detail);
    return std::move(*db);
}

inline void exec(const std::string& dir, const std::string& sql, const storage::Params& p = {}) {
    auto db = open_db(dir);
    auto s = db->write_tx([&](storage::Tx& tx) -> Status {
        auto n = tx.exec(sql, p);
        if (!n) return n.error();
        if (*n == 0) return Error{"test", 500, "no row changed: " + sql};
        return {};
    });
    if (!s) throw std::runtime_error(s.error().detail);
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

}  // namespace idara::test_log
