// `idara exchange ...` subcommands of the log part (docs/design/exchange.md).
#include "cmd_exchange.hpp"

namespace idara::app {

void add_exchange_log_commands(CLI::App& /*exchange*/, int& /*rc*/) {}

}  // namespace idara::app
