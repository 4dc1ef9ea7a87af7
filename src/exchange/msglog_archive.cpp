// Archiving stamped batches (exchange/msglog_store.hpp, archive_batches): one file per batch,
// <dir>/archive/NNNNNN.json, written to a temporary file, fsync'd, renamed and the directory
// fsync'd; then, in one transaction, the file is recorded in `archives`, the batch marked archived
// and its records deleted. If that transaction fails the file is removed again.
#include "exchange/msglog_record.hpp"
#include "exchange/msglog_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace idara::exchange::msglog {

namespace {

namespace fs = std::filesystem;

Error unavailable(std::string detail) { return Error{"exchange.log_unavailable", 503, std::move(detail)}; }

bool fsync_path(const fs::path& p, int flags) {
    const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

Status write_durably(const fs::path& file, std::string_view bytes) {
    const fs::path tmp = file.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return unavailable("create " + tmp.string() + ": " + std::strerror(errno));
    std::size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return unavailable("write " + tmp.string() + ": " + why);
        }
        off += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced || ::rename(tmp.c_str(), file.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return unavailable("fsync/rename " + file.string());
    }
    fsync_path(file.parent_path(), O_RDONLY | O_DIRECTORY);
    return {};
}

struct Next {
    StoredBatch batch;
    std::vector<StoredRecord> records;
    std::int64_t seq = 1;
    std::string prev_sha256;
};

// The oldest stamped batch not yet archived, with its records and the chain position.
Result<std::optional<Next>> next_batch(storage::Database& db) {
    return db.read<std::optional<Next>>([](storage::Tx& tx) -> Result<std::optional<Next>> {
        auto b = tx.query_one(std::string("SELECT ") + kBatchColumns +
                              " FROM batches WHERE archived = 0 ORDER BY id LIMIT 1");
        if (!b) return b.error();
        if (!*b) return std::optional<Next>();
        Next n;
        n.batch = batch_from_row(**b);
        auto rows = tx.query(std::string("SELECT ") + kRecordColumns +
                                 " FROM records WHERE id BETWEEN $1 AND $2 AND batch_id = $3 ORDER BY id",
                             {n.batch.first_record, n.batch.last_record, n.batch.id});
        if (!rows) return rows.error();
        for (const auto& r : *rows) n.records.push_back(record_from_row(r));
        auto last = tx.query_one("SELECT seq, sha256 FROM archives ORDER BY seq DESC LIMIT 1");
        if (!last) return last.error();
        if (*last) {
            n.seq = (*last)->as_int(0) + 1;
            n.prev_sha256 = (*last)->as_text(1);
        }
        return std::optional<Next>(std::move(n));
    });
}

}  // namespace

Result<int> archive_batches(storage::Database& db, const std::string& dir) {
    const fs::path adir = fs::path(dir) / "archive";
    std::error_code ec;
    fs::create_directories(adir, ec);
    if (ec) return unavailable("create " + adir.string() + ": " + ec.message());
    int written = 0;
    for (;;) {
        auto next = next_batch(db);
        if (!next) return unavailable(next.error().code + ": " + next.error().detail);
        if (!*next) return written;
        Next& n = **next;
        const std::string name = archive_name(n.seq);
        const fs::path file = adir / name;
        const std::string text = archive_json(n.seq, n.prev_sha256, n.batch, n.records);
        if (auto s = write_durably(file, text); !s) return s.error();
        const std::string digest = sha256_hex(text);
        auto s = db.write_tx([&](storage::Tx& tx) -> Status {
            auto ins = tx.exec("INSERT INTO archives (seq, file, sha256, prev_sha256, batch_id) VALUES ($1,$2,$3,$4,$5)",
                               {n.seq, name, digest, n.prev_sha256, n.batch.id});
            if (!ins) return ins.error();
            auto upd = tx.exec("UPDATE batches SET archived = 1 WHERE id = $1 AND archived = 0", {n.batch.id});
            if (!upd) return upd.error();
            if (*upd != 1) return unavailable("batch " + std::to_string(n.batch.id) + " was archived meanwhile");
            auto del = tx.exec("DELETE FROM records WHERE id BETWEEN $1 AND $2 AND batch_id = $3",
                               {n.batch.first_record, n.batch.last_record, n.batch.id});
            if (!del) return del.error();
            if (*del != static_cast<std::int64_t>(n.records.size()))
                return unavailable("records of batch " + std::to_string(n.batch.id) + " changed meanwhile");
            return {};
        });
        if (!s) {
            // Another archiver (a second process) may have committed this very file (the JSON is
            // deterministic, so its bytes are ours): remove it only when no row records it.
            auto recorded = db.read<bool>([&](storage::Tx& tx) -> Result<bool> {
                auto row = tx.query_one("SELECT sha256 FROM archives WHERE seq = $1", {n.seq});
                if (!row) return row.error();
                return *row && (*row)->as_text(0) == digest;
            });
            if (!recorded || !*recorded) fs::remove(file, ec);
            return s.error().code == "exchange.log_unavailable"
                       ? s.error()
                       : unavailable(s.error().code + ": " + s.error().detail);
        }
        ++written;
    }
}

}  // namespace idara::exchange::msglog
