// Filters, ordering, paging and the visibility boundaries (tenant, confidential, units)
// on both backends.
#include "search_fixture.hpp"

using namespace idara;
using namespace idara::testing;
using search::Order;
using search::SearchQuery;
using search::Viewer;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kNow = 1'772'000'000'000;

class FilterTest : public SearchTest {
protected:
    void SetUp() override {
        SearchTest::SetUp();
        open_ = add({.subject = "Demande de subvention", .type = "request", .state = "assigned",
                     .lead_unit = mef_db_, .units = {{mef_db_, "lead"}}, .registered_at = kNow - 30 * kDay,
                     .due_at = kNow - kDay});
        answered_ = add({.subject = "Demande de subvention agricole", .type = "request", .state = "answered",
                         .lead_unit = mef_db_, .units = {{mef_db_, "lead"}}, .registered_at = kNow - 20 * kDay,
                         .due_at = kNow - 2 * kDay});
        complaint_ = add({.subject = "Réclamation subvention", .type = "complaint", .state = "in_progress",
                          .lead_unit = mef_drh_, .units = {{mef_drh_, "lead"}, {mef_db_, "copy"}},
                          .registered_at = kNow - 10 * kDay, .due_at = kNow + 5 * kDay});
        secret_ = add({.subject = "Demande de subvention confidentielle", .state = "assigned", .confidential = true,
                       .lead_unit = mef_drh_, .units = {{mef_drh_, "lead"}}, .registered_at = kNow - 5 * kDay,
                       .due_at = kNow - kDay});
        other_ = add({.administration_id = men_, .subject = "Demande de subvention scolaire", .state = "assigned",
                      .lead_unit = men_bo_, .units = {{men_bo_, "lead"}}, .registered_at = kNow - kDay});
    }
    std::int64_t open_ = 0, answered_ = 0, complaint_ = 0, secret_ = 0, other_ = 0;
};

TEST_P(FilterTest, TenantBoundaryAlwaysHolds) {
    EXPECT_THAT(ids("subvention"), ElementsAre(open_, answered_, complaint_));
    EXPECT_THAT(ids({.text = "scolaire"}, mef_admin()), IsEmpty());
    EXPECT_THAT(ids({.text = "subvention"}, Viewer{men_, {}, true}), ElementsAre(other_));
    EXPECT_THAT(ids({}, Viewer{men_, {}, true}), ElementsAre(other_));
    // A viewer of MEN naming MEF's units still sees only MEN's entries.
    EXPECT_THAT(ids({}, Viewer{men_, {mef_drh_, mef_db_}, true}), ElementsAre(other_));
}

TEST_P(FilterTest, ConfidentialOnlyForAssignedUnits) {
    EXPECT_THAT(ids({.text = "confidentielle"}, mef_admin()), IsEmpty()) << "not even the administrator";
    EXPECT_EQ(find({.text = "confidentielle"}, mef_admin()).total, 0);
    EXPECT_THAT(ids({}, Viewer{mef_, {mef_db_}, false}), ElementsAre(open_, answered_, complaint_));
    EXPECT_THAT(ids({}, Viewer{mef_, {mef_drh_}, false}), ElementsAre(complaint_, secret_));
    EXPECT_THAT(ids({.text = "confidentielle"}, Viewer{mef_, {mef_drh_}, true}), ElementsAre(secret_));
    EXPECT_THAT(ids({}, Viewer{mef_, {mef_bo_}, false}), IsEmpty()) << "nothing assigned to BO";
    EXPECT_THAT(ids({}, Viewer{mef_, {}, false}), IsEmpty()) << "no unit, not a sees-all role";
    const auto all = ids({}, Viewer{mef_, {mef_bo_}, true});
    EXPECT_THAT(all, ElementsAre(open_, answered_, complaint_)) << "clerk of BO: all but the confidential one";
}

TEST_P(FilterTest, EachFilter) {
    const Viewer drh_clerk{mef_, {mef_drh_}, true};
    EXPECT_THAT(ids({.states = {"assigned"}}, drh_clerk), ElementsAre(open_, secret_));
    EXPECT_THAT(ids({.states = {"answered", "in_progress"}}, drh_clerk), ElementsAre(answered_, complaint_));
    EXPECT_THAT(ids({.lead_unit_id = mef_drh_}, drh_clerk), ElementsAre(complaint_, secret_));
    EXPECT_THAT(ids({.type_code = "request"}, drh_clerk), ElementsAre(open_, answered_));
    EXPECT_THAT(ids({.registered_from = kNow - 20 * kDay}, drh_clerk), ElementsAre(answered_, complaint_, secret_));
    EXPECT_THAT(ids({.registered_to = kNow - 20 * kDay}, drh_clerk), ElementsAre(open_)) << "exclusive end";
    EXPECT_THAT(ids({.text = "subvention", .type_code = "complaint"}, drh_clerk), ElementsAre(complaint_));
}

TEST_P(FilterTest, OverdueMeansPastDueAndStillOpen) {
    const Viewer drh_clerk{mef_, {mef_drh_}, true};
    // answered_ is past due but answered; complaint_ is not yet due.
    EXPECT_THAT(ids({.overdue = true, .now_ms = kNow}, drh_clerk), ElementsAre(open_, secret_));
    EXPECT_THAT(ids({.overdue = true, .now_ms = kNow + 10 * kDay}, drh_clerk), ElementsAre(open_, complaint_, secret_));
    EXPECT_THAT(ids({.text = "agricole", .overdue = true, .now_ms = kNow}, drh_clerk), IsEmpty());
}

