// concordctl: the operator's command line for a Concord district. Each
// command group lives in its own *_commands.cc (usage at the top of each);
// `concordctl --help` and `concordctl <command> --help` list them.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "common/api_token.h"
#include "common/daemon.h"
#include "common/log.h"
#include "tools/concordctl/commands.h"
#include "tools/concordctl/ctl_util.h"

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
  app.set_version_flag("--version", concord::VersionLine("concordctl"),
                       "打印版本 / print the version");
  app.require_subcommand(1);
  concord::InitLogging("concordctl");
  spdlog::set_level(spdlog::level::warn);
  app.fallthrough();  // --token-file also after the command
  std::string token_file;
  app.add_option("--token-file", token_file,
                 "API 令牌文件 / the API token of the daemon asked (the adapter's or agent's "
                 "[http] token_file, the hub's http_token_file); default $CONCORD_API_TOKEN_FILE");
  Commands commands;
  for (auto add : {AddHubCommands, AddKeysCommands, AddEnrolCommands, AddAuditCommands,
                   AddLedgerCommands, AddPetitionCommands, AddRiskCommands, AddConferenceCommands,
                   AddAidCommands, AddAccountCommands, AddBackupCommands, AddStoreCommands})
    add(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is 0; a usage error is 2 for every command (commands.h), not CLI11's own code.
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (token_file.empty())
    if (const char* env = std::getenv("CONCORD_API_TOKEN_FILE")) token_file = env;
  if (!token_file.empty()) {
    auto token = concord::ReadApiToken(token_file);
    if (!token.ok()) return Fail(2, std::string(token.status().message()));
    SetApiToken(*token);
  }
  return commands.Run();
}
