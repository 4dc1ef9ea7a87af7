// The portal on a fresh database of each backend, for the procedure-engine tests (and for
// tests/web and tests/govstack, which may link `idara_portal_fixture`):
//   - the demo data (identity::seed_demo: MEF, MEN, ADD, UNIV, CNRST with their units and staff,
//     the citizens amina.elmansouri@example.ma and youssef.benali@example.ma, a company, an
//     operator) with the minimum password-hash limits;
//   - the key store and the registry's DepositService (receipts rendered and sealed for real);
//   - a Catalogue, and an ApplicationService whose exchange is FakeExchange: a test double of the
//     network answering from demo/exchange/bac_results.json and birth_records.json, counting its
//     calls, and told to fail on demand;
//   - a FakeClock the test moves (it starts in September 2026).
//
// PortalEnv is the plain object (construct it with a backend); PortalTest is the gtest fixture
// parameterised by backend (INSTANTIATE_TEST_SUITE_P(Backends, X, ValuesIn(all_backends()), ...)).
#pragma once

#include "../identity/fake_clock.hpp"
#include "identity/demo.hpp"
#include "identity/service.hpp"
#include "procedures/applications.hpp"
#include "procedures/catalogue.hpp"
#include "procedures/exchange_client.hpp"
#include "registry/deposit.hpp"
#include "storage/blob_store.hpp"
#include "test_db.hpp"
#include "trust/key_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace idara::testing {

// The service ids the double knows (as the demo gateways publish them).
inline constexpr const char* kBacService = "MA/GOV/MEN/bac-results/bac-result";
inline constexpr const char* kBirthService = "MA/GOV/ETATCIVIL/records/birth-record";
// A student number of the demo data (Yasmine El Amrani) and one that is not in it.
inline constexpr const char* kDemoStudent = "R130245871";
inline constexpr const char* kUnknownStudent = "Z999999999";

// The exchange as a test double: GET /results/{student_number} of kBacService and
// GET /births/{national_id} of kBirthService answer 200 with the record of the demo data, 404
// with an X-Road-style error body when there is none; any other service or path is 404 too.
// fail(true) makes every call a transport failure (application.exchange_failed, 502).
class FakeExchange final : public procedures::ExchangeClient {
public:
    FakeExchange();  // reads demo/exchange/*.json from the source tree
    Result<procedures::ExchangeAnswer> get(std::string_view service, std::string_view path,
                                           std::string_view user_id) override;

    void fail(bool on) { fail_ = on; }
    int calls() const { return calls_.load(); }
    // The last call's arguments.
    struct Call {
        std::string service, path, user_id, x_road_id;
    };
    Call last() const;

private:
    std::map<std::string, std::string> bac_, birth_;  // key -> record (serialized JSON)
    std::atomic<bool> fail_{false};
    std::atomic<int> calls_{0};
    mutable std::mutex mu_;
    Call last_;
};

// A file of the source tree ("procedures/student-registration/v1.json"); throws when missing.
std::string source_file(const std::string& relative);
// The reference procedure file's text.
std::string reference_procedure();
// `text` with the first occurrence of `from` replaced by `to` (fails the test when absent).
std::string replace_once(std::string text, const std::string& from, const std::string& to);
// The reference file as another procedure: code, version, administration, life event and titles
// replaced (for catalogue and versioning tests).
std::string variant_procedure(const std::string& code, int version, const std::string& administration,
                              const std::string& life_event, const std::string& title_ar, const std::string& title_fr);

class PortalEnv {
public:
    explicit PortalEnv(storage::Backend b);
    ~PortalEnv();
    PortalEnv(const PortalEnv&) = delete;
    PortalEnv& operator=(const PortalEnv&) = delete;

    // A demo account's principal by login (fails the test when unknown).
    identity::Principal principal(const std::string& login);
    identity::Principal amina() { return principal("amina.elmansouri@example.ma"); }     // citizen
    identity::Principal youssef() { return principal("youssef.benali@example.ma"); }     // citizen
    identity::Principal company() { return principal("contact@atlas-numerique.ma"); }    // company
    identity::Principal univ_clerk() { return principal("bureau.ordre@um5.ac.ma"); }     // UNIV staff
    identity::Principal univ_agent() { return principal("agent@um5.ac.ma"); }            // UNIV staff
    identity::Principal men_agent() { return principal("agent@men.gov.ma"); }            // MEN staff
    identity::Principal operator_() { return principal("operateur@idara.ma"); }

    // Loads the reference file (student-registration v1) into the catalogue; fails the test on error.
    void load_reference();
    // Rows in a table (to prove that a failure stored nothing).
    std::int64_t count(const std::string& table);
    // Recreates the ApplicationService (e.g. after changing the limits or the exchange).
    void make_applications(procedures::ExchangeClient* exchange);

    FakeClock clock;
    std::filesystem::path blob_dir;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<storage::BlobStore> blobs;
    std::unique_ptr<identity::Service> ids;
    std::unique_ptr<trust::KeyStore> keys;
    std::unique_ptr<registry::DepositService> deposits;
    std::unique_ptr<procedures::Catalogue> catalogue;
    FakeExchange exchange;
    registry::AttachmentLimits limits;  // 3 files, 64 KiB each, 128 KiB in all
    std::unique_ptr<procedures::ApplicationService> apps;
    std::vector<identity::DemoLogin> logins;
    trust::MasterKey master{};
};

class PortalTest : public ::testing::TestWithParam<storage::Backend> {
protected:
    void SetUp() override { env_ = std::make_unique<PortalEnv>(GetParam()); }
    void TearDown() override { env_.reset(); }
    PortalEnv& env() { return *env_; }

    std::unique_ptr<PortalEnv> env_;
};

}  // namespace idara::testing