TEST_P(FilterTest, OrdersAndPaging) {
    const Viewer drh_clerk{mef_, {mef_drh_}, true};
    auto page1 = find({.limit = 2}, drh_clerk);
    ASSERT_EQ(page1.rows.size(), 2u);
    EXPECT_EQ(page1.rows[0].entry_id, secret_) << "newest first without text";
    EXPECT_EQ(page1.rows[1].entry_id, complaint_);
    EXPECT_EQ(page1.total, 4);
    EXPECT_FALSE(page1.total_capped);
    auto page2 = find({.limit = 2, .offset = 2}, drh_clerk);
    ASSERT_EQ(page2.rows.size(), 2u);
    EXPECT_EQ(page2.rows[0].entry_id, answered_);
    EXPECT_EQ(page2.rows[1].entry_id, open_);
    EXPECT_EQ(page2.total, 4);
    EXPECT_THAT(find({.limit = 2, .offset = 4}, drh_clerk).rows, IsEmpty());
    EXPECT_EQ(find({.limit = 2, .offset = 4}, drh_clerk).total, 4);
    auto due = find({.order = Order::due}, drh_clerk);
    ASSERT_EQ(due.rows.size(), 4u);
    EXPECT_EQ(due.rows[0].entry_id, answered_);
    EXPECT_EQ(due.rows[3].entry_id, complaint_);
    auto relevance = find({.text = "subvention agricole"}, drh_clerk);
    ASSERT_EQ(relevance.rows.size(), 1u);
    EXPECT_EQ(relevance.rows[0].state, "answered");
    EXPECT_EQ(relevance.rows[0].type_code, "request");
    EXPECT_EQ(relevance.rows[0].lead_unit_id, mef_db_);
    EXPECT_EQ(relevance.rows[0].due_at, kNow - 2 * kDay);
    EXPECT_EQ(relevance.rows[0].registered_at, kNow - 20 * kDay);
    EXPECT_FALSE(relevance.rows[0].confidential);
    auto secret = find({.text = "confidentielle"}, drh_clerk);
    ASSERT_EQ(secret.rows.size(), 1u);
    EXPECT_TRUE(secret.rows[0].confidential);
}

TEST_P(FilterTest, RelevanceRanksTheBetterMatchFirst) {
    const auto strong = add({.subject = "Subvention subvention subvention", .body = "subvention"});
    auto p = find({.text = "subvention"}, mef_admin());
    ASSERT_FALSE(p.rows.empty());
    EXPECT_EQ(p.rows[0].entry_id, strong);
    EXPECT_TRUE(p.by_relevance);
    auto newest = find({.text = "subvention", .order = Order::newest}, mef_admin());
    ASSERT_FALSE(newest.rows.empty());
    EXPECT_FALSE(newest.by_relevance);
    EXPECT_EQ(newest.rows[0].entry_id, strong) << "the last registered";
    EXPECT_EQ(newest.rows[1].entry_id, complaint_);
}

TEST_P(FilterTest, BadFiltersAreRefused) {
    const Viewer v = mef_admin();
    for (const SearchQuery& q : {SearchQuery{.states = {"lost"}}, SearchQuery{.limit = 0}, SearchQuery{.limit = 101},
                                 SearchQuery{.offset = -1}, SearchQuery{.registered_from = 10, .registered_to = 5},
                                 SearchQuery{.type_code = std::string(65, 't')}, SearchQuery{.overdue = true}}) {
        auto p = search::search(*db_, q, v);
        ASSERT_FALSE(p);
        EXPECT_EQ(p.error().code, "search.filter");
        EXPECT_EQ(p.error().status, 400);
    }
}

TEST_P(FilterTest, TotalIsCappedAndSaysSo) {
    auto s = db_->write_tx([&](storage::Tx& tx) -> Status {
        // kMaxCount + 1 more entries of MEF, indexed: straight SQL copies of open_.
        for (int i = 0; i <= search::kMaxCount; ++i) {
            auto e = tx.query_one(
                "INSERT INTO entries (administration_id, register_number, year, sequence, channel, registered_by, "
                "depositor_name, type_code, subject, body, status, tracking_hash, registered_at, due_at, "
                "deadline_days, working_days, silence_is_approval, receipt_digest, receipt_blob, seal_kid) "
                "SELECT administration_id, $1, year, $2, channel, registered_by, depositor_name, type_code, subject, "
                "body, status, tracking_hash, registered_at, due_at, deadline_days, working_days, silence_is_approval, "
                "receipt_digest, receipt_blob, seal_kid FROM entries WHERE id = $3 RETURNING id",
                {"MEF-2027-" + std::to_string(i), std::int64_t{100'000 + i}, open_});
            if (!e) return e.error();
            const std::int64_t id = (*e)->as_int(0);
            auto f = tx.exec("INSERT INTO entry_flow (entry_id, administration_id, state, due_at, updated_at) "
                             "VALUES ($1, $2, 'registered', 0, 0)", {id, mef_});
            if (!f) return f.error();
            if (auto x = search::index_entry(tx, id); !x) return x.error();
        }
        return {};
    });
    ASSERT_TRUE(s) << s.error().detail;
    auto p = find({.text = "subvention"}, mef_admin());
    ASSERT_GT(search::kMaxCount + 4, search::kMaxRanked);
    EXPECT_EQ(p.total, search::kMaxCount);
    EXPECT_TRUE(p.total_capped);
    EXPECT_EQ(p.rows.size(), 20u);
    if (GetParam() == storage::Backend::sqlite) {
        EXPECT_FALSE(p.by_relevance) << "too many matches to rank";
    }
    auto q = find({.states = {"registered"}}, mef_admin());
    EXPECT_TRUE(q.total_capped);
}

INSTANTIATE_TEST_SUITE_P(Backends, FilterTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
