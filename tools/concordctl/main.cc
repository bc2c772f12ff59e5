// concordctl: the operator's command line for a Concord district. Each
// command group lives in its own *_commands.cc (usage at the top of each);
// `concordctl --help` and `concordctl <command> --help` list them.
#include <CLI/CLI.hpp>

#include "common/log.h"
#include "tools/concordctl/commands.h"

namespace concord::ctl {

int Commands::Run() const {
  for (const auto& [subcommand, run] : actions_)
    if (subcommand->parsed()) return run();
  return 2;
}

}  // namespace concord::ctl

int main(int argc, char** argv) {
  using namespace concord::ctl;
  CLI::App app{"concordctl: 政法协同枢纽运维工具 / Concord operator tool"};
  app.require_subcommand(1);
  concord::InitLogging("concordctl");
  spdlog::set_level(spdlog::level::warn);
  Commands commands;
  for (auto add : {AddHubCommands, AddKeysCommands, AddAuditCommands, AddLedgerCommands,
                   AddPetitionCommands, AddRiskCommands, AddConferenceCommands, AddAidCommands})
    add(app, commands);
  CLI11_PARSE(app, argc, argv);
  return commands.Run();
}
