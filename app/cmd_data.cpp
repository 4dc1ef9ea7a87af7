// idara init / migrate: create and upgrade the data directory and database.
#include "commands.hpp"
#include "runtime.hpp"

#include "identity/demo.hpp"
#include "parapheur/demo.hpp"
#include "storage/migrations.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>

namespace idara::app {

namespace {

void print_demo_logins(const std::vector<identity::DemoLogin>& logins) {
    std::cout << "\nDemo accounts (for demonstration only):\n";
    std::cout << std::left << std::setw(36) << "login" << std::setw(30) << "password" << std::setw(10) << "kind"
              << std::setw(16) << "role" << "administration\n";
    for (const auto& d : logins) {
        std::cout << std::left << std::setw(36) << d.login << std::setw(30) << d.password << std::setw(10) << d.kind
                  << std::setw(16) << (d.role.empty() ? "-" : d.role)
                  << (d.administration_code.empty() ? "-" : d.administration_code) << "\n";
    }
    std::cout << std::endl;
}

}  // namespace

int cmd_init(const GlobalOptions& g, const InitOptions& o) {
    const config::Config cfg = load_config(g);
    if (cfg.storage.backend == "sqlite" && std::filesystem::exists(std::filesystem::path(cfg.storage.data_dir) / "idara.db")) {
        std::cerr << "idara: " << cfg.storage.data_dir
                  << " already holds a database; nothing was changed (use `idara migrate` to upgrade it)\n";
        return 1;
    }
    const bool created_dir = !std::filesystem::exists(cfg.storage.data_dir);
    auto rt = open_runtime(cfg, OpenMode::create);
    if (!rt) return fail(rt.error());
    // A failed init leaves nothing behind: the half-made SQLite database goes.
    auto undo = [&](const Error& e) {
        if (cfg.storage.backend == "sqlite") {
            rt->reset();
            std::error_code ec;
            const auto dir = std::filesystem::path(cfg.storage.data_dir);
            if (created_dir) std::filesystem::remove_all(dir, ec);
            else for (const char* f : {"idara.db", "idara.db-wal", "idara.db-shm"}) std::filesystem::remove(dir / f, ec);
        }
        return fail(e);
    };
    auto& db = *(*rt)->db;
    auto v = storage::schema_version(db);
    if (!v) return fail(v.error());
    if (*v != 0) {
        std::cerr << "idara: the database already has a schema (version " << *v << "); nothing was changed\n";
        return 1;
    }
    auto m = storage::migrate(db);
    if (!m) return undo(m.error());
    std::cout << "Initialised " << cfg.storage.data_dir << " (" << storage::backend_name(db.backend())
              << ", schema version " << *m << ")\n";
    if (o.demo) {
        auto logins = identity::seed_demo(*(*rt)->identity);
        if (!logins) return undo(logins.error());
        if (auto t = identity::seed_demo_totp(*(*rt)->identity, *(*rt)->totp, *logins); !t) return undo(t.error());
        if (auto t = parapheur::seed_demo_templates(*(*rt)->db, system_clock().now_ms()); !t) return undo(t.error());
        // The shipped procedure packs of the demo administrations (serve loads them again, unchanged).
        if (auto t = load_procedures(**rt); !t) return undo(t.error());
        print_demo_logins(*logins);
        std::cout << "Demo second factor (TOTP, RFC 6238) of every signer and admin account: secret "
                  << identity::kDemoTotpSecret << " (oathtool --totp -b " << identity::kDemoTotpSecret << ")\n\n";
    }
    if (auto k = ensure_all_keys(**rt); !k) return undo(k.error());
    return 0;
}

int cmd_migrate(const GlobalOptions& g, const MigrateOptions& o) {
    const config::Config cfg = load_config(g);
    auto rt = open_runtime(cfg, OpenMode::existing);
    if (!rt) return fail(rt.error());
    auto& db = *(*rt)->db;
    auto v = storage::schema_version(db);
    if (!v) return fail(v.error());
    const int latest = storage::latest_version(db.backend());
    if (o.status_only) {
        std::cout << "database schema version " << *v << ", binary schema version " << latest << " — "
                  << (*v == latest ? "up to date" : *v < latest ? "migrations pending" : "database is newer than this binary")
                  << "\n";
        return *v > latest ? 1 : 0;
    }
    auto m = storage::migrate(db);
    if (!m) return fail(m.error());
    std::cout << (*m == *v ? "schema up to date at version " : "migrated to schema version ") << *m << "\n";
    if (auto k = ensure_all_keys(**rt); !k) return fail(k.error());
    return 0;
}

}  // namespace idara::app
