// concord-aid-agent: the shared judicial-aid registry and the pre-grant
// duplicate check (agents/aid/agent.h).
//
//   concord-aid-agent --config aid.toml [--ready-file FILE]
#include "agents/aid/agent.h"

int main(int argc, char** argv) {
  return concord::agent::Run(
      argc, argv,
      {.name = "aid",
       .title = "concord-aid-agent: 司法救助登记与查重 / judicial aid registry and duplicate check",
       .create = concord::aid::CreateAgent});
}
