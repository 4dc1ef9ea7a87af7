// Register entries written straight into the tables of a fresh database (each backend),
// indexed with search::index_entry in the same transaction, for the search tests.
// Two administrations: MEF (units BO, DB, DRH) and MEN (unit BO).
#pragma once

#include "search/index.hpp"
#include "search/search.hpp"
#include "test_db.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace idara::testing {

struct EntrySpec {
    std::int64_t administration_id = 0;
    std::string subject = "طلب";
    std::string body;
    std::string depositor = "أمينة المنصوري";
    std::string type = "letter";
    std::string state = "registered";
    bool confidential = false;
    std::optional<std::int64_t> lead_unit;
    std::vector<std::pair<std::int64_t, std::string>> units;  // (unit id, lead|copy|opinion)
    std::int64_t registered_at = 1'770'000'000'000;
    std::int64_t due_at = 1'775'000'000'000;
    std::vector<std::string> extra_texts;
};

class SearchTest : public ::testing::TestWithParam<storage::Backend> {
protected:
    void SetUp() override;

    std::int64_t add(EntrySpec spec);
    std::string register_number(std::int64_t entry_id);
    // The page, failing the test on an error.
    search::SearchPage find(const search::SearchQuery& q, const search::Viewer& v);
    // Entry ids found for `text` by the MEF administrator (sees all non-confidential).
    std::vector<std::int64_t> ids(const std::string& text);
    std::vector<std::int64_t> ids(const search::SearchQuery& q, const search::Viewer& v);
    search::Viewer mef_admin() const { return {mef_, {}, true}; }

    std::unique_ptr<storage::Database> db_;
    std::int64_t mef_ = 0, men_ = 0, account_ = 0;
    std::int64_t mef_bo_ = 0, mef_db_ = 0, mef_drh_ = 0, men_bo_ = 0;
    int sequence_ = 0;
};

}  // namespace idara::testing
