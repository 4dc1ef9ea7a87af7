// `idara exchange`: groups the subcommands of the exchange layer.
#include "cmd_exchange.hpp"
#include "commands.hpp"

namespace idara::app {

template <class Cli>
void add_exchange_commands(Cli& app, GlobalOptions& /*g*/, int& rc) {
    auto* ex = app.add_subcommand("exchange", "The data-exchange layer: central registry, gateways, message log, demo");
    ex->require_subcommand(1);
    add_exchange_central_commands(*ex, rc);
    add_exchange_gateway_commands(*ex, rc);
    add_exchange_log_commands(*ex, rc);
    add_exchange_demo_commands(*ex, rc);
}

template void add_exchange_commands<CLI::App>(CLI::App& app, GlobalOptions& g, int& rc);

}  // namespace idara::app
