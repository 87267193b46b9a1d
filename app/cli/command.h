// Subcommands of the `dpn` CLI register themselves here; main.cpp only dispatches.
#pragma once
#include <string>
#include <vector>

#include "args.h"

namespace dpn::cli {

struct Command {
  std::string name;
  std::string summary;  // one line for `dpn --help`
  std::string usage;    // full usage text for `dpn NAME --help`
  int (*run)(Args& args);
};

std::vector<Command>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(Command c) { command_registry().push_back(std::move(c)); }
};

}  // namespace dpn::cli

#define DPN_CLI_COMMAND(ident, ...) static const ::dpn::cli::CommandRegistrar dpn_cli_reg_##ident{::dpn::cli::Command{__VA_ARGS__}}
