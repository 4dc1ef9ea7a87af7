// Options shared by every subcommand and how they become a Config.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace idara::app {

struct GlobalOptions {
    std::optional<std::string> config_file;  // --config
    std::optional<std::string> data_dir;     // --data-dir (shortcut for --set storage.data_dir=...)
    std::vector<std::string> sets;           // --set section.key=value
};

// Loads the configuration from file, environment and flags. Throws config::ConfigError.
config::Config load_config(const GlobalOptions& g, std::vector<std::string> extra_sets = {});

}  // namespace idara::app
