// The correspondence window writes every status change to the journal in its own
// transaction, with facts only (codes, ids, versions) and never the free text of notes,
// questions or agents' names; a refused change writes nothing. On both backends.
#include "../processing/workflow_fixture.hpp"
#include "journal/journal.hpp"

#include <gtest/gtest.h>

using namespace idara;
using idara::testing::WorkflowTest;

namespace {

class ProcessingJournalTest : public WorkflowTest {
protected:
    std::vector<journal::StoredLeaf> leaves() {
        journal::Journal j(*db_, *keys_, clock_);
        return db_
            ->read<std::vector<journal::StoredLeaf>>([&](storage::Tx& tx) -> Result<std::vector<journal::StoredLeaf>> {
                std::vector<journal::StoredLeaf> out;
                auto n = j.size(tx);
                if (!n) return n.error();
                for (std::int64_t i = 0; i < *n; ++i) {
                    auto l = j.leaf(tx, i);
                    if (!l) return l.error();
                    out.push_back(*l);
                }
                return out;
            })
            .value();
    }
};

TEST_P(ProcessingJournalTest, EveryStatusChangeIsALeafWithFactsOnly) {
    const auto n = deposit();
    std::int64_t v = version(n);
    v = flow_->qualify(as(mef_clerk_), n, v, {"request", processing::Priority::urgent, false}).value();
    v = flow_->assign(as(mef_clerk_), n, v, {"DB", {"DRH"}}).value();
    // A refused change (stale version) writes no leaf.
    EXPECT_FALSE(flow_->dispatch(as(db_head_), n, v - 1, mef_agent_));
    v = flow_->dispatch(as(db_head_), n, v, mef_agent_).value();
    v = flow_->start(as(mef_agent_), n, v).value();
    v = flow_->request_opinion(as(mef_agent_), n, v, "DRH", "ما رأيكم في هذا الطلب؟").value();

    const auto all = leaves();
    std::vector<std::string> kinds;
    for (const auto& l : all) {
        kinds.push_back(l.kind);
        EXPECT_EQ(l.subject, "entry:" + n);
        EXPECT_EQ(l.administration_id, mef_);
        EXPECT_EQ(l.hash, journal::leaf_hash(l.data));
        EXPECT_EQ(l.data.find("ما رأيكم"), std::string::npos) << l.kind;  // the question
        EXPECT_EQ(l.data.find("Staff agent"), std::string::npos) << l.kind;  // the agent's name
        EXPECT_EQ(l.data.find("طلب شهادة"), std::string::npos) << l.kind;   // the subject
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"deposit.registered", "processing.qualified", "processing.assigned",
                                               "processing.dispatched", "processing.started",
                                               "processing.opinion_requested"}));
    auto qualified = journal::decode_leaf(all.at(1).data);
    ASSERT_TRUE(qualified);
    EXPECT_EQ(qualified->event.actor_id, mef_clerk_);
    EXPECT_NE(qualified->event.detail.find("\"priority\":\"urgent\""), std::string::npos) << qualified->event.detail;
    EXPECT_NE(qualified->event.detail.find("\"register_number\":\"" + n + "\""), std::string::npos);
    auto dispatched = journal::decode_leaf(all.at(3).data);
    ASSERT_TRUE(dispatched);
    EXPECT_NE(dispatched->event.detail.find("\"agent\":" + std::to_string(mef_agent_)), std::string::npos)
        << dispatched->event.detail;

    journal::Journal j(*db_, *keys_, clock_);
    ASSERT_TRUE(j.make_sth());
    auto rep = j.verify_all();
    ASSERT_TRUE(rep);
    EXPECT_TRUE(rep->ok()) << rep->what;
    EXPECT_EQ(rep->leaves, 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, ProcessingJournalTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
