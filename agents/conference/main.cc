// concord-conference-agent: joint conferences and their one signed work plan
// (agents/conference/agent.h).
//
//   concord-conference-agent --config conference.toml [--ready-file FILE]
#include "agents/conference/agent.h"

int main(int argc, char** argv) {
  return concord::agent::Run(
      argc, argv,
      {.name = "conference",
       .title = "concord-conference-agent: 联席会议与化解方案 / joint conferences and work plans",
       .create = concord::conference::CreateAgent});
}
