// concordctl's command groups. Each group adds its subcommands to the app
// and tells `commands` what runs when one of them is chosen; main.cc only
// lists the groups. Every group's file opens with its usage.
//
// Exit codes, for every command: 0 success; 1 the check failed or the
// daemon refused (an audit chain broken, a petition refused); 2 usage or
// input error (nothing was done); 3 the hub, adapter or agent could not be
// reached or answered with an error.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace concord::ctl {

class Commands {
 public:
  // When `subcommand` (a leaf of the command tree) is given, `run` runs and
  // its result is the exit code.
  void On(CLI::App* subcommand, std::function<int()> run) {
    actions_.emplace_back(subcommand, std::move(run));
  }
  // The chosen subcommand's exit code (2 when none was chosen).
  int Run() const;

 private:
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions_;
};

void AddHubCommands(CLI::App& app, Commands& commands);       // status, send, tail, deadletters
void AddKeysCommands(CLI::App& app, Commands& commands);      // keys gen | add | revoke | rotate
void AddEnrolCommands(CLI::App& app, Commands& commands);     // district init, agency init | rotate
void AddAuditCommands(CLI::App& app, Commands& commands);     // audit verify | show
void AddLedgerCommands(CLI::App& app, Commands& commands);    // ledger [--item | --report]
void AddPetitionCommands(CLI::App& app, Commands& commands);  // petition register | status
void AddRiskCommands(CLI::App& app, Commands& commands);      // risk [--screening]
void AddConferenceCommands(CLI::App& app, Commands& commands);  // conference --id | --leader
void AddAidCommands(CLI::App& app, Commands& commands);         // aid keygen | dedup
void AddAccountCommands(CLI::App& app, Commands& commands);     // account add | list | disable ...
void AddBackupCommands(CLI::App& app, Commands& commands);      // backup, restore
void AddStoreCommands(CLI::App& app, Commands& commands);       // store copy

}  // namespace concord::ctl
