// idara procedures check / load / list: the portal's procedure files (docs/PROCEDURES.md).
//   check FILE...   parses and checks files without a database; prints "ok" or the line and reason
//   load PATH...    publishes files or directories (a published version is immutable: a changed
//                   text needs a new version); the serving process sees them at once
//   list            the published versions
#include "cli_common.hpp"
#include "commands.hpp"
#include "runtime.hpp"

#include "core/log.hpp"
#include "exchange/files.hpp"
#include "procedures/procedure.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace idara::app {

namespace {

struct ProcedureArgs {
    std::vector<std::string> paths;
};

int cmd_check(const ProcedureArgs& a) {
    int bad = 0;
    for (const auto& path : a.paths) {
        auto text = exchange::files::read(path);
        if (!text) {
            std::cerr << path << ": cannot be read\n";
            ++bad;
            continue;
        }
        auto p = procedures::parse_procedure(*text, path);
        if (!p) {
            std::cerr << p.error().detail << "\n";
            ++bad;
            continue;
        }
        std::cout << path << ": ok (" << p->code << " version " << p->version << ", " << p->steps.size() << " steps, "
                  << p->fields.size() << " fields)\n";
    }
    return bad == 0 ? 0 : 1;
}

int cmd_load(const GlobalOptions& g, const ProcedureArgs& a) {
    auto rt = open_runtime(load_config(g), OpenMode::existing);
    if (!rt) return fail(rt.error());
    for (const auto& path : a.paths) {
        std::vector<procedures::Loaded> loaded;
        if (std::filesystem::is_directory(path)) {
            auto l = (*rt)->catalogue->load_dir(path);
            if (!l) return fail(l.error());
            loaded = *l;
        } else {
            auto text = exchange::files::read(path);
            if (!text) return fail(Error{"procedure.not_found", 404, path + ": cannot be read"});
            auto l = (*rt)->catalogue->load(*text, path);
            if (!l) return fail(l.error());
            loaded.push_back(*l);
        }
        for (const auto& l : loaded) {
            std::cout << l.code << " version " << l.version << ": "
                      << (l.outcome == procedures::LoadOutcome::added ? "published" : "unchanged") << "\n";
            if (l.outcome == procedures::LoadOutcome::added)
                log::info("procedure.published", {{"code", l.code}, {"version", std::to_string(l.version)}});
        }
    }
    return 0;
}

int cmd_list(const GlobalOptions& g) {
    auto rt = open_runtime(load_config(g), OpenMode::existing);
    if (!rt) return fail(rt.error());
    auto all = (*rt)->catalogue->list();
    if (!all) return fail(all.error());
    for (const auto& pub : *all) {
        const auto& p = *pub.procedure;
        std::cout << p.code << "\tv" << p.version << "\t" << p.administration << "\t" << p.title.fr << "\n";
    }
    return 0;
}

}  // namespace

template <class Cli>
void add_procedures_commands(Cli& app, GlobalOptions& g, int& rc) {
    auto a = std::make_shared<ProcedureArgs>();
    auto* procs = app.add_subcommand("procedures", "The portal's procedure files: check, publish, list");
    procs->require_subcommand(1);

    auto* check = procs->add_subcommand("check", "Check procedure files without publishing them (line and reason of each error)");
    check->add_option("files", a->paths, "Procedure files (JSON)")->required()->check(CLI::ExistingFile);
    check->callback([&rc, a] { rc = cmd_check(*a); });

    auto* load = procs->add_subcommand("load", "Publish procedure files or directories (versions are immutable)");
    add_global(*load, g);
    load->add_option("paths", a->paths, "Files or directories")->required()->check(CLI::ExistingPath);
    load->callback([&g, &rc, a] { rc = cmd_load(g, *a); });

    auto* list = procs->add_subcommand("list", "List the current version of every published procedure");
    add_global(*list, g);
    list->callback([&g, &rc] { rc = cmd_list(g); });
}

template void add_procedures_commands<CLI::App>(CLI::App& app, GlobalOptions& g, int& rc);

}  // namespace idara::app
