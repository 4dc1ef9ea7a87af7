// The registry office on a fresh database of each backend: two administrations
// (MEF with a registry office "BO", MEN), staff with roles, two citizens and a company,
// the key store and the deposit service on a clock the test moves.
#pragma once

#include "../identity/fake_clock.hpp"
#include "identity/service.hpp"
#include "registry/deposit.hpp"
#include "storage/blob_store.hpp"
#include "sample_pdf.hpp"
#include "test_db.hpp"
#include "trust/key_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

namespace idara::testing {

class DepositTest : public ::testing::TestWithParam<storage::Backend> {
protected:
    void SetUp() override;
    void TearDown() override;

    identity::Principal principal(std::int64_t account_id) { return ids_->principal_of(account_id).value(); }
    std::int64_t add_staff(const std::string& login, const std::string& adm, identity::Role role,
                           std::optional<std::string> unit = {});
    std::int64_t add_public(const std::string& login, identity::AccountKind kind);

    // A portal deposit to MEF with one small PDF.
    registry::NewDeposit letter(const std::string& subject = "طلب شهادة إدارية");
    // Rows in a table (to prove that a failure stored nothing).
    std::int64_t count(const std::string& table);
    // Files in the blob directory (SQLite's file store).
    std::size_t blob_files() const;
    void make_service();

    FakeClock clock_;
    std::filesystem::path blob_dir_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::BlobStore> blobs_;
    std::unique_ptr<identity::Service> ids_;
    std::unique_ptr<trust::KeyStore> keys_;
    std::unique_ptr<registry::DepositService> svc_;
    trust::MasterKey master_{};
    std::int64_t mef_ = 0, men_ = 0;
    std::int64_t citizen_ = 0, citizen2_ = 0, company_ = 0;
    std::int64_t mef_clerk_ = 0, mef_agent_ = 0, mef_admin_ = 0, men_clerk_ = 0, men_agent_ = 0;
};

}  // namespace idara::testing
