// The journal on both backends with real deposits: leaves appended in the deposit's
// transaction (and not when it rolls back), signed tree heads, inclusion and consistency
// proofs checked with the RFC 9162 verifiers, and verify_all() catching an altered,
// a deleted and a reordered leaf, a rewritten history and a forged tree head.
#include "../registry/deposit_fixture.hpp"
#include "journal/journal.hpp"

#include <gtest/gtest.h>

using namespace idara;
using idara::testing::DepositTest;

namespace {

class JournalTest : public DepositTest {
protected:
    void SetUp() override {
        DepositTest::SetUp();
        journal_ = std::make_unique<journal::Journal>(*db_, *keys_, clock_);
    }
    void TearDown() override {
        journal_.reset();
        DepositTest::TearDown();
    }
    // n leaves appended directly, in one transaction.
    void append_events(int n, const std::string& prefix = "test") {
        ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) -> Status {
            for (int i = 0; i < n; ++i) {
                auto r = journal::append(tx, {mef_, prefix + ".event", "circuit:" + std::to_string(i), mef_agent_,
                                              clock_.now_ms(), journal::detail_json({{"i", std::int64_t{i}}})});
                if (!r) return r.error();
            }
            return {};
        }));
    }
    std::vector<journal::StoredLeaf> leaves() {
        return db_
            ->read<std::vector<journal::StoredLeaf>>([&](storage::Tx& tx) -> Result<std::vector<journal::StoredLeaf>> {
                std::vector<journal::StoredLeaf> out;
                auto n = journal_->size(tx);
                if (!n) return n.error();
                for (std::int64_t i = 0; i < *n; ++i) {
                    auto l = journal_->leaf(tx, i);
                    if (!l) return l.error();
                    out.push_back(*l);
                }
                return out;
            })
            .value();
    }
    std::array<unsigned char, 32> platform_key() {
        auto keys = db_->read<std::vector<trust::PublicKey>>([&](storage::Tx& tx) { return keys_->public_keys(tx); });
        for (const auto& k : keys.value())
            if (k.administration_code.empty()) return k.ed25519_pk;
        ADD_FAILURE() << "no platform key";
        return {};
    }
    void sql(const std::string& statement, const storage::Params& p = {}) {
        ASSERT_TRUE(db_->write_tx([&](storage::Tx& tx) -> Status {
            auto r = tx.exec(statement, p);
            if (!r) return r.error();
            return {};
        }));
    }
    template <class T>
    Result<T> read(const std::function<Result<T>(storage::Tx&)>& fn) {
        return db_->read<T>(fn);
    }

    std::unique_ptr<journal::Journal> journal_;
};

TEST(JournalLeaf, EncodesAndDecodesCanonically) {
    journal::JournalEvent e{7, "deposit.registered", "entry:MEF-2026-000001", 42, 1'790'000'000'123,
                            journal::detail_json({{"z", std::int64_t{1}}, {"a", std::string("é\"")}})};
    EXPECT_EQ(e.detail, "{\"a\":\"é\\\"\",\"z\":1}");
    const std::string data = journal::encode_leaf(5, e);
    EXPECT_EQ(static_cast<unsigned char>(data[0]), 1);
    auto d = journal::decode_leaf(data);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->leaf_index, 5);
    EXPECT_EQ(d->event.administration_id, 7);
    EXPECT_EQ(d->event.kind, e.kind);
    EXPECT_EQ(d->event.subject, e.subject);
    EXPECT_EQ(d->event.actor_id, 42);
    EXPECT_EQ(d->event.at_ms, e.at_ms);
    EXPECT_EQ(d->event.detail, e.detail);
    EXPECT_FALSE(journal::decode_leaf(data.substr(0, data.size() - 1)));
    EXPECT_FALSE(journal::decode_leaf(data + "x"));
    EXPECT_FALSE(journal::decode_leaf(""));
    std::string v2 = data;
    v2[0] = 2;
    EXPECT_FALSE(journal::decode_leaf(v2));
}

TEST(JournalSth, JsonRoundTripAndRefusals) {
    journal::SignedTreeHead s;
    s.tree_size = 12;
    s.root_hash = journal::leaf_hash("x");
    s.timestamp_ms = 1'790'000'000'000;
    s.kid = "IDARA-1";
    s.signature.fill(7);
    auto back = journal::sth_from_json(journal::sth_to_json(s));
    ASSERT_TRUE(back) << back.error().detail;
    EXPECT_EQ(back->tree_size, 12);
    EXPECT_EQ(back->root_hash, s.root_hash);
    EXPECT_EQ(back->kid, "IDARA-1");
    EXPECT_EQ(back->signature, s.signature);
    for (const char* bad : {"", "[]", "{}", "{\"tree_size\":-1}", "{\"tree_size\":1,\"timestamp\":1,\"kid\":\"k\","
                                                                   "\"root_hash\":\"00\",\"signature\":\"AA\"}"})
        EXPECT_EQ(journal::sth_from_json(bad).error().code, "journal.bad_sth") << bad;
}

