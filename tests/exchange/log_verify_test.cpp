// The verifier names the first problem: altered, deleted or re-batched records, altered roots
// and tokens, a foreign authority, archives altered, missing or out of chain.
#include "log_fixture.hpp"

#include "exchange/msglog.hpp"
#include "exchange/msglog_record.hpp"
#include "journal/merkle.hpp"

#include <filesystem>

using namespace idara;
using namespace idara::exchange;
using namespace idara::test_log;

namespace {

class MsgLogVerify : public ::testing::Test {
protected:
    ScratchDir dir_;
    FakeClock clock_;
    TestTsa tsa_ = TestTsa::make();
    std::unique_ptr<MessageLog> log_;

    void SetUp() override {
        auto tsa = tsa_.tsa;
        auto log = open_message_log(config(dir_.str()), [tsa] { return tsa; }, clock_);
        ASSERT_TRUE(log);
        log_ = std::move(*log);
    }

    // `batches` batches of `each` records, stamped.
    void fill(int batches, int each) {
        int n = 0;
        for (int b = 0; b < batches; ++b) {
            for (int i = 0; i < each; ++i, ++n) ASSERT_TRUE(log_->append(record(n, clock_.now_ms()), op(n, 1)));
            ASSERT_TRUE(log_->stamp_pending());
        }
    }

    std::string problem(const std::vector<std::string>& anchors) {
        auto rep = verify_message_log(dir_.str(), anchors);
        EXPECT_EQ(rep.ok, rep.first_problem.empty());
        return rep.first_problem;
    }
    std::string problem() { return problem({tsa_.root_pem}); }
    std::string archive(const std::string& name) { return dir_.str() + "/archive/" + name; }
};

TEST_F(MsgLogVerify, IntactLogVerifies) {
    fill(2, 5);
    EXPECT_EQ(problem(), "");
    EXPECT_EQ(problem({}), "");
}

TEST_F(MsgLogVerify, AlteredBodyIsNamed) {
    fill(1, 5);
    exec(dir_.str(), "UPDATE records SET response_body = $1 WHERE id = 3", {storage::Blob{"{\"mention\":\"tres bien\"}"}});
    EXPECT_EQ(problem(), "record 3: leaf hash differs from its content");
}

TEST_F(MsgLogVerify, AlteredUnstampedRecordIsNamed) {
    fill(1, 2);
    ASSERT_TRUE(log_->append(record(50, clock_.now_ms()), op(50, 1)));
    exec(dir_.str(), "UPDATE records SET client = 'MA/GOV/OTHER' WHERE id = 3");
    EXPECT_EQ(problem(), "record 3: leaf hash differs from its content");
}

TEST_F(MsgLogVerify, SwappedStoredLeafIsNamed) {
    fill(1, 5);
    exec(dir_.str(), "UPDATE records SET leaf_hash = (SELECT leaf_hash FROM records WHERE id = 4) WHERE id = 3");
    EXPECT_EQ(problem(), "record 3: leaf hash differs from its content");
}

// A careful forger changes a record, stores its new leaf and then the new root: only the
// time-stamp still tells.
TEST_F(MsgLogVerify, ForgedRecordLeafAndRootFailOnTheImprint) {
    fill(1, 4);
    exec(dir_.str(), "UPDATE records SET query_id = 'forged' WHERE id = 2");
    auto db = open_db(dir_.str());
    ASSERT_TRUE(db->write_tx([](storage::Tx& tx) -> Status {
        auto rows = tx.query(std::string("SELECT ") + msglog::kRecordColumns + " FROM records ORDER BY id");
        if (!rows) return rows.error();
        std::vector<journal::Hash> leaves;
        for (const auto& row : *rows) {
            const auto r = msglog::record_from_row(row);
            const auto leaf = msglog::record_leaf(r);
            leaves.push_back(leaf);
            auto n = tx.exec("UPDATE records SET leaf_hash = $1 WHERE id = $2",
                             {storage::Blob{std::string(leaf.begin(), leaf.end())}, r.id});
            if (!n) return n.error();
        }
        const auto root = journal::root_of(leaves);
        auto n = tx.exec("UPDATE batches SET root = $1 WHERE id = 1", {storage::Blob{std::string(root.begin(), root.end())}});
        if (!n) return n.error();
        return {};
    }));
    db.reset();
    EXPECT_EQ(problem(), "batch 1: time-stamp imprint is not the root");
}

TEST_F(MsgLogVerify, AlteredRootIsNamed) {
    fill(1, 4);
    exec(dir_.str(), "UPDATE batches SET root = $1 WHERE id = 1", {storage::Blob{std::string(32, '\x01')}});
    EXPECT_EQ(problem(), "batch 1: root differs from its records");
}

TEST_F(MsgLogVerify, RecordMovedOutOfItsBatchIsNamed) {
    fill(1, 3);
    exec(dir_.str(), "UPDATE records SET batch_id = NULL WHERE id = 3");
    EXPECT_EQ(problem(), "record 3: not marked as part of batch 1");
}

TEST_F(MsgLogVerify, DeletedRecordIsNamed) {
    fill(1, 5);
    exec(dir_.str(), "DELETE FROM records WHERE id = 4");
    EXPECT_EQ(problem(), "record 4 is missing");
}

TEST_F(MsgLogVerify, DeletedLastRecordOfABatchIsNamed) {
    fill(2, 3);
    exec(dir_.str(), "DELETE FROM records WHERE id = 3");
    EXPECT_EQ(problem(), "record 3 is missing");
}

TEST_F(MsgLogVerify, DeletedWholeBatchIsNamed) {
    fill(2, 3);
    exec(dir_.str(), "DELETE FROM records WHERE batch_id = 1");
    exec(dir_.str(), "DELETE FROM batches WHERE id = 1");
    EXPECT_EQ(problem(), "record 1 is missing");
}

TEST_F(MsgLogVerify, AlteredTokenIsDetected) {
    fill(1, 3);
    auto db = open_db(dir_.str());
    auto token = db->read<std::string>([](storage::Tx& tx) -> Result<std::string> {
        auto row = tx.query_one("SELECT token FROM batches WHERE id = 1");
        if (!row) return row.error();
        return (*row)->as_blob(0).bytes;
    });
    ASSERT_TRUE(token);
    db.reset();
    std::string bad = *token;
    bad[bad.size() - 10] ^= 0x5a;  // inside the signature value
    exec(dir_.str(), "UPDATE batches SET token = $1 WHERE id = 1", {storage::Blob{bad}});
    const auto p = problem();
    EXPECT_EQ(p.rfind("batch 1: time-stamp token", 0), 0u) << p;
    // Without anchors the signature is still checked.
    EXPECT_EQ(problem({}).rfind("batch 1: time-stamp token", 0), 0u);
    exec(dir_.str(), "UPDATE batches SET token = $1 WHERE id = 1", {storage::Blob{"garbage"}});
    EXPECT_EQ(problem(), "batch 1: time-stamp token is not a CMS SignedData");
}

TEST_F(MsgLogVerify, TokenOverAnotherRootIsNamed) {
    fill(2, 3);
    // Batch 1 gets the token of batch 2: valid signature, wrong imprint.
    exec(dir_.str(), "UPDATE batches SET token = (SELECT token FROM batches WHERE id = 2) WHERE id = 1");
    EXPECT_EQ(problem(), "batch 1: time-stamp imprint is not the root");
}

TEST_F(MsgLogVerify, TokenOfAForeignAuthorityFailsTheChain) {
    fill(1, 3);
    const TestTsa other = TestTsa::make("Other Org");
    const auto p = problem({other.root_pem});
    EXPECT_EQ(p.rfind("batch 1: time-stamp token does not verify against the trust anchors", 0), 0u) << p;
}

TEST_F(MsgLogVerify, ArchiveThenVerify) {
    fill(3, 4);
    ASSERT_TRUE(log_->append(record(99, clock_.now_ms()), op(99, 1)));  // stays un-stamped
    auto n = log_->archive();
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 3);
    EXPECT_TRUE(std::filesystem::exists(archive("000001.json")));
    EXPECT_TRUE(std::filesystem::exists(archive("000003.json")));
    auto rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
    EXPECT_EQ(rep.archives, 3);
    EXPECT_EQ(rep.batches, 3);
    EXPECT_EQ(rep.records, 13);
    EXPECT_EQ(rep.unstamped, 1);
    // Nothing more to archive; the archived records left the database.
    EXPECT_EQ(*log_->archive(), 0);
    auto db = open_db(dir_.str());
    auto count = db->read<std::int64_t>([](storage::Tx& tx) -> Result<std::int64_t> {
        auto row = tx.query_one("SELECT COUNT(*) FROM records");
        if (!row) return row.error();
        return (*row)->as_int(0);
    });
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, 1);
    // The chain: each file names the previous file's digest.
    const auto second = read_file(archive("000002.json"));
    EXPECT_NE(second.find(msglog::sha256_hex(read_file(archive("000001.json")))), std::string::npos);
}

