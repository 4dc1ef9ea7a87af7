// Search, inbox listing and status changes over a generated register of N entries
// (default 1 000 000) on SQLite, measured in-process. Prints one tab-separated line
// per figure:
//   key  what  value  unit  target  ratio_to_target
// (ratio empty when there is no target). Figures are for reading as ratios.
//
// The generator writes realistic Arabic/French entries straight into the tables
// (entries, entry_flow, entry_units and the search index through search::index_entry)
// in large transactions, over a few administrations and units: subjects and bodies are
// runs of words from the context documents (../shared/context/*.txt), a part of the
// Arabic words vowelled at random, a part of the entries in French. Every entry points
// to one shared placeholder blob row for `receipt_blob` (a bench fixture: no receipt
// PDF exists). Generation runs with synchronous=OFF; measurements reopen the database
// with the production settings (synchronous=FULL, WAL).
//
// Usage: search_bench [--entries N] [--queries Q] [--dir DIR] [--context DIR] [--seed S]
//   --dir     where the database goes (default: a new temporary directory, removed at exit)
//   --context the word source (default /work/shared/context, or $IDARA_CONTEXT_DIR)
#include "core/clock.hpp"
#include "search/index.hpp"
#include "search/search.hpp"
#include "storage/db.hpp"
#include "storage/migrations.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using namespace idara;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "search_bench: %s\n", what.c_str());
    std::exit(1);
}

template <class T>
T must(Result<T> r, const char* what) {
    if (!r) die(std::string(what) + ": " + r.error().code + " " + r.error().detail);
    return std::move(*r);
}
void must(Status s, const char* what) {
    if (!s) die(std::string(what) + ": " + s.error().code + " " + s.error().detail);
}

double ms_since(Steady::time_point t0) { return std::chrono::duration<double, std::milli>(Steady::now() - t0).count(); }

long peak_rss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

constexpr std::int64_t kDay = 86'400'000;
constexpr int kAdministrations = 4;
constexpr int kUnitsPerAdm = 8;
constexpr int kAgentsPerAdm = 24;
const char* const kOpenStates[] = {"registered", "assigned", "in_progress", "missing_documents"};
const char* const kStates[] = {"registered", "assigned", "in_progress", "missing_documents", "answered",
                               "answered", "rejected", "closed", "closed", "transferred"};
const char* const kTypes[] = {"letter", "complaint", "request", "application", "investment"};

// French words of administrative mail (the context documents are Arabic).
const char* const kFrench[] = {
    "demande", "attestation", "administrative", "réclamation", "dossier", "investissement", "subvention", "marché",
    "public", "délai", "réponse", "courrier", "bureau", "d'ordre", "ministère", "l'économie", "finances", "éducation",
    "nationale", "santé", "justice", "commune", "région", "préfecture", "certificat", "résidence", "inscription",
    "étudiant", "bourse", "permis", "construire", "autorisation", "exploitation", "licence", "transport", "douane",
    "impôt", "taxe", "professionnelle", "entreprise", "société", "création", "registre", "commerce", "numérique",
    "guichet", "électronique", "signature", "parapheur", "recours", "gracieux", "silence", "vaut", "acceptation",
    "pièces", "jointes", "manquantes", "complément", "instruction", "transfert", "compétente", "usager", "citoyen",
    "plainte", "retard", "paiement", "facture", "fournisseur", "contrat", "convention", "partenariat", "stage",
    "recrutement", "concours", "mutation", "retraite", "pension", "indemnité", "remboursement", "frais", "mission",
    "rapport", "annuel", "budget", "projet", "programme", "stratégie", "Maroc", "digital", "plateforme", "services",
    "accès", "information", "données", "personnelles", "protection", "loi", "55-19", "simplification", "procédures"};
const char* const kNames[] = {"أمينة المنصوري", "يوسف العلوي", "فاطمة الزهراء بنعلي", "محمد الإدريسي", "خديجة التازي",
                              "عبد الله الفاسي", "Karim Benjelloun", "Salma El Amrani", "Société Atlas Numérique SARL",
                              "Coopérative Al Amal", "Hicham Ouazzani", "Nadia Berrada", "مقاولة الأطلس للبناء",
                              "جمعية التنمية المحلية", "Omar Chraibi", "ليلى بنسودة"};

// Words of the context documents, in their order (natural frequencies), vowelled or not.
struct Corpus {
    std::vector<std::string> stream;
    std::vector<std::string> rare;  // distinct words seen 1..20 times (good queries)
    std::vector<std::string> frequent;  // the 30 most frequent words (worst-case queries)
};

