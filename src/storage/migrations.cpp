#include "storage/migrations.hpp"

#include "core/resources.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace idara::storage {

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// An arbitrary key for PostgreSQL's advisory lock that serializes migrators.
constexpr std::int64_t kMigrationLock = 0x1da7a'0001;

// The recorded version, creating the table on a fresh database. Concurrent migrators
// (several app instances starting at once) are serialized: SQLite by its single
// writer, PostgreSQL by a transaction-scoped advisory lock (CREATE TABLE IF NOT EXISTS
// alone races there).
Result<int> recorded_version(Tx& tx) {
    if (tx.backend() == Backend::postgres) {
        if (auto s = tx.query("SELECT pg_advisory_xact_lock($1)", {kMigrationLock}); !s) return s.error();
    }
    if (auto s = tx.exec(kCreateTable); !s) return s.error();
    auto row = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!row) return row.error();
    return static_cast<int>((*row)->as_int(0));
}

Error too_new(int have, int know) {
    return {"storage.schema_too_new", 500,
            "database schema version " + std::to_string(have) + " is newer than this binary's " + std::to_string(know)};
}

}  // namespace

std::vector<Migration> embedded_migrations(Backend b) {
    const std::string prefix = "migrations/" + std::string(backend_name(b)) + "/";
    std::vector<Migration> out;
    for (const auto& path : resources::list(prefix)) {
        std::string file = path.substr(prefix.size());
        if (file.size() < 5 || file.substr(file.size() - 4) != ".sql") continue;
        Migration m;
        m.version = std::atoi(file.c_str());
        m.name = file.substr(0, file.size() - 4);
        m.sql = resources::find(path).value_or("");
        out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return out;
}

int latest_version(Backend b) {
    auto list = embedded_migrations(b);
    return list.empty() ? 0 : list.back().version;
}

Result<int> schema_version(Database& db) {
    // Read in a write transaction: the table may need creating on a fresh database.
    auto v = db.write<int>([](Tx& tx) { return recorded_version(tx); });
    if (!v) return v.error();
    if (*v > latest_version(db.backend())) return too_new(*v, latest_version(db.backend()));
    return *v;
}

Result<int> migrate_with(Database& db, const std::vector<Migration>& list) {
    const int latest = list.empty() ? 0 : list.back().version;
    auto current = db.write<int>([](Tx& tx) { return recorded_version(tx); });
    if (!current) return current.error();
    if (*current > latest) return too_new(*current, latest);
    int version = *current;
    for (const auto& m : list) {
        if (m.version <= version) continue;
        auto s = db.write_tx([&](Tx& tx) -> Status {
            // Re-check under the write lock: another process may have migrated meanwhile.
            auto now = recorded_version(tx);
            if (!now) return now.error();
            if (*now >= m.version) return {};
            if (auto r = tx.exec_script(m.sql); !r)
                return Error{r.error().code, r.error().status, m.name + ": " + r.error().detail};
            auto rec = tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                               {std::int64_t{m.version}, m.name, now_ms()});
            if (!rec) return rec.error();
            return {};
        });
        if (!s) return s.error();
        version = m.version;
    }
    return version;
}

Result<int> migrate(Database& db) { return migrate_with(db, embedded_migrations(db.backend())); }

}  // namespace idara::storage
