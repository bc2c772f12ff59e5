// concord-ledger-agent: the petition ledger and its deadline clock
// (agents/ledger/agent.h).
//
//   concord-ledger-agent --config ledger.toml [--ready-file FILE]
#include "agents/ledger/agent.h"

int main(int argc, char** argv) {
  return concord::agent::Run(
      argc, argv,
      {.name = "ledger",
       .title = "concord-ledger-agent: 信访台账与期限监督 / petition ledger and deadline clock",
       .create = concord::ledger::CreateAgent});
}
