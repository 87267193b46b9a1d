// `dpn`: the command-line front end. Each subcommand lives in its own cmd_*.cpp and registers itself.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>

#include "command.h"
#include "util/error.h"

namespace dpn::cli {
std::vector<Command>& command_registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace dpn::cli

static void print_help() {
  auto cmds = dpn::cli::command_registry();
  std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::cout << "dpn - DPN Studio command line (version " DPN_VERSION ")\n\nUsage: dpn COMMAND [options]\n\nCommands:\n";
  for (const auto& c : cmds) std::printf("  %-10s %s\n", c.name.c_str(), c.summary.c_str());
  std::cout << "\nRun `dpn COMMAND --help` for the options of one command.\n";
}

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" || std::string(argv[1]) == "help") {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  if (std::string(argv[1]) == "--version") {
    std::cout << "dpn " DPN_VERSION "\n";
    return 0;
  }
  const std::string name = argv[1];
  for (const auto& c : dpn::cli::command_registry()) {
    if (c.name != name) continue;
    try {
      dpn::cli::Args args(argc, argv, 2);
      if (args.wants_help()) {
        std::cout << c.usage << "\n";
        return 0;
      }
      return c.run(args);
    } catch (const dpn::cli::UsageError& e) {
      std::cerr << "dpn " << name << ": " << e.what() << " (see `dpn " << name << " --help`)\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "dpn " << name << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "dpn: unknown command '" << name << "' (see `dpn --help`)\n";
  return 2;
}
