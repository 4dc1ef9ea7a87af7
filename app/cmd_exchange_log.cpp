// `idara exchange ...` subcommands of the log part (docs/design/exchange.md, "Message log").
//
//   exchange log verify --dir D [--anchors PEMFILE]
//       recomputes leaves, roots, time-stamp tokens and the archive chain of D/gateway.db and
//       D/archive/. Without --anchors the trust anchors come from D/conf-cache.json (its
//       "configuration" field; the cache's signature is not checked for this purpose, which the
//       output says); without either, token signatures are checked but not the TSA chain.
//       Exit 0 when intact; 1 with the first problem on stderr.
//   exchange log archive --dir D
//       moves stamped batches to D/archive/NNNNNN.json (chained by SHA-256); prints how many.
//   exchange opdata --dir D [--since MS] [--limit N]
//       prints the operational records with end_ms >= MS (oldest first, at most N, 1..10000) as JSON.
// Exit codes: 0 ok, 1 failed (message on stderr), 2 usage.
#include "cmd_exchange.hpp"
#include "runtime.hpp"

#include "exchange/conf.hpp"
#include "exchange/files.hpp"
#include "exchange/msglog.hpp"
#include "exchange/msglog_store.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace idara::app {

namespace {

struct LogArgs {
    std::string dir, anchors_file;
    std::int64_t since = 0;
    int limit = 100;
};

// The anchors of the cached configuration, or an explanation of why there are none.
std::vector<std::string> cached_anchors(const std::string& dir, std::string& note) {
    const std::string path = dir + "/conf-cache.json";
    auto text = exchange::files::read(path);
    if (!text) {
        note = "no --anchors and no " + path + ": time-stamp signatures checked, TSA chain NOT checked";
        return {};
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(*text, ec);
    const auto* inner = (!ec && v.is_object()) ? v.as_object().if_contains("configuration") : nullptr;
    if (inner == nullptr || !inner->is_string()) {
        note = path + " has no configuration: TSA chain NOT checked";
        return {};
    }
    auto conf = exchange::conf_from_json(inner->as_string());
    if (!conf) {
        note = path + ": " + conf.error().detail + ": TSA chain NOT checked";
        return {};
    }
    note = "trust anchors taken from " + path + " (its signature is not checked for this purpose)";
    return conf->trust_anchors_pem;
}

int cmd_verify(const LogArgs& a) {
    std::vector<std::string> anchors;
    std::string note;
    if (!a.anchors_file.empty()) {
        auto pem = exchange::files::read(a.anchors_file);
        if (!pem) return fail(Error{"exchange.log_unavailable", 503, "cannot read " + a.anchors_file});
        anchors.push_back(*pem);
        note = "trust anchors from " + a.anchors_file;
    } else {
        anchors = cached_anchors(a.dir, note);
    }
    std::cerr << note << "\n";
    const auto rep = exchange::verify_message_log(a.dir, anchors);
    if (!rep.ok) {
        std::cerr << "message log NOT intact: " << rep.first_problem << "\n";
        return 1;
    }
    std::cout << "message log intact: " << rep.records << " records (" << rep.unstamped
              << " not yet time-stamped), " << rep.batches << " time-stamped batches, " << rep.archives
              << " archive files" << (rep.chain_checked ? "" : "; TSA chain not checked") << "\n";
    return 0;
}

int cmd_archive(const LogArgs& a) {
    auto db = exchange::msglog::open_log_db(a.dir, false);
    if (!db) return fail(db.error());
    auto n = exchange::msglog::archive_batches(**db, a.dir);
    if (!n) return fail(n.error());
    std::cout << *n << " archive file(s) written in " << a.dir << "/archive\n";
    return 0;
}

int cmd_opdata(const LogArgs& a) {
    auto db = exchange::msglog::open_log_db(a.dir, false);
    if (!db) return fail(db.error());
    auto text = exchange::msglog::opdata_query(**db, a.since, a.limit);
    if (!text) return fail(text.error());
    std::cout << *text << "\n";
    return 0;
}

}  // namespace

void add_exchange_log_commands(CLI::App& exchange, int& rc) {
    auto a = std::make_shared<LogArgs>();
    auto* log = exchange.add_subcommand("log", "The message log: verify it, archive stamped batches");
    log->require_subcommand(1);

    auto* verify = log->add_subcommand("verify", "Recompute leaves, roots, time-stamps and the archive chain");
    verify->add_option("--dir", a->dir, "Gateway directory (gateway.db, archive/)")->required();
    verify->add_option("--anchors", a->anchors_file, "PEM file of trust anchors for the TSA chain")
        ->check(CLI::ExistingFile);
    verify->callback([&rc, a] { rc = cmd_verify(*a); });

    auto* archive = log->add_subcommand("archive", "Move time-stamped batches to archive/NNNNNN.json");
    archive->add_option("--dir", a->dir, "Gateway directory")->required();
    archive->callback([&rc, a] { rc = cmd_archive(*a); });

    auto* opdata = exchange.add_subcommand("opdata", "Print operational records (JSON) from a gateway's database");
    opdata->add_option("--dir", a->dir, "Gateway directory")->required();
    opdata->add_option("--since", a->since, "Only records that ended at or after this time (ms since epoch)");
    opdata->add_option("--limit", a->limit, "At most this many records (1..10000)");
    opdata->callback([&rc, a] { rc = cmd_opdata(*a); });
}

}  // namespace idara::app
