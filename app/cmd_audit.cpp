// idara audit verify / idara audit sth: the tamper-evident journal (journal/journal.hpp).
//
//   idara audit verify [--json] [--lang ar|fr]
//       recomputes every leaf hash, index and gap, the root at every signed tree head and
//       every signature. Progress on stderr: a bar redrawn with \r on a terminal, otherwise a
//       "verified N/M leaves" line about every 10 %. Exit 0 when intact; 1 with the first bad
//       leaf and the reason (altered, deleted, reordered, sth_mismatch, bad_signature).
//       --json prints {"ok","leaves","sths","fault","first_bad_leaf","sth_size","what"} on stdout.
//   idara audit sth     signs a tree head now and prints it as JSON.
#include "cli_common.hpp"
#include "commands.hpp"
#include "runtime.hpp"

#include "core/i18n.hpp"
#include "journal/journal.hpp"
#include "trust/key_store.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <iostream>
#include <memory>
#include <unistd.h>

namespace idara::app {

namespace {

struct AuditArgs {
    bool json = false;
    std::string lang = "fr";
};

Result<std::unique_ptr<Runtime>> open(const GlobalOptions& g) { return open_runtime(load_config(g), OpenMode::existing); }

// Progress on stderr: a redrawn bar on a terminal, plain lines every ~10 % otherwise.
class Progress {
public:
    Progress() : tty_(isatty(STDERR_FILENO) == 1) {}
    void operator()(std::int64_t done, std::int64_t total) {
        if (tty_) {
            constexpr int width = 40;
            const int filled = total > 0 ? static_cast<int>(done * width / total) : width;
            std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
                      << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << done << "/" << total
                      << std::flush;
            if (done >= total) std::cerr << "\n";
            return;
        }
        const std::int64_t tenth = total > 0 ? done * 10 / total : 10;
        if (tenth > last_tenth_ || done >= total) {
            if (done == last_done_) return;
            std::cerr << "verified " << done << "/" << total << " leaves\n";
            last_tenth_ = tenth;
            last_done_ = done;
        }
    }

private:
    bool tty_;
    std::int64_t last_tenth_ = -1, last_done_ = -1;
};

int cmd_verify_journal(const GlobalOptions& g, const AuditArgs& a) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    const auto lang = i18n::parse_lang(a.lang).value_or(i18n::Lang::fr);
    journal::Journal j(*(*rt)->db, *(*rt)->keys);
    Progress progress;
    auto rep = j.verify_all([&progress](std::int64_t done, std::int64_t total) { progress(done, total); });
    if (!rep) return fail(rep.error());
    if (a.json) {
        boost::json::object o{{"ok", rep->ok()},
                              {"leaves", rep->leaves},
                              {"sths", rep->sths},
                              {"fault", std::string(journal::fault_name(rep->fault))},
                              {"first_bad_leaf", rep->first_bad_leaf},
                              {"sth_size", rep->sth_size},
                              {"what", rep->what}};
        std::cout << boost::json::serialize(o) << "\n";
    }
    const auto& c = i18n::catalogue();
    if (rep->ok()) {
        if (!a.json)
            std::cout << c.format(lang, "journal.audit.intact",
                                  {{"leaves", std::to_string(rep->leaves)}, {"sths", std::to_string(rep->sths)}})
                      << "\n";
        return 0;
    }
    std::cerr << c.format(lang, "journal.audit.fault",
                          {{"leaf", std::to_string(rep->first_bad_leaf)},
                           {"reason", std::string(journal::fault_name(rep->fault))}})
              << "\n";
    std::cerr << "first bad leaf: " << rep->first_bad_leaf << " (" << journal::fault_name(rep->fault)
              << "): " << rep->what << "\n";
    return 1;
}

int cmd_sth(const GlobalOptions& g) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    journal::Journal j(*(*rt)->db, *(*rt)->keys);
    auto sth = j.make_sth();
    if (!sth) return fail(sth.error());
    std::cout << journal::sth_to_json(*sth) << "\n";
    return 0;
}

}  // namespace

template <class Cli>
void add_audit_commands(Cli& app, GlobalOptions& g, int& rc) {
    auto a = std::make_shared<AuditArgs>();
    auto* audit = app.add_subcommand("audit", "The tamper-evident journal: verify it, sign a tree head");
    audit->require_subcommand(1);

    auto* verify = audit->add_subcommand("verify", "Recompute the whole journal; report the first bad leaf");
    add_global(*verify, g);
    verify->add_flag("--json", a->json, "Print the report as JSON on stdout");
    verify->add_option("--lang", a->lang, "Language of the summary (ar or fr)")->check(CLI::IsMember({"ar", "fr"}));
    verify->callback([&g, &rc, a] { rc = cmd_verify_journal(g, *a); });

    auto* sth = audit->add_subcommand("sth", "Sign a tree head over the journal now and print it (JSON)");
    add_global(*sth, g);
    sth->callback([&g, &rc] { rc = cmd_sth(g); });
}

template void add_audit_commands<CLI::App>(CLI::App& app, GlobalOptions& g, int& rc);

}  // namespace idara::app
