// concord-risk-agent: risk assessment, early warning and the monthly
// screening (agents/risk/agent.h).
//
//   concord-risk-agent --config risk.toml [--ready-file FILE]
#include "agents/risk/agent.h"

int main(int argc, char** argv) {
  return concord::agent::Run(
      argc, argv,
      {.name = "risk",
       .title = "concord-risk-agent: 风险评估预警与隐患月排查 / risk warning and monthly screening",
       .create = concord::risk::CreateAgent});
}
