// The blob stores (storage/blob_store.hpp): files with SQLite, in-database with PostgreSQL.
#include "core/random.hpp"
#include "storage_fixture.hpp"

#include <gtest/gtest.h>
#include "storage/blob_store.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>

using namespace idara;
using namespace idara::storage;
using idara::storage_test::StorageTest;
namespace fs = std::filesystem;

namespace {

class BlobTest : public StorageTest {
protected:
    void SetUp() override {
        StorageTest::SetUp();
        dir_ = fs::temp_directory_path() / ("idara-blobs-" + random::hex_token(6));
        store_ = make_blob_store(GetParam(), dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    Result<std::string> put(std::string_view data) {
        return db_->write<std::string>([&](Tx& tx) { return store_->put(tx, data); });
    }
    Result<std::optional<std::string>> get(std::string_view digest) {
        return db_->read<std::optional<std::string>>([&](Tx& tx) { return store_->get(tx, digest); });
    }
    std::size_t files_on_disk() {
        std::size_t n = 0;
        if (!fs::exists(dir_)) return 0;
        for (const auto& e : fs::recursive_directory_iterator(dir_)) n += e.is_regular_file();
        return n;
    }
    fs::path dir_;
    std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobTest, PutGetIsContentAddressedAndIdempotent) {
    const std::string data("%PDF-1.7 \0 binary", 17);
    auto d1 = put(data);
    ASSERT_TRUE(d1);
    EXPECT_EQ(*d1, random::sha256_hex(data));
    EXPECT_EQ(put(data).value(), *d1);
    EXPECT_EQ(get(*d1).value().value(), data);
    EXPECT_FALSE(get(std::string(64, 'a')).value());
    EXPECT_FALSE(get("../../etc/passwd").value());
    EXPECT_FALSE(get("").value());
    std::string upper = *d1;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(get(upper).value()) << "digests are lowercase hex";
    EXPECT_EQ(count("blobs"), 1) << "one copy";
    auto known = db_->read<bool>([&](Tx& tx) { return store_->exists(tx, *d1); });
    EXPECT_TRUE(known.value());
    auto unknown = db_->read<bool>([&](Tx& tx) { return store_->exists(tx, std::string(64, 'b')); });
    EXPECT_FALSE(unknown.value());
    auto empty = put("");
    ASSERT_TRUE(empty);
    EXPECT_EQ(get(*empty).value().value(), "");
    if (GetParam() == Backend::sqlite) {
        EXPECT_EQ(files_on_disk(), 2u);
    }
}

TEST_P(BlobTest, ARolledBackPutLeavesNothing) {
    std::string digest;
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        auto d = store_->put(tx, "attachment that never got its register entry");
        if (!d) return d.error();
        digest = *d;
        return errors::internal("crash before the entry was written");
    });
    ASSERT_FALSE(s);
    ASSERT_EQ(digest.size(), 64u);
    EXPECT_FALSE(get(digest).value());
    EXPECT_EQ(files_on_disk(), 0u);
    EXPECT_EQ(count("blobs"), 0);
}

TEST_P(BlobTest, RollingBackASecondPutKeepsTheCommittedBlob) {
    const std::string data = "signed register extract";
    auto d = put(data);
    ASSERT_TRUE(d);
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        auto again = store_->put(tx, data);
        if (!again) return again.error();
        EXPECT_EQ(*again, *d);
        return errors::internal("rolled back");
    });
    ASSERT_FALSE(s);
    EXPECT_EQ(get(*d).value().value(), data) << "the blob committed earlier is still there";
    if (GetParam() == Backend::sqlite) {
        EXPECT_EQ(files_on_disk(), 1u);
    }
}

TEST_P(BlobTest, APutIsVisibleInsideItsTransaction) {
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        auto d = store_->put(tx, "fresh");
        if (!d) return d.error();
        auto g = store_->get(tx, *d);
        if (!g) return g.error();
        EXPECT_EQ(g->value_or("<none>"), "fresh");
        return {};
    });
    EXPECT_TRUE(s);
}

TEST_P(BlobTest, CorruptionIsDetected) {
    auto d = put("the original bytes");
    ASSERT_TRUE(d);
    if (GetParam() == Backend::sqlite) {
        std::ofstream(dir_ / d->substr(0, 2) / d->substr(2), std::ios::trunc) << "tampered";
    } else {
        ASSERT_TRUE(db_->write_tx([&](Tx& tx) -> Status {
            auto r = tx.exec("UPDATE blobs SET data = $1 WHERE digest = $2", {Blob{"tampered"}, *d});
            if (!r) return r.error();
            return {};
        }));
    }
    auto g = get(*d);
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().code, "storage.corrupt");
}

// Both backends: the file (SQLite) or the column (PostgreSQL) is damaged behind our back.
void damage(Database& db, const fs::path& dir, const std::string& digest) {
    if (db.backend() == Backend::sqlite) {
        std::ofstream(dir / digest.substr(0, 2) / digest.substr(2), std::ios::trunc) << "bit rot";
        return;
    }
    ASSERT_TRUE(db.write_tx([&](Tx& tx) -> Status {
        auto r = tx.exec("UPDATE blobs SET data = $1 WHERE digest = $2", {Blob{"bit rot"}, digest});
        if (!r) return r.error();
        return {};
    }));
}

TEST_P(BlobTest, StoringTheSameBytesAgainRepairsADamagedCopy) {
    const std::string data = "scanned identity card";
    auto d = put(data);
    ASSERT_TRUE(d);
    damage(*db_, dir_, *d);
    ASSERT_FALSE(get(*d)) << "detected";
    EXPECT_EQ(put(data).value(), *d);
    EXPECT_EQ(get(*d).value().value_or("<none>"), data) << "storing the same bytes again repaired the copy";
    EXPECT_EQ(count("blobs"), 1);
}

TEST_P(BlobTest, AFileLeftWithoutItsRowIsReusedOnlyIfIntact) {
    const std::string other = "minutes of the council";
    const std::string digest = random::sha256_hex(other);
    if (GetParam() == Backend::sqlite) {  // a crash between rename and commit, with a torn copy
        const fs::path leftover = dir_ / digest.substr(0, 2) / digest.substr(2);
        fs::create_directories(leftover.parent_path());
        std::ofstream(leftover, std::ios::trunc) << "half-written";
    }
    EXPECT_FALSE(get(digest).value()) << "no row: unknown";
    EXPECT_EQ(put(other).value(), digest);
    EXPECT_EQ(get(digest).value().value_or("<none>"), other);
    if (GetParam() == Backend::sqlite) {
        EXPECT_EQ(files_on_disk(), 1u) << "no temporary file left behind";
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