bool arabic_letter_lead(unsigned char c) { return c >= 0xD8 && c <= 0xDB; }

Corpus load_corpus(const fs::path& dir) {
    Corpus c;
    for (const auto& f : fs::directory_iterator(dir)) {
        if (f.path().extension() != ".txt" || f.path().filename() == "README.md") continue;
        std::ifstream in(f.path());
        std::string w;
        while (in >> w) {
            // Trim ASCII punctuation and Arabic comma/semicolon/question mark at both ends.
            auto strip = [](std::string& s) {
                for (const char* p : {"،", "؛", "؟", "«", "»", "“", "”"})
                    for (std::size_t at; (at = s.find(p)) != std::string::npos;) s.erase(at, std::strlen(p));
                s.erase(std::remove_if(s.begin(), s.end(), [](char ch) { return std::ispunct(static_cast<unsigned char>(ch)) != 0; }),
                        s.end());
            };
            strip(w);
            if (w.size() >= 4 && arabic_letter_lead(static_cast<unsigned char>(w[0]))) c.stream.push_back(w);
        }
    }
    if (c.stream.size() < 1000) die("too few words in " + dir.string());
    std::unordered_map<std::string, int> freq;
    for (const auto& w : c.stream) ++freq[w];
    std::vector<std::pair<int, std::string>> by;
    for (auto& [w, n] : freq) by.emplace_back(n, w);
    std::sort(by.rbegin(), by.rend());
    for (std::size_t i = 0; i < by.size(); ++i) {
        if (i < 30) c.frequent.push_back(by[i].second);
        else if (by[i].first <= 20 && by[i].second.size() >= 8) c.rare.push_back(by[i].second);
    }
    return c;
}

// Adds random short vowels after Arabic letters (U+064E fatha, U+064F damma, U+0650 kasra, U+0652 sukun).
std::string vowelled(const std::string& w, std::mt19937_64& rng) {
    static const char* const marks[] = {"\xD9\x8E", "\xD9\x8F", "\xD9\x90", "\xD9\x92"};
    std::string out;
    for (std::size_t i = 0; i < w.size();) {
        const auto c = static_cast<unsigned char>(w[i]);
        const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        out.append(w, i, len);
        const bool letter = len == 2 && arabic_letter_lead(c) && !(c == 0xD9 && static_cast<unsigned char>(w[i + 1]) >= 0x8B);
        if (letter && rng() % 2 == 0) out += marks[rng() % 4];
        i += len;
    }
    return out;
}

struct Generator {
    const Corpus& corpus;
    std::mt19937_64 rng;
    std::string words(std::size_t n, bool french) {
        std::string out;
        if (french) {
            for (std::size_t i = 0; i < n; ++i) {
                out += i ? " " : "";
                std::string w = kFrench[rng() % std::size(kFrench)];
                if (rng() % 8 == 0) std::transform(w.begin(), w.end(), w.begin(), [](char ch) { return std::toupper(ch); });
                out += w;
            }
            return out;
        }
        const bool vowels = rng() % 4 == 0;  // a quarter of the Arabic texts are vowelled
        std::size_t at = rng() % (corpus.stream.size() - n);
        for (std::size_t i = 0; i < n; ++i) {
            out += i ? " " : "";
            out += vowels ? vowelled(corpus.stream[at + i], rng) : corpus.stream[at + i];
        }
        return out;
    }
};

struct World {
    std::vector<std::int64_t> adms;
    std::vector<std::vector<std::int64_t>> units;   // per administration
    std::vector<std::vector<std::int64_t>> agents;  // per administration
};

World make_world(storage::Database& db) {
    World w;
    must(db.write_tx([&](storage::Tx& tx) -> Status {
        const std::string blob(64, 'b');  // bench fixture: the shared placeholder receipt blob
        if (auto r = tx.exec("INSERT INTO blobs (digest, size, created_at) VALUES ($1, 0, 0)", {blob}); !r) return r.error();
        for (int a = 0; a < kAdministrations; ++a) {
            const std::string code = std::string("AD") + char('A' + a);
            auto id = tx.query_one("INSERT INTO administrations (code, name_ar, name_fr, created_at) VALUES "
                                   "($1, 'إدارة', 'Administration', 0) RETURNING id", {code});
            if (!id) return id.error();
            w.adms.push_back((*id)->as_int(0));
            w.units.emplace_back();
            w.agents.emplace_back();
            for (int u = 0; u < kUnitsPerAdm; ++u) {
                auto uid = tx.query_one("INSERT INTO units (administration_id, code, name_ar, name_fr, created_at) "
                                        "VALUES ($1, $2, 'وحدة', 'Unité', 0) RETURNING id",
                                        {w.adms.back(), "U" + std::to_string(u)});
                if (!uid) return uid.error();
                w.units.back().push_back((*uid)->as_int(0));
            }
            for (int g = 0; g < kAgentsPerAdm; ++g) {
                auto gid = tx.query_one("INSERT INTO accounts (kind, login, display_name, password_hash, created_at, "
                                        "password_changed_at) VALUES ('staff', $1, 'Agent', 'x', 0, 0) RETURNING id",
                                        {code + "-agent" + std::to_string(g)});
                if (!gid) return gid.error();
                w.agents.back().push_back((*gid)->as_int(0));
            }
        }
        return {};
    }), "world");
    return w;
}

