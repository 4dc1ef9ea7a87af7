// Offline verification of a message log (exchange/msglog.hpp, verify_message_log).
//
// Order, so the FIRST problem is the earliest one: archive files by sequence number (digest
// chain, recorded digest, then each batch as below), batches marked archived without a file,
// batches still in the database by id (records consecutive, leaves recomputed from content,
// root recomputed from the leaves, token over the root checked), then the un-stamped records
// (consecutive, leaves). Record ids run 1, 2, 3, ... over the log's whole life, so a deleted
// record shows as a gap. The database is opened read-only (SQLITE_OPEN_READONLY).
#include "exchange/msglog.hpp"
#include "exchange/msglog_record.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace idara::exchange {

namespace {

using msglog::StoredBatch;
using msglog::StoredRecord;
namespace fs = std::filesystem;

// A read-only SQLite handle giving storage::Rows.
class ReadOnlyDb {
public:
    ~ReadOnlyDb() {
        if (db_ != nullptr) sqlite3_close_v2(db_);
    }
    std::string open(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            return "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
        sqlite3_busy_timeout(db_, 5000);
        return {};
    }
    // Runs `sql` with integer parameters; "" and rows on success, the reason otherwise.
    std::string query(const std::string& sql, const std::vector<std::int64_t>& params, storage::Rows& out) {
        out.clear();
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
            std::string e = sqlite3_errmsg(db_);
            sqlite3_finalize(st);
            return "reading the database: " + e;
        }
        for (std::size_t i = 0; i < params.size(); ++i) sqlite3_bind_int64(st, static_cast<int>(i + 1), params[i]);
        int rc = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            std::vector<storage::Value> vals;
            for (int c = 0; c < sqlite3_column_count(st); ++c) vals.push_back(column(st, c));
            out.emplace_back(std::move(vals));
        }
        std::string e = rc == SQLITE_DONE ? "" : "reading the database: " + std::string(sqlite3_errmsg(db_));
        sqlite3_finalize(st);
        return e;
    }

private:
    static storage::Value column(sqlite3_stmt* st, int c) {
        switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(st, c));
        case SQLITE_FLOAT: return sqlite3_column_double(st, c);
        case SQLITE_TEXT:
            return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                               static_cast<std::size_t>(sqlite3_column_bytes(st, c)));
        case SQLITE_BLOB: {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(st, c));
            return storage::Blob{std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, c)))};
        }
        default: return nullptr;
        }
    }
    sqlite3* db_ = nullptr;
};

struct ArchiveRow {
    std::string file, sha256, prev_sha256;
    std::int64_t batch_id = 0;
};

class Verifier {
public:
    Verifier(std::string dir, const std::vector<std::string>& anchors) : dir_(std::move(dir)), anchors_(anchors) {}

    // "" when intact, else the first problem.
    std::string run(VerifyReport& rep);

private:
    std::string load();
    std::string check_archives(VerifyReport& rep);
    std::string check_db_batches(VerifyReport& rep);
    std::string check_unstamped(VerifyReport& rep);
    std::string check_batch(const StoredBatch& b, const std::vector<StoredRecord>& records, const std::string& where);

    std::string dir_;
    const std::vector<std::string>& anchors_;
    ReadOnlyDb db_;
    std::vector<StoredBatch> batches_;         // every batch row, by id
    std::map<std::int64_t, ArchiveRow> archive_rows_;  // by seq
    std::set<std::int64_t> archived_batches_;  // batch ids found in archive files
    std::int64_t next_record_ = 1;             // the id the next record must have
    std::int64_t records_checked_ = 0;
};

std::string Verifier::load() {
    const std::string path = dir_ + "/gateway.db";
    std::error_code ec;
    if (!fs::exists(path, ec)) return "no message log: " + path + " does not exist";
    if (auto e = db_.open(path); !e.empty()) return e;
    storage::Rows rows;
    if (auto e = db_.query(std::string("SELECT ") + msglog::kBatchColumns + " FROM batches ORDER BY id", {}, rows);
        !e.empty())
        return e;
    for (const auto& r : rows) batches_.push_back(msglog::batch_from_row(r));
    if (auto e = db_.query("SELECT seq, file, sha256, prev_sha256, batch_id FROM archives ORDER BY seq", {}, rows);
        !e.empty())
        return e;
    for (const auto& r : rows)
        archive_rows_[r.as_int(0)] = ArchiveRow{r.as_text(1), r.as_text(2), r.as_text(3), r.as_int(4)};
    return {};
}

std::string Verifier::check_batch(const StoredBatch& b, const std::vector<StoredRecord>& records,
                                  const std::string& where) {
    const std::string batch = where + "batch " + std::to_string(b.id) + ": ";
    if (b.first_record < next_record_) return batch + "its records overlap those of the previous batch";
    if (b.first_record > next_record_) return where + "record " + std::to_string(next_record_) + " is missing";
    if (b.last_record < b.first_record) return batch + "its record range is empty";
    std::vector<journal::Hash> leaves;
    leaves.reserve(records.size());
    for (const auto& r : records) {
        if (r.id != next_record_) return where + "record " + std::to_string(next_record_) + " is missing";
        const std::string rec = where + "record " + std::to_string(r.id) + ": ";
        if (r.batch_id != b.id) return rec + "not marked as part of batch " + std::to_string(b.id);
        const journal::Hash leaf = msglog::record_leaf(r);
        if (leaf != r.leaf) return rec + "leaf hash differs from its content";
        leaves.push_back(leaf);
        ++next_record_;
        ++records_checked_;
    }
    if (next_record_ != b.last_record + 1) return where + "record " + std::to_string(next_record_) + " is missing";
    const journal::Hash root = journal::root_of(leaves);
    if (root != b.root) return batch + "root differs from its records";
    if (auto p = msglog::check_token(b.token, root, anchors_); !p.empty()) return batch + p;
    return {};
}

