// Databases for tests, on both backends, so one test suite runs against
// SQLite and PostgreSQL alike:
//
//   class X : public ::testing::TestWithParam<storage::Backend> { ... fresh_database(GetParam()) ... };
//   INSTANTIATE_TEST_SUITE_P(Backends, X, ::testing::ValuesIn(idara::testing::all_backends()),
//                            idara::testing::backend_param_name);
//
// SQLite databases live in a temporary directory removed with the Database.
// PostgreSQL databases are created (CREATE DATABASE idara_t_<random>) on the
// throwaway server started by the CTest fixture "postgres", whose connection
// string is in the file named by IDARA_TEST_PG_DSN_FILE; without it the test
// fails with a message saying so (it never skips silently).
#pragma once

#include "storage/db.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace idara::testing {

// The backends every storage-using suite runs on, in this order: sqlite, postgres.
std::vector<storage::Backend> all_backends();
// gtest parameter names: "sqlite" / "postgres".
std::string backend_param_name(const ::testing::TestParamInfo<storage::Backend>& info);
// The same, under the name the storage brief gave it.
inline std::string backend_test_name(const ::testing::TestParamInfo<storage::Backend>& info) {
    return backend_param_name(info);
}

// An empty database with every embedded migration applied.
std::unique_ptr<storage::Database> fresh_database(storage::Backend b);
// An empty database with no schema at all. `connections` (SQLite: readers;
// PostgreSQL: pool size) and `wait_ms` (busy / acquire timeout) keep the
// defaults when 0.
std::unique_ptr<storage::Database> fresh_unmigrated_database(storage::Backend b, int connections = 0, int wait_ms = 0);
// A second, independent handle on a database returned by fresh_*database()
// (as a second process would open it); it must be destroyed before `db`.
std::unique_ptr<storage::Database> open_same(const storage::Database& db);
// The PostgreSQL server's connection string (throws if the fixture is not running).
std::string postgres_dsn();
// Creates a new, empty database on that server and returns its connection string.
std::string fresh_postgres_dsn();

}  // namespace idara::testing
