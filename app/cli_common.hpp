// What every idara subcommand shares on the command line: the configuration file, the data
// directory and --set overrides (CLI11). Included only by the files that build the command line.
#pragma once

#include "options.hpp"

#include <CLI/CLI.hpp>

namespace idara::app {

inline void add_global(CLI::App& cmd, GlobalOptions& g) {
    cmd.add_option("--config", g.config_file, "TOML configuration file (see config/idara.example.toml)")
        ->check(CLI::ExistingFile);
    cmd.add_option("--data-dir", g.data_dir, "Data directory (SQLite database, blobs, keys); default ./var");
    cmd.add_option("--set", g.sets, "Override a setting: section.key=value (repeatable)");
}

}  // namespace idara::app
