// The fixture shared by the storage suites: a fresh, migrated database of the
// parameter's backend with a scratch table
//   t (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT, b BLOB/BYTEA, u TEXT UNIQUE).
#pragma once

#include "storage/db.hpp"
#include "test_db.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace idara::storage_test {

using namespace idara::storage;

class StorageTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        db_ = idara::testing::fresh_database(GetParam());
        ASSERT_TRUE(db_->write_tx([](Tx& tx) -> Status {
            return tx.exec_script(
                "CREATE TABLE t (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT, b " +
                std::string(GetParam() == Backend::sqlite ? "BLOB" : "BYTEA") + ", u TEXT UNIQUE)");
        }));
    }
    std::int64_t count(const std::string& table = "t") {
        return db_->read<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
                      auto r = tx.query_one("SELECT COUNT(*) FROM " + table);
                      if (!r) return r.error();
                      return (*r)->as_int(0);
                  })
            .value();
    }
    std::unique_ptr<Database> db_;
};

// The first column of the first row of a query, as text (fails the test when there is none).
inline std::string scalar_text(Database& db, const std::string& sql, const Params& params = {}) {
    auto r = db.read<std::string>([&](Tx& tx) -> Result<std::string> {
        auto row = tx.query_one(sql, params);
        if (!row) return row.error();
        if (!*row) return Error{"test", 500, "no row for " + sql};
        return (*row)->as_text(0);
    });
    EXPECT_TRUE(r) << (r ? "" : r.error().code + ": " + r.error().detail);
    return r ? *r : std::string("<error>");
}

}  // namespace idara::storage_test
