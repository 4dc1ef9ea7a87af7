// `idara exchange ...`: the exchange layer's roles and tools (docs/design/exchange.md).
// Each part adds its subcommands under the `exchange` command; option storage they bind must
// outlive parsing (allocate it with `static` or keep it in a struct owned by the function's caller).
#pragma once

#include <CLI/CLI.hpp>

namespace idara::app {

void add_exchange_central_commands(CLI::App& exchange, int& rc);  // cmd_exchange_central.cpp
void add_exchange_gateway_commands(CLI::App& exchange, int& rc);  // cmd_exchange_gateway.cpp
void add_exchange_log_commands(CLI::App& exchange, int& rc);      // cmd_exchange_log.cpp
void add_exchange_demo_commands(CLI::App& exchange, int& rc);     // cmd_exchange_demo.cpp

}  // namespace idara::app