TEST_P(JournalTest, ADepositAppendsItsRegistrationInTheSameTransaction) {
    auto r = svc_->deposit(principal(citizen_), letter());
    ASSERT_TRUE(r) << r.error().code;
    auto all = leaves();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].leaf_index, 0);
    EXPECT_EQ(all[0].kind, "deposit.registered");
    EXPECT_EQ(all[0].subject, "entry:" + r->register_number);
    EXPECT_EQ(all[0].administration_id, mef_);
    EXPECT_EQ(all[0].hash, journal::leaf_hash(all[0].data));
    auto d = journal::decode_leaf(all[0].data);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->event.actor_id, citizen_);
    EXPECT_EQ(d->event.at_ms, r->registered_at_ms);
    EXPECT_NE(d->event.detail.find("\"receipt_digest\":\"" + r->receipt_digest + "\""), std::string::npos);
    // Facts only: the subject of the letter is not in the journal.
    EXPECT_EQ(all[0].data.find("طلب شهادة"), std::string::npos);

    // Cancelling appends a second leaf, without the reason.
    ASSERT_TRUE(svc_->cancel(principal(mef_clerk_), r->register_number, "doublon envoyé par erreur"));
    all = leaves();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].kind, "deposit.cancelled");
    EXPECT_EQ(all[1].leaf_index, 1);
    EXPECT_EQ(all[1].data.find("doublon"), std::string::npos);
    auto leaf = read<std::int64_t>([&](storage::Tx& tx) { return journal_->registration_leaf(tx, r->register_number); });
    ASSERT_TRUE(leaf);
    EXPECT_EQ(*leaf, 0);
}

TEST_P(JournalTest, AFailedDepositLeavesNoLeafAndNoGap) {
    svc_->set_fault_hook([](registry::Step s) -> Status {
        if (s == registry::Step::entry_inserted) return Error{"test.fault", 500, {}};
        return {};
    });
    EXPECT_FALSE(svc_->deposit(principal(citizen_), letter()));
    EXPECT_EQ(count("journal_leaves"), 0);
    EXPECT_EQ(read<std::int64_t>([&](storage::Tx& tx) { return journal_->size(tx); }).value(), 0);
    svc_->set_fault_hook({});
    ASSERT_TRUE(svc_->deposit(principal(citizen_), letter()));
    auto all = leaves();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].leaf_index, 0);
}

TEST_P(JournalTest, TreeHeadsAreSignedWithThePlatformKey) {
    auto empty = journal_->make_sth();
    ASSERT_TRUE(empty) << empty.error().code << " " << empty.error().detail;
    EXPECT_EQ(empty->tree_size, 0);
    EXPECT_EQ(empty->root_hash, journal::empty_root());
    append_events(5);
    ASSERT_TRUE(svc_->deposit(principal(citizen_), letter()));
    clock_.advance(std::chrono::seconds(3));
    auto sth = journal_->make_sth();
    ASSERT_TRUE(sth);
    EXPECT_EQ(sth->tree_size, 6);
    EXPECT_EQ(sth->timestamp_ms, clock_.now_ms());
    std::vector<journal::Hash> hashes;
    for (const auto& l : leaves()) hashes.push_back(l.hash);
    EXPECT_EQ(sth->root_hash, journal::root_of(hashes));
    const auto pk = platform_key();
    EXPECT_TRUE(journal::verify_sth_signature(*sth, pk));
    auto forged = *sth;
    forged.tree_size = 5;
    EXPECT_FALSE(journal::verify_sth_signature(forged, pk));
    forged = *sth;
    forged.root_hash[0] ^= 1;
    EXPECT_FALSE(journal::verify_sth_signature(forged, pk));
    auto latest = read<journal::SignedTreeHead>([&](storage::Tx& tx) { return journal_->latest_sth(tx); });
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->tree_size, 6);
    EXPECT_EQ(latest->signature, sth->signature);
}

TEST_P(JournalTest, TheBackgroundIntervalSignsOnlyWhenTheJournalGrew) {
    auto first = journal_->make_sth_if_grown();  // none yet: one over the empty tree
    ASSERT_TRUE(first);
    ASSERT_TRUE(*first);
    EXPECT_EQ((*first)->tree_size, 0);
    auto same = journal_->make_sth_if_grown();
    ASSERT_TRUE(same);
    EXPECT_FALSE(*same);
    append_events(2);
    auto grown = journal_->make_sth_if_grown();
    ASSERT_TRUE(grown);
    ASSERT_TRUE(*grown);
    EXPECT_EQ((*grown)->tree_size, 2);
    EXPECT_EQ(count("journal_sths"), 2);
}