constexpr std::int64_t kStart = 1'704'067'200'000;  // 2024-01-01
constexpr std::int64_t kNow = kStart + 730 * kDay;

void generate(storage::Database& db, const World& w, Generator& g, long n) {
    const long batch = 20'000;
    long done = 0;
    std::vector<long> seq(w.adms.size(), 0);
    while (done < n) {
        const long upto = std::min(n, done + batch);
        must(db.write_tx([&](storage::Tx& tx) -> Status {
            for (long i = done; i < upto; ++i) {
                const std::size_t a = static_cast<std::size_t>(g.rng() % w.adms.size());
                const bool french = g.rng() % 10 < 3;
                const std::int64_t reg = kStart + static_cast<std::int64_t>(g.rng() % (730 * kDay));
                const std::int64_t due = reg + 60 * kDay;
                const char* type = kTypes[g.rng() % std::size(kTypes)];
                const std::string subject = g.words(4 + g.rng() % 5, french);
                const std::string body = g.words(20 + g.rng() % 40, french);
                const char* name = kNames[g.rng() % std::size(kNames)];
                const long s = ++seq[a];
                char number[40];
                std::snprintf(number, sizeof number, "AD%c-%04ld-%06ld", 'A' + static_cast<int>(a), 2024 + s / 500'000,
                              s % 500'000 + 1);
                auto e = tx.query_one(
                    "INSERT INTO entries (administration_id, register_number, year, sequence, channel, registered_by, "
                    "depositor_name, type_code, subject, body, status, tracking_hash, registered_at, due_at, "
                    "deadline_days, working_days, silence_is_approval, receipt_digest, receipt_blob, seal_kid) VALUES "
                    "($1, $2, $3, $4, 'counter', $5, $6, $7, $8, $9, 'registered', 'h', $10, $11, 60, 0, 0, 'd', $12, 'k') "
                    "RETURNING id",
                    {w.adms[a], std::string(number), std::int64_t{2024 + s / 500'000}, std::int64_t{s},
                     w.agents[a][0], std::string(name), std::string(type), subject, body, reg, due, std::string(64, 'b')});
                if (!e) return e.error();
                const std::int64_t id = (*e)->as_int(0);
                // Older entries are mostly finished; recent ones mostly open.
                const bool recent = reg > kNow - 90 * kDay;
                const char* state = recent ? kOpenStates[g.rng() % 4] : kStates[g.rng() % std::size(kStates)];
                const std::int64_t lead = w.units[a][g.rng() % w.units[a].size()];
                const bool has_assignee = std::strcmp(state, "registered") != 0;
                storage::Value assignee = has_assignee ? storage::Value(w.agents[a][g.rng() % w.agents[a].size()])
                                                       : storage::Value(nullptr);
                auto f = tx.exec("INSERT INTO entry_flow (entry_id, administration_id, state, confidential, lead_unit_id, "
                                 "assignee_id, due_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                 {id, w.adms[a], std::string(state), std::int64_t{g.rng() % 33 == 0}, lead, assignee,
                                  due, reg});
                if (!f) return f.error();
                auto u = tx.exec("INSERT INTO entry_units (entry_id, unit_id, role, assigned_at) VALUES ($1, $2, 'lead', $3)",
                                 {id, lead, reg});
                if (!u) return u.error();
                if (g.rng() % 5 == 0) {
                    const std::int64_t copy = w.units[a][g.rng() % w.units[a].size()];
                    if (copy != lead) {
                        auto c = tx.exec("INSERT INTO entry_units (entry_id, unit_id, role, assigned_at) VALUES ($1, $2, 'copy', $3)",
                                         {id, copy, reg});
                        if (!c) return c.error();
                    }
                }
                if (auto x = search::index_entry(tx, id); !x) return x.error();
            }
            return {};
        }), "generate");
        done = upto;
        if (done % 100'000 == 0 || done == n) std::fprintf(stderr, "search_bench: %ld entries\n", done);
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
    return v[i];
}

struct Out {
    std::string key, what;
    double value;
    std::string unit;
    double target;  // 0: none
};

}  // namespace

int main(int argc, char** argv) {
    long n = 1'000'000;
    int queries = 500;
    std::uint64_t seed = 42;
    std::string dir_arg;
    fs::path context = std::getenv("IDARA_CONTEXT_DIR") ? std::getenv("IDARA_CONTEXT_DIR") : "/work/shared/context";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--entries")) n = std::stol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--queries")) queries = std::stoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--dir")) dir_arg = argv[i + 1];
        else if (!std::strcmp(argv[i], "--context")) context = argv[i + 1];
        else if (!std::strcmp(argv[i], "--seed")) seed = std::stoull(argv[i + 1]);
        else die(std::string("unknown option ") + argv[i]);
    }
    const bool temporary = dir_arg.empty();
    const fs::path dir = temporary ? fs::temp_directory_path() / ("idara-search-bench-" + std::to_string(::getpid())) : fs::path(dir_arg);
    fs::remove_all(dir);
    fs::create_directories(dir);
    const Corpus corpus = load_corpus(context);
    Generator gen{corpus, std::mt19937_64(seed)};
    std::vector<Out> out;

    World world;
    {
        auto db = must(storage::open_sqlite({.path = (dir / "idara.db").string(), .synchronous_full = false}), "open");
        must(storage::migrate(*db), "migrate");
        world = make_world(*db);
        const auto t0 = Steady::now();
        generate(*db, world, gen, n);
        const double secs = ms_since(t0) / 1000;
        out.push_back({"generate", "generation: entries + flow + units + index, synchronous=OFF", secs, "s", 240});
        out.push_back({"generate_rate", "generation rate", static_cast<double>(n) / secs, "entries/s", 0});
        out.push_back({"rss_generate", "peak RSS after generation", peak_rss_kb() / 1024.0, "MB", 200});
    }
    std::uintmax_t bytes = 0;
    for (const auto& f : fs::directory_iterator(dir)) bytes += f.is_regular_file() ? f.file_size() : 0;
    out.push_back({"db_size", "database size on disk (with WAL)", bytes / 1048576.0, "MB", 0});

    auto db = must(storage::open_sqlite({.path = (dir / "idara.db").string()}), "reopen");
    // Search: ~500 varied queries, half with filters, by administrators and unit agents.
    std::map<std::string, std::vector<double>> by_kind;
    std::vector<double> all;
    std::mt19937_64& rng = gen.rng;
    for (int i = 0; i < queries; ++i) {
        const std::size_t a = rng() % world.adms.size();
        search::Viewer v{world.adms[a], {}, rng() % 2 == 0};
        v.unit_ids.push_back(world.units[a][rng() % world.units[a].size()]);
        if (rng() % 3 == 0) v.unit_ids.push_back(world.units[a][rng() % world.units[a].size()]);
        search::SearchQuery q;
        std::string kind;
        const int k = static_cast<int>(rng() % 20);
        const auto& rare = corpus.rare[rng() % corpus.rare.size()];
        const auto& rare2 = corpus.rare[rng() % corpus.rare.size()];
        if (k < 5) { kind = "1 Arabic word"; q.text = rng() % 2 ? vowelled(rare, rng) : rare; }
        else if (k < 9) { kind = "2 Arabic words"; q.text = rare + " " + rare2; }
        else if (k < 12) { kind = "prefix (word being typed)"; q.text = rare.substr(0, 6 + 2 * (rng() % 2)); }
        else if (k < 15) { kind = "French words"; q.text = std::string(kFrench[rng() % std::size(kFrench)]) + " " + kFrench[rng() % std::size(kFrench)]; }
        else if (k < 16) { kind = "frequent word (worst case)"; q.text = corpus.frequent[rng() % corpus.frequent.size()]; }
        else if (k < 18) { kind = "filters only"; }
        else { kind = "register number"; q.text = std::string("AD") + char('A' + static_cast<int>(a)) + "-2024-" + std::to_string(100'000 + rng() % 100'000); }
        if (rng() % 2 == 0) {  // with filters
            switch (rng() % 4) {
                case 0: q.states = {"assigned", "in_progress"}; break;
                case 1: q.overdue = true; q.now_ms = kNow; break;
                case 2: q.type_code = kTypes[rng() % std::size(kTypes)]; break;
                default: q.registered_from = kNow - 180 * kDay; break;
            }
        }
        const auto t0 = Steady::now();
        auto page = search::search(*db, q, v);
        const double ms = ms_since(t0);
        if (!page) die("search: " + page.error().code + " " + page.error().detail + " for " + q.text);
        by_kind[kind].push_back(ms);
        all.push_back(ms);
    }
    out.push_back({"search_p50", "search p50 (" + std::to_string(queries) + " queries, page of 20 + capped count)",
                   percentile(all, 0.50), "ms", 0});
    out.push_back({"search_p95", "search p95", percentile(all, 0.95), "ms", 50});
    out.push_back({"search_p99", "search p99", percentile(all, 0.99), "ms", 0});
    for (const auto& [kind, v] : by_kind)
        out.push_back({"search_kind", "p95 of " + kind + " (" + std::to_string(v.size()) + " queries; p50 " +
                                          std::to_string(static_cast<int>(percentile(v, 0.5) * 10) / 10.0).substr(0, 5) + " ms)",
                       percentile(v, 0.95), "ms", 0});

    // Inbox listings: an assignee's and a unit's open entries by due date, 50 rows.
    auto inbox = [&](const char* column, const std::vector<std::vector<std::int64_t>>& ids) {
        const std::string sql = std::string(
            "SELECT f.entry_id, e.register_number, e.subject, f.state, f.due_at FROM entry_flow f "
            "JOIN entries e ON e.id = f.entry_id WHERE f.") + column + " = $1 AND f.state IN "
            "('registered', 'assigned', 'in_progress', 'missing_documents') ORDER BY f.due_at LIMIT 50";
        std::vector<double> t;
        for (int i = 0; i < 300; ++i) {
            const auto& list = ids[rng() % ids.size()];
            const std::int64_t id = list[rng() % list.size()];
            const auto t0 = Steady::now();
            must(db->read<std::size_t>([&](storage::Tx& tx) -> Result<std::size_t> {
                auto r = tx.query(sql, {id});
                if (!r) return r.error();
                return r->size();
            }), "inbox");
            t.push_back(ms_since(t0));
        }
        return t;
    };
    const auto by_assignee = inbox("assignee_id", world.agents);
    const auto by_unit = inbox("lead_unit_id", world.units);
    out.push_back({"inbox_assignee_p95", "inbox of an assignee (open, by due date, 50 rows) p95", percentile(by_assignee, 0.95), "ms", 50});
    out.push_back({"inbox_unit_p95", "inbox of a lead unit (open, by due date, 50 rows) p95", percentile(by_unit, 0.95), "ms", 50});

    // Status changes: version-checked UPDATE of entry_flow + INSERT entry_events, one durable transaction each.
    const int changes = 2000;
    const auto t0 = Steady::now();
    for (int i = 0; i < changes; ++i) {
        const std::int64_t id = 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n));
        must(db->write_tx([&](storage::Tx& tx) -> Status {
            auto cur = tx.query_one("SELECT version FROM entry_flow WHERE entry_id = $1", {id});
            if (!cur) return cur.error();
            if (!*cur) return errors::not_found();
            const std::int64_t version = (*cur)->as_int(0);
            auto u = tx.exec("UPDATE entry_flow SET state = 'in_progress', version = version + 1, updated_at = $3 "
                             "WHERE entry_id = $1 AND version = $2", {id, version, kNow});
            if (!u) return u.error();
            if (*u != 1) return errors::conflict("version");
            auto e = tx.exec("INSERT INTO entry_events (entry_id, at, kind, detail, version) VALUES ($1, $2, 'state', 'in_progress', $3)",
                             {id, kNow, version + 1});
            if (!e) return e.error();
            return {};
        }), "status change");
    }
    const double secs = ms_since(t0) / 1000;
    out.push_back({"status_changes", "status changes/s (1 thread, synchronous=FULL)", changes / secs, "ops/s", 0});
    out.push_back({"rss_peak", "peak RSS of the whole run", peak_rss_kb() / 1024.0, "MB", 200});

    for (const auto& o : out) {
        char ratio[32] = "";
        if (o.target > 0) std::snprintf(ratio, sizeof ratio, "%.2f", o.value / o.target);
        std::printf("%s\t%s\t%.1f\t%s\t%s\t%s\n", o.key.c_str(), o.what.c_str(), o.value, o.unit.c_str(),
                    o.target > 0 ? std::to_string(static_cast<long>(o.target)).c_str() : "", ratio);
    }
    db.reset();
    if (temporary) fs::remove_all(dir);
    return 0;
}