TEST_F(MsgLogVerify, AlteredArchiveFileIsDetected) {
    fill(2, 3);
    ASSERT_TRUE(log_->archive());
    std::string text = read_file(archive("000001.json"));
    const auto at = text.find("q-1");
    ASSERT_NE(at, std::string::npos);
    text[at + 2] = '7';
    write_file(archive("000001.json"), text);
    EXPECT_EQ(problem(), "archive 000001.json: content differs from the digest recorded when it was written");
    // Also re-recording the digest: the record itself no longer matches its leaf.
    exec(dir_.str(), "UPDATE archives SET sha256 = $1 WHERE seq = 1", {msglog::sha256_hex(text)});
    EXPECT_EQ(problem(), "archive 000001.json: record 2: leaf hash differs from its content");
}

TEST_F(MsgLogVerify, BrokenArchiveChainIsDetected) {
    fill(2, 3);
    ASSERT_TRUE(log_->archive());
    // Rewrite file 1 harmlessly (a trailing space) and record its new digest: file 2's link breaks.
    const std::string text = read_file(archive("000001.json")) + " ";
    write_file(archive("000001.json"), text);
    exec(dir_.str(), "UPDATE archives SET sha256 = $1 WHERE seq = 1", {msglog::sha256_hex(text)});
    EXPECT_EQ(problem(), "archive 000002.json: previous digest does not match 000001.json");
}

TEST_F(MsgLogVerify, MissingArchiveFileIsDetected) {
    fill(3, 2);
    ASSERT_TRUE(log_->archive());
    std::filesystem::remove(archive("000002.json"));
    EXPECT_EQ(problem(), "archive 000002.json is missing");
    std::filesystem::remove(archive("000003.json"));
    EXPECT_EQ(problem(), "archive 000002.json is missing");
}

TEST_F(MsgLogVerify, MissingLastArchiveFileIsDetected) {
    fill(2, 2);
    ASSERT_TRUE(log_->archive());
    std::filesystem::remove(archive("000002.json"));
    EXPECT_EQ(problem(), "archive 000002.json is missing");
}

TEST_F(MsgLogVerify, NoLogAtAll) {
    ScratchDir empty;
    auto rep = verify_message_log(empty.str(), {});
    EXPECT_FALSE(rep.ok);
    EXPECT_EQ(rep.first_problem.rfind("no message log", 0), 0u) << rep.first_problem;
}

}  // namespace
