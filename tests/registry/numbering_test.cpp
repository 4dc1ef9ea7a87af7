// Register numbers on both backends: format, year in Casablanca, gap-free under concurrency and rollback.
#include "identity/password.hpp"
#include "identity/service.hpp"
#include "registry/numbering.hpp"
#include "test_db.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

using namespace idara;
using namespace idara::registry;
using namespace std::chrono_literals;
using storage::Backend;

namespace {

std::chrono::system_clock::time_point utc(int y, unsigned m, unsigned d, int h, int min) {
    return std::chrono::sys_days(std::chrono::year(y) / m / d) + std::chrono::hours(h) + std::chrono::minutes(min);
}

TEST(RegisterNumber, TextAndParseRoundTrip) {
    RegisterNumber in{"MEF", Register::incoming, 2026, 123};
    RegisterNumber out{"MEN", Register::outgoing, 2027, 45};
    EXPECT_EQ(in.text(), "MEF-2026-000123");
    EXPECT_EQ(out.text(), "MEN-S-2027-000045");
    EXPECT_EQ(parse_register_number(in.text()), in);
    EXPECT_EQ(parse_register_number(out.text()), out);
    EXPECT_EQ(parse_register_number("ADD-2026-1234567")->sequence, 1234567);
    for (const char* bad : {"", "MEF", "MEF-26-000001", "MEF-2026-12", "MEF-2026-000000", "mef-2026-000001",
                            "MEF-X-2026-000001", "MEF-2026-00000a", "MEF-2026-000001-", "-2026-000001"})
        EXPECT_FALSE(parse_register_number(bad)) << bad;
}

TEST(RegisterNumber, TheYearIsCasablancas) {
    EXPECT_EQ(casablanca_year(utc(2026, 6, 15, 12, 0)), 2026);
    // 23:30 UTC on 31 December is already 1 January in Casablanca (UTC+1).
    EXPECT_EQ(casablanca_year(utc(2026, 12, 31, 23, 30)), 2027);
    EXPECT_EQ(casablanca_year(utc(2026, 12, 31, 22, 30)), 2026);
}

class NumberingTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        db_ = idara::testing::fresh_database(GetParam());
        identity::ServiceOptions o;
        o.hash_limits = identity::HashLimits::minimum();
        identity::Service ids(*db_, o);
        a_ = ids.create_administration({"MEF", "وزارة", "Ministère", ""}).value();
        b_ = ids.create_administration({"MEN", "وزارة", "Ministère", ""}).value();
    }
    Result<RegisterNumber> next(std::int64_t adm, Register reg = Register::incoming,
                                std::chrono::system_clock::time_point at = utc(2026, 5, 1, 10, 0)) {
        return db_->write<RegisterNumber>(
            [&](storage::Tx& tx) { return allocate(tx, identity::TenantScope::trusted(adm), reg, at); });
    }
    std::unique_ptr<storage::Database> db_;
    std::int64_t a_ = 0, b_ = 0;
};

TEST_P(NumberingTest, SequencesArePerAdministrationRegisterAndYear) {
    EXPECT_EQ(next(a_)->text(), "MEF-2026-000001");
    EXPECT_EQ(next(a_)->text(), "MEF-2026-000002");
    EXPECT_EQ(next(b_)->text(), "MEN-2026-000001");
    EXPECT_EQ(next(a_, Register::outgoing)->text(), "MEF-S-2026-000001");
    EXPECT_EQ(next(a_, Register::incoming, utc(2026, 12, 31, 23, 30))->text(), "MEF-2027-000001");
    EXPECT_EQ(next(a_)->text(), "MEF-2026-000003");
}

TEST_P(NumberingTest, ARolledBackRegistrationLeavesNoGap) {
    ASSERT_EQ(next(a_)->sequence, 1);
    auto failed = db_->write_tx([&](storage::Tx& tx) -> Status {
        auto n = allocate(tx, identity::TenantScope::trusted(a_), Register::incoming, utc(2026, 5, 1, 10, 0));
        if (!n) return n.error();
        EXPECT_EQ(n->sequence, 2);
        return errors::internal("the receipt could not be sealed");
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(next(a_)->sequence, 2) << "the number of the failed registration is reused, so none is missing";
}

TEST_P(NumberingTest, ConcurrentAllocationsAreUniqueAndContiguous) {
    std::mutex mu;
    std::set<std::int64_t> seen;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                auto n = next(t % 2 == 0 ? a_ : b_);
                ASSERT_TRUE(n) << n.error().detail;
                if (n->administration_code == "MEF") {
                    std::lock_guard lk(mu);
                    EXPECT_TRUE(seen.insert(n->sequence).second) << "duplicate " << n->text();
                }
            }
        });
    for (auto& th : threads) th.join();
    ASSERT_EQ(seen.size(), 100u);
    EXPECT_EQ(*seen.begin(), 1);
    EXPECT_EQ(*seen.rbegin(), 100) << "no gap";
    EXPECT_EQ(next(b_)->sequence, 101);
}

TEST_P(NumberingTest, UnknownAdministrationIsNotFound) {
    auto n = next(987654);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code, "resource.not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, NumberingTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
