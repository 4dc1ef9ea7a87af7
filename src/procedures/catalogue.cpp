#include "procedures/catalogue.hpp"

#include "core/i18n.hpp"
#include "core/random.hpp"
#include "core/resources.hpp"
#include "core/text_normalize.hpp"
#include "identity/service.hpp"
#include "storage/db.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace idara::procedures {

struct Catalogue::Impl {
    storage::Database& db;
    identity::Service& ids;
    const Clock& clock;
    std::mutex mu;
    std::map<std::pair<std::string, int>, std::shared_ptr<const Procedure>> parsed;  // versions never change

    Impl(storage::Database& d, identity::Service& i, const Clock& c) : db(d), ids(i), clock(c) {}

    // The parsed procedure of a stored row (cached).
    Result<std::shared_ptr<const Procedure>> procedure_of(const std::string& code, int version, const std::string& body) {
        {
            std::lock_guard lock(mu);
            if (auto it = parsed.find({code, version}); it != parsed.end()) return it->second;
        }
        auto p = parse_procedure(body, code + " v" + std::to_string(version));
        if (!p) return Error{"internal", 500, "stored procedure no longer parses: " + p.error().detail};
        auto shared = std::make_shared<const Procedure>(std::move(*p));
        std::lock_guard lock(mu);
        parsed.emplace(std::pair{code, version}, shared);
        return shared;
    }

    static constexpr const char* kSelect =
        "SELECT p.code, p.version, p.body, p.sha256, p.loaded_at, a.name_ar, a.name_fr FROM procedures p "
        "LEFT JOIN administrations a ON a.id = p.administration_id ";

    Result<std::vector<Published>> rows(std::string_view where, const storage::Params& params) {
        auto rs = db.read<storage::Rows>([&](storage::Tx& tx) { return tx.query(std::string(kSelect) + std::string(where), params); });
        if (!rs) return rs.error();
        std::vector<Published> out;
        for (const auto& r : *rs) {
            auto p = procedure_of(r.as_text(0), static_cast<int>(r.as_int(1)), r.as_text(2));
            if (!p) return p.error();
            // A procedure whose administration the applicant chooses has none of its own.
            const auto& cat = i18n::catalogue();
            out.push_back(Published{*p, r.as_text(3), r.as_int(4),
                                    r.is_null(5) ? cat.get(i18n::Lang::ar, "procedures.any_administration") : r.as_text(5),
                                    r.is_null(6) ? cat.get(i18n::Lang::fr, "procedures.any_administration") : r.as_text(6)});
        }
        return out;
    }
};

Catalogue::Catalogue(storage::Database& db, identity::Service& ids, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, ids, clock)) {}
Catalogue::~Catalogue() = default;

Result<Loaded> Catalogue::load(std::string_view text, std::string_view origin) {
    auto p = parse_procedure(text, origin);
    if (!p) return p.error();
    std::optional<std::int64_t> admin_id;
    if (p->administration != "*") {
        auto admin = impl_->ids.find_administration(p->administration);
        if (!admin) {
            if (admin.error().status >= 500) return admin.error();
            return Error{"procedure.unknown_administration", 400,
                         std::string(origin) + ": administration \"" + p->administration + "\" is not in the directory"};
        }
        admin_id = admin->id;
    }
    const std::string sha = random::sha256_hex(text);
    const std::int64_t now = impl_->clock.now_ms();
    return impl_->db.write<Loaded>([&](storage::Tx& tx) -> Result<Loaded> {
        auto existing = tx.query_one("SELECT sha256 FROM procedures WHERE code = $1 AND version = $2",
                                     {p->code, std::int64_t{p->version}});
        if (!existing) return existing.error();
        if (*existing) {
            if ((*existing)->as_text(0) == sha) return Loaded{p->code, p->version, LoadOutcome::unchanged};
            return Error{"procedure.version_exists", 409,
                         std::string(origin) + ": " + p->code + " version " + std::to_string(p->version) +
                             " is already published with another text; publish it as version " +
                             std::to_string(p->version + 1)};
        }
        auto ins = tx.exec(
            "INSERT INTO procedures (code, version, administration_id, title_fr, body, sha256, origin, loaded_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            {p->code, std::int64_t{p->version}, admin_id ? storage::Value(*admin_id) : storage::Value(nullptr), p->title.fr, std::string(text), sha, std::string(origin), now});
        if (!ins) return ins.error();
        return Loaded{p->code, p->version, LoadOutcome::added};
    });
}

Result<std::vector<Loaded>> Catalogue::load_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return Error{"procedure.not_found", 404, dir + ": not a directory"};
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto path = it->path().string();
        if (it->is_regular_file() && path.ends_with(".json") && !path.ends_with(".schema.json")) files.push_back(path);
    }
    if (ec) return Error{"procedure.not_found", 404, dir + ": " + ec.message()};
    std::sort(files.begin(), files.end());
    std::vector<Loaded> out;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        if (!in && !in.eof()) return Error{"procedure.not_found", 404, f + ": cannot be read"};
        auto l = load(ss.str(), f);
        if (!l) return l.error();
        out.push_back(*l);
    }
    return out;
}

