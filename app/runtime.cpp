#include "runtime.hpp"

#include "storage/migrations.hpp"

#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace idara::app {

namespace {

identity::ServiceOptions identity_options(const config::Config& c) {
    identity::ServiceOptions o;
    o.session_idle = std::chrono::minutes(c.security.session_idle_minutes);
    o.session_absolute = std::chrono::hours(c.security.session_absolute_hours);
    o.throttle.max_failures_per_login = static_cast<int>(c.security.login_failures_per_login);
    o.throttle.max_failures_per_ip = static_cast<int>(c.security.login_failures_per_ip);
    o.throttle.window = std::chrono::minutes(c.security.login_window_minutes);
    return o;
}

}  // namespace

Result<std::unique_ptr<Runtime>> open_runtime(const config::Config& cfg, OpenMode mode) {
    auto rt = std::make_unique<Runtime>();
    rt->cfg = cfg;
    const fs::path data = cfg.storage.data_dir;
    const bool sqlite = cfg.storage.backend == "sqlite";
    const fs::path db_file = data / "idara.db";
    if (mode == OpenMode::existing && sqlite && !fs::exists(db_file))
        return Error{"setup.not_initialised", 1,
                     "no database at " + db_file.string() + "; run `idara init --data-dir " + data.string() + "` first"};
    std::error_code ec;
    fs::create_directories(data, ec);
    if (ec) return Error{"setup.data_dir", 1, "cannot create " + data.string() + ": " + ec.message()};
    fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace, ec);

    if (sqlite) {
        auto db = storage::open_sqlite({.path = db_file.string(),
                                        .busy_timeout_ms = static_cast<int>(cfg.storage.busy_timeout_ms),
                                        .readers = static_cast<int>(cfg.storage.pool_size),
                                        .synchronous_full = cfg.storage.durable});
        if (!db) return db.error();
        rt->db = std::move(*db);
    } else {
        auto db = storage::open_postgres({.dsn = cfg.storage.postgres_dsn,
                                          .pool_size = static_cast<int>(cfg.storage.pool_size),
                                          .acquire_timeout_ms = static_cast<int>(cfg.storage.busy_timeout_ms)});
        if (!db) return db.error();
        rt->db = std::move(*db);
    }
    rt->blobs = storage::make_blob_store(rt->db->backend(), data / "blobs");
    rt->identity = std::make_unique<identity::Service>(*rt->db, identity_options(cfg));
    return rt;
}

Status require_current_schema(storage::Database& db) {
    auto v = storage::schema_version(db);
    if (!v) return v.error();
    const int latest = storage::latest_version(db.backend());
    if (*v < latest)
        return Error{"setup.schema_old", 1,
                     "the database schema is version " + std::to_string(*v) + " but this binary needs " +
                         std::to_string(latest) + "; run `idara migrate`"};
    if (*v > latest)
        return Error{"storage.schema_too_new", 1,
                     "the database schema (version " + std::to_string(*v) +
                         ") is newer than this binary knows (" + std::to_string(latest) + "); upgrade idara"};
    return {};
}

int fail(const Error& e) {
    std::cerr << "idara: " << (e.detail.empty() ? e.code : e.detail) << " [" << e.code << "]\n";
    return 1;
}

}  // namespace idara::app
