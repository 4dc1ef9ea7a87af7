// Rows written straight into a fresh database (each backend) for the dashboard tests:
// administrations MEF (units BO, DB, DRH) and MEN (unit BO), one staff account, one blob.
// Times: the ISO weeks 2026-W19 (Mon 4 May) and 2026-W20 (Mon 11 May), Casablanca = UTC+1.
#pragma once

#include "dashboard/stats.hpp"
#include "test_db.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace idara::testing {

// ms UTC of a UTC wall-clock time.
std::int64_t utc_ms(std::chrono::sys_days d, int hour = 0, int minute = 0, int ms = 0);
inline constexpr std::int64_t kDay = 86'400'000;

struct EntryRow {
    std::int64_t administration_id = 0;  // 0: MEF
    std::int64_t registered_at = 0;
    std::string type = "letter";
    std::string status = "registered";   // entries.status
    std::string state = "registered";    // entry_flow.state
    std::optional<std::int64_t> lead_unit;
    std::int64_t due_at = 0;
    std::optional<std::int64_t> paused_at, missing_requested_at, completed_at, answered_at;
    bool confidential = false;
};

class DashboardTest : public ::testing::TestWithParam<storage::Backend> {
protected:
    void SetUp() override;
    std::int64_t add_entry(EntryRow e);
    // An outgoing letter; registered (numbered) at `approved_at` unless nullopt (a draft).
    std::int64_t add_letter(std::int64_t administration_id, std::optional<std::int64_t> approved_at,
                            std::optional<std::int64_t> in_reply_to = {});
    std::int64_t add_account(const std::string& login);
    void add_membership(std::int64_t account, std::int64_t administration, std::optional<std::int64_t> unit,
                        const std::string& role);
    dashboard::Dashboard compute(const dashboard::Filter& f, std::optional<std::int64_t> administration = {});

    std::unique_ptr<storage::Database> db_;
    std::int64_t mef_ = 0, men_ = 0, account_ = 0;
    std::int64_t mef_bo_ = 0, mef_db_ = 0, mef_drh_ = 0, men_bo_ = 0;
    int sequence_ = 0;
};

}  // namespace idara::testing