std::string Verifier::check_archives(VerifyReport& rep) {
    const fs::path adir = fs::path(dir_) / "archive";
    std::map<std::int64_t, fs::path> files;
    std::error_code ec;
    if (fs::is_directory(adir, ec)) {
        for (const auto& e : fs::directory_iterator(adir, ec)) {
            const std::string name = e.path().filename().string();
            if (name.size() != 11 || name.substr(6) != ".json" ||
                !std::all_of(name.begin(), name.begin() + 6, [](char c) { return c >= '0' && c <= '9'; }))
                continue;  // temporary or foreign files
            files[std::stoll(name.substr(0, 6))] = e.path();
        }
    }
    std::int64_t expect = 1;
    std::string prev;
    for (const auto& [seq, path] : files) {
        const std::string name = msglog::archive_name(seq);
        if (seq != expect) return "archive " + msglog::archive_name(expect) + " is missing";
        std::ifstream in(path, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        const std::string bytes = ss.str();
        const std::string digest = msglog::sha256_hex(bytes);
        auto content = msglog::parse_archive(bytes);
        if (!content) return "archive " + name + ": " + content.error().detail;
        if (content->seq != seq) return "archive " + name + ": its sequence number is " + std::to_string(content->seq);
        if (content->prev_sha256 != prev)
            return seq == 1 ? "archive " + name + ": the first archive names a previous digest"
                            : "archive " + name + ": previous digest does not match " + msglog::archive_name(seq - 1);
        auto row = archive_rows_.find(seq);
        if (row == archive_rows_.end()) return "archive " + name + ": not recorded in the database";
        if (row->second.sha256 != digest)
            return "archive " + name + ": content differs from the digest recorded when it was written";
        if (auto p = check_batch(content->batch, content->records, "archive " + name + ": "); !p.empty()) return p;
        const auto db_batch = std::find_if(batches_.begin(), batches_.end(),
                                           [&](const StoredBatch& b) { return b.id == content->batch.id; });
        if (db_batch != batches_.end() && db_batch->root != content->batch.root)
            return "archive " + name + ": batch " + std::to_string(content->batch.id) +
                   ": root differs from the one in the database";
        archived_batches_.insert(content->batch.id);
        prev = digest;
        ++expect;
        ++rep.archives;
        ++rep.batches;
    }
    if (auto it = archive_rows_.lower_bound(expect); it != archive_rows_.end())
        return "archive " + msglog::archive_name(it->first) + " is missing";
    return {};
}

std::string Verifier::check_db_batches(VerifyReport& rep) {
    for (const auto& b : batches_)
        if (b.archived && archived_batches_.count(b.id) == 0)
            return "batch " + std::to_string(b.id) + ": marked archived but no archive file holds it";
    for (const auto& b : batches_) {
        if (b.archived) continue;
        storage::Rows rows;
        if (auto e = db_.query(std::string("SELECT ") + msglog::kRecordColumns +
                                   " FROM records WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
                               {b.first_record, b.last_record}, rows);
            !e.empty())
            return e;
        std::vector<StoredRecord> records;
        records.reserve(rows.size());
        for (const auto& r : rows) records.push_back(msglog::record_from_row(r));
        if (auto p = check_batch(b, records, ""); !p.empty()) return p;
        ++rep.batches;
    }
    return {};
}

std::string Verifier::check_unstamped(VerifyReport& rep) {
    storage::Rows rows;
    if (auto e = db_.query(std::string("SELECT ") + msglog::kRecordColumns +
                               " FROM records WHERE batch_id IS NULL ORDER BY id",
                           {}, rows);
        !e.empty())
        return e;
    for (const auto& row : rows) {
        const StoredRecord r = msglog::record_from_row(row);
        if (r.id < next_record_) return "record " + std::to_string(r.id) + ": inside a stamped batch but not marked so";
        if (r.id != next_record_) return "record " + std::to_string(next_record_) + " is missing";
        if (msglog::record_leaf(r) != r.leaf)
            return "record " + std::to_string(r.id) + ": leaf hash differs from its content";
        ++next_record_;
        ++records_checked_;
        ++rep.unstamped;
    }
    // Records that belong to no batch they name (a rewritten batch_id) were not seen above.
    if (auto e = db_.query("SELECT id FROM records r WHERE batch_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                           "batches b WHERE b.id = r.batch_id AND b.archived = 0 AND r.id BETWEEN b.first_record "
                           "AND b.last_record) ORDER BY id LIMIT 1",
                           {}, rows);
        !e.empty())
        return e;
    if (!rows.empty()) return "record " + std::to_string(rows.front().as_int(0)) + ": names a batch that does not hold it";
    return {};
}

std::string Verifier::run(VerifyReport& rep) {
    if (auto e = load(); !e.empty()) return e;
    if (auto e = check_archives(rep); !e.empty()) return e;
    if (auto e = check_db_batches(rep); !e.empty()) return e;
    if (auto e = check_unstamped(rep); !e.empty()) return e;
    rep.records = records_checked_;
    return {};
}

}  // namespace

VerifyReport verify_message_log(const std::string& dir, const std::vector<std::string>& anchors_pem) {
    VerifyReport rep;
    rep.chain_checked = !anchors_pem.empty();
    Verifier v(dir, anchors_pem);
    std::string problem = v.run(rep);
    if (!problem.empty()) {
        rep.ok = false;
        rep.first_problem = std::move(problem);
    }
    return rep;
}

}  // namespace idara::exchange