TEST_P(JournalTest, ProofsVerifyAgainstTheSignedHeads) {
    EXPECT_EQ(read<journal::SignedTreeHead>([&](storage::Tx& tx) { return journal_->latest_sth(tx); }).error().code,
              "journal.no_sth");
    append_events(7);
    auto s7 = journal_->make_sth().value();
    // Past one 1024-leaf block, so the cached block roots are used and must agree.
    append_events(1100, "bulk");
    auto s1107 = journal_->make_sth().value();
    append_events(30, "more");
    auto s1137 = journal_->make_sth().value();
    ASSERT_EQ(s1137.tree_size, 1137);
    journal::Journal cold(*db_, *keys_, clock_);  // no cache: computes everything from the leaves
    for (std::int64_t i : {0, 1, 6, 500, 1023, 1024, 1100, 1106, 1136}) {
        for (auto* j : {journal_.get(), &cold}) {
            auto p = read<journal::InclusionProof>([&](storage::Tx& tx) { return j->inclusion_proof(tx, i); });
            ASSERT_TRUE(p) << i << " " << p.error().code << " " << p.error().detail;
            EXPECT_EQ(p->sth.tree_size, 1137);
            EXPECT_TRUE(journal::verify_inclusion(static_cast<std::uint64_t>(i), 1137, p->leaf.hash, p->path,
                                                  s1137.root_hash))
                << i;
        }
        if (i < 1107) {
            auto p = read<journal::InclusionProof>([&](storage::Tx& tx) { return journal_->inclusion_proof(tx, i, 1107); });
            ASSERT_TRUE(p);
            EXPECT_TRUE(journal::verify_inclusion(static_cast<std::uint64_t>(i), 1107, p->leaf.hash, p->path,
                                                  s1107.root_hash));
        }
    }
    const std::vector<journal::SignedTreeHead> heads{s7, s1107, s1137};
    for (const auto& a : heads)
        for (const auto& b : heads) {
            if (a.tree_size > b.tree_size) continue;
            auto c = read<journal::ConsistencyProof>(
                [&](storage::Tx& tx) { return journal_->consistency_proof(tx, a.tree_size, b.tree_size); });
            ASSERT_TRUE(c);
            ASSERT_TRUE(c->first_sth && c->second_sth);
            EXPECT_TRUE(journal::verify_consistency(static_cast<std::uint64_t>(a.tree_size),
                                                    static_cast<std::uint64_t>(b.tree_size), a.root_hash, b.root_hash,
                                                    c->path))
                << a.tree_size << ".." << b.tree_size;
        }
    // A consistency proof between sizes with no signed head still verifies against recomputed roots.
    auto c = read<journal::ConsistencyProof>([&](storage::Tx& tx) { return journal_->consistency_proof(tx, 3, 1050); });
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->first_sth);
    std::vector<journal::Hash> hashes;
    for (const auto& l : leaves()) hashes.push_back(l.hash);
    EXPECT_TRUE(journal::verify_consistency(3, 1050, journal::root_of({hashes.begin(), hashes.begin() + 3}),
                                            journal::root_of({hashes.begin(), hashes.begin() + 1050}), c->path));
    // Out of range.
    auto code = [&](auto fn) { return read<journal::InclusionProof>(fn).error().code; };
    EXPECT_EQ(code([&](storage::Tx& tx) { return journal_->inclusion_proof(tx, 1137); }), "journal.bad_range");
    EXPECT_EQ(code([&](storage::Tx& tx) { return journal_->inclusion_proof(tx, -1); }), "journal.bad_range");
    EXPECT_EQ(code([&](storage::Tx& tx) { return journal_->inclusion_proof(tx, 7, 7); }), "journal.bad_range");
    EXPECT_EQ(code([&](storage::Tx& tx) { return journal_->inclusion_proof(tx, 0, 8); }), "journal.not_found");
    auto ccode = [&](std::int64_t a, std::int64_t b) {
        return read<journal::ConsistencyProof>([&](storage::Tx& tx) { return journal_->consistency_proof(tx, a, b); })
            .error()
            .code;
    };
    EXPECT_EQ(ccode(0, 5), "journal.bad_range");
    EXPECT_EQ(ccode(6, 5), "journal.bad_range");
    EXPECT_EQ(ccode(5, 1138), "journal.bad_range");
    EXPECT_EQ(read<std::int64_t>([&](storage::Tx& tx) { return journal_->registration_leaf(tx, "MEF-2026-999999"); })
                  .error()
                  .code,
              "journal.not_found");
}

