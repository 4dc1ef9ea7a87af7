#include "options.hpp"

namespace idara::app {

config::Config load_config(const GlobalOptions& g, std::vector<std::string> extra_sets) {
    config::Sources s;
    s.file = g.config_file;
    s.env = config::process_env();
    s.sets = g.sets;
    if (g.data_dir) s.sets.push_back("storage.data_dir=" + *g.data_dir);
    for (auto& e : extra_sets) s.sets.push_back(std::move(e));
    return config::load(s);
}

}  // namespace idara::app
