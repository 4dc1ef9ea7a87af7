// The catalogue of procedures: the published versions of every procedure file, kept in the
// database (table `procedures`, migration 0014) so that an administration can load or update a
// procedure without rebuilding idara, and an application always finds the version it was filed
// under.
//
// Versions are immutable: loading (code, version) again with the same text is a no-op
// (LoadOutcome::unchanged); with a different text it is procedure.version_exists (409) — publish
// it as version N+1. The current version of a procedure is its highest version.
// Loading also checks that the competent administration exists (procedure.unknown_administration,
// 400). Each version is recorded with the SHA-256 of its text, where it was loaded from and when
// (the tamper-evident journal keeps registry events only).
//
// Search: `q` matches the title, summary, audience, keywords and the administration's names in
// both languages with text::search_matches (Arabic vowels, hamza forms, case and accents ignored).
//
// Thread-safety: a Catalogue may be used from any number of threads (it reads the database on
// each call; parsed versions are cached by (code, version), which never change).
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "procedures/procedure.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::storage {
class Database;
}
namespace idara::identity {
class Service;
}

namespace idara::procedures {

enum class LoadOutcome { added, unchanged };

struct Loaded {
    std::string code;
    int version = 0;
    LoadOutcome outcome = LoadOutcome::added;
};

// A published version with its registration facts.
struct Published {
    std::shared_ptr<const Procedure> procedure;
    std::string sha256;               // of the file text
    std::int64_t loaded_at_ms = 0;
    std::string administration_name_ar, administration_name_fr;
};

struct CatalogueQuery {
    std::string q;                    // free text (empty: all)
    std::string life_event;           // a life-event code (empty: all)
    std::string administration;       // an administration code (empty: all)
};

class Catalogue {
public:
    Catalogue(storage::Database& db, identity::Service& ids, const Clock& clock = system_clock());
    ~Catalogue();

    // Parses, checks and publishes one procedure file. `origin` (a path) is recorded.
    Result<Loaded> load(std::string_view text, std::string_view origin);
    // Every "*.json" file under `dir` except "*.schema.json", in path order. Stops at the first
    // error, which names the file; versions published before it stay published.
    Result<std::vector<Loaded>> load_dir(const std::string& dir);
    // The procedure files embedded in the binary (the shipped packs under procedures/). With
    // `skipped`, a pack whose administration is not in the directory is not an error: its file and
    // the reason are appended there (a platform without that administration does not offer it).
    Result<std::vector<Loaded>> load_shipped(std::vector<std::pair<std::string, std::string>>* skipped = nullptr);

    // The current versions matching `q`, ordered by French title.
    Result<std::vector<Published>> list(const CatalogueQuery& q = {});
    // The current version of `code`; resource.not_found (404) when unknown.
    Result<Published> current(std::string_view code);
    // A given version; resource.not_found when unknown.
    Result<Published> version(std::string_view code, int version);
    // Every version of `code`, newest first.
    Result<std::vector<Published>> versions(std::string_view code);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::procedures