// The audit. Each case tampers with a journal of 10 leaves covered by two signed heads.
class JournalAuditTest : public JournalTest {
protected:
    void SetUp() override {
        JournalTest::SetUp();
        append_events(6);
        ASSERT_TRUE(journal_->make_sth());
        append_events(4, "later");
        ASSERT_TRUE(journal_->make_sth());
        auto ok = journal_->verify_all();
        ASSERT_TRUE(ok);
        ASSERT_TRUE(ok->ok()) << ok->what;
        ASSERT_EQ(ok->leaves, 10);
        ASSERT_EQ(ok->sths, 2);
    }
    journal::VerifyReport audit() {
        auto r = journal_->verify_all();
        EXPECT_TRUE(r) << r.error().code;
        return r ? *r : journal::VerifyReport{};
    }
    std::string data_of(std::int64_t i) { return leaves().at(static_cast<std::size_t>(i)).data; }
};

TEST_P(JournalAuditTest, AnIntactJournalVerifiesWithProgress) {
    std::vector<std::pair<std::int64_t, std::int64_t>> calls;
    auto r = journal_->verify_all([&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok());
    ASSERT_FALSE(calls.empty());
    EXPECT_EQ(calls.back(), (std::pair<std::int64_t, std::int64_t>{10, 10}));
}

TEST_P(JournalAuditTest, AnAlteredLeafIsFound) {
    std::string data = data_of(3);
    data[data.size() - 2] ^= 1;  // a digit of the detail
    sql("UPDATE journal_leaves SET data = $1 WHERE leaf_index = 3", {storage::Blob{data}});
    auto r = audit();
    EXPECT_EQ(r.fault, journal::Fault::altered);
    EXPECT_EQ(r.first_bad_leaf, 3);
    EXPECT_EQ(journal::fault_name(r.fault), "altered");
}

TEST_P(JournalAuditTest, AnAlteredLeafWithItsHashRecomputedBreaksTheSignedHead) {
    std::string data = data_of(2);
    data[data.size() - 2] ^= 1;
    const auto h = journal::leaf_hash(data);
    sql("UPDATE journal_leaves SET data = $1, hash = $2 WHERE leaf_index = 2",
        {storage::Blob{data}, storage::Blob{std::string(h.begin(), h.end())}});
    auto r = audit();
    EXPECT_EQ(r.fault, journal::Fault::sth_mismatch);
    EXPECT_EQ(r.first_bad_leaf, 0);
    EXPECT_EQ(r.sth_size, 6);
}

TEST_P(JournalAuditTest, ADeletedLeafIsFound) {
    sql("DELETE FROM journal_leaves WHERE leaf_index = 4");
    auto r = audit();
    EXPECT_EQ(r.fault, journal::Fault::deleted);
    EXPECT_EQ(r.first_bad_leaf, 4);
}

TEST_P(JournalAuditTest, TheLastLeafDeletedWithTheCounterIsFound) {
    sql("DELETE FROM journal_leaves WHERE leaf_index = 9");
    sql("UPDATE journal_head SET size = 9 WHERE id = 1");
    auto r = audit();
    EXPECT_EQ(r.fault, journal::Fault::deleted);
    EXPECT_EQ(r.first_bad_leaf, 9);
}

TEST_P(JournalAuditTest, TwoSwappedLeavesAreFound) {
    const auto all = leaves();
    auto swap_to = [&](std::int64_t at, const journal::StoredLeaf& l) {
        sql("UPDATE journal_leaves SET data = $1, hash = $2, kind = $3, subject = $4 WHERE leaf_index = $5",
            {storage::Blob{l.data}, storage::Blob{std::string(l.hash.begin(), l.hash.end())}, l.kind, l.subject, at});
    };
    swap_to(2, all[7]);
    swap_to(7, all[2]);
    auto r = audit();
    EXPECT_EQ(r.fault, journal::Fault::reordered);
    EXPECT_EQ(r.first_bad_leaf, 2);
}

TEST_P(JournalAuditTest, AForgedTreeHeadIsFound) {
    sql("UPDATE journal_sths SET tree_size = 5 WHERE tree_size = 6");
    auto r = audit();
    EXPECT_EQ(r.fault, journal::Fault::bad_signature);
    EXPECT_EQ(r.sth_size, 5);
}

TEST_P(JournalAuditTest, AnEditedIndexColumnIsFound) {
    sql("UPDATE journal_leaves SET subject = 'circuit:99' WHERE leaf_index = 5");
    auto r = audit();
    EXPECT_EQ(r.fault, journal::Fault::altered);
    EXPECT_EQ(r.first_bad_leaf, 5);
}

INSTANTIATE_TEST_SUITE_P(Backends, JournalTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);
INSTANTIATE_TEST_SUITE_P(Backends, JournalAuditTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