Result<std::vector<Loaded>> Catalogue::load_shipped(std::vector<std::pair<std::string, std::string>>* skipped) {
    std::vector<Loaded> out;
    for (const auto& path : resources::list("procedures/")) {
        if (!path.ends_with(".json") || path.ends_with(".schema.json")) continue;
        auto text = resources::find(path);
        if (!text) continue;
        auto l = load(*text, path);
        if (!l && skipped && l.error().code == "procedure.unknown_administration") {
            skipped->emplace_back(path, l.error().detail);
            continue;
        }
        if (!l) return l.error();
        out.push_back(*l);
    }
    return out;
}

Result<std::vector<Published>> Catalogue::list(const CatalogueQuery& q) {
    auto all = impl_->rows("WHERE p.version = (SELECT MAX(q.version) FROM procedures q WHERE q.code = p.code) ORDER BY p.title_fr, p.code", {});
    if (!all) return all.error();
    std::vector<Published> out;
    for (auto& pub : *all) {
        const auto& p = *pub.procedure;
        if (!q.life_event.empty() && std::find(p.life_events.begin(), p.life_events.end(), q.life_event) == p.life_events.end())
            continue;
        if (!q.administration.empty() && p.administration != q.administration) continue;
        if (!q.q.empty()) {
            bool hit = false;
            for (const auto* t : {&p.title, &p.summary, &p.audience})
                hit = hit || text::search_matches(t->ar, q.q) || text::search_matches(t->fr, q.q);
            for (const auto& k : p.keywords) hit = hit || text::search_matches(k, q.q);
            hit = hit || text::search_matches(pub.administration_name_ar, q.q) ||
                  text::search_matches(pub.administration_name_fr, q.q) || text::search_matches(p.administration, q.q) ||
                  text::search_matches(p.code, q.q);
            if (!hit) continue;
        }
        out.push_back(std::move(pub));
    }
    return out;
}

Result<Published> Catalogue::current(std::string_view code) {
    auto r = impl_->rows("WHERE p.code = $1 ORDER BY p.version DESC LIMIT 1", {std::string(code)});
    if (!r) return r.error();
    if (r->empty()) return errors::not_found("procedure " + std::string(code));
    return std::move(r->front());
}

Result<Published> Catalogue::version(std::string_view code, int version) {
    auto r = impl_->rows("WHERE p.code = $1 AND p.version = $2", {std::string(code), std::int64_t{version}});
    if (!r) return r.error();
    if (r->empty()) return errors::not_found("procedure " + std::string(code) + " v" + std::to_string(version));
    return std::move(r->front());
}

Result<std::vector<Published>> Catalogue::versions(std::string_view code) {
    return impl_->rows("WHERE p.code = $1 ORDER BY p.version DESC", {std::string(code)});
}

}  // namespace idara::procedures
