// BusReads: the agents' reads for the agency's own tools (concordctl ...
// --adapter), asked over the bus from this adapter, so that they work when
// the agents run on another machine: the hub's ACL decides, as for the
// console. On the adapter's loopback API, one pair of routes per agent:
//
//   /ledger/query      LedgerQuery -> LedgerQueryReply ([petitions] ledger),
//                      e.g. {"ledger_no": "信-2026-000123"} or
//                      {"agency": "...", "open_only": true, "by_due": true} or
//                      {"stats_months": ["2026-11"]}, the monthly report's figures
//   /risk/query        RiskQuery -> RiskQueryReply ([console] risk), e.g.
//                      {"view": "open"} or {"view": "screening", "month": "2026-11"}
//   /conference/query  ConferenceQuery -> ConferenceQueryReply ([console]
//                      conference), e.g. {"conference_id": "会-2026-001"}
//
//   POST <path>        the query as JSON (proto field names) -> 202 {"id"};
//                      400 with the reason for bad JSON; 503 when that agent
//                      is not configured
//   GET  <path>?id=ID  -> {"status": "waiting"}
//                         | {"status": "done", "reply": the reply as JSON}
//                         | {"status": "failed", "reason": "中文 / English"};
//                      404 for an unknown id or one answered over 5 minutes ago
//
// The API server answers at once (it is synchronous), so the caller asks,
// then reads the answer: BusRequests waits for the reply (10 s).
//
// Ownership: borrows the router, the BusRequests and the clock, which must
// outlive it. Threading: the io thread only.
#pragma once

#include <google/protobuf/message.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/adapter_config.h"
#include "adapters/bus_requests.h"
#include "common/clock.h"
#include "common/http_router.h"

namespace concord::adapter {

class BusReads {
 public:
  static absl::StatusOr<std::unique_ptr<BusReads>> Start(const AdapterConfig& config,
                                                         HttpRouter& router, BusRequests& bus,
                                                         const Clock& clock);

  // One agent's reads: where they are mounted, whom they ask, the query and
  // reply types, the agent's name for the messages.
  struct Read {
    std::string path;                        // "/ledger/query"
    std::string agent;                       // its principal; empty: not configured here (503)
    std::string config_key;                  // where it is configured, for that 503
    const google::protobuf::Message* query;  // prototypes (default instances)
    const google::protobuf::Message* reply;
    std::string agent_zh, agent_en;  // 台账代理, the ledger agent
  };

 private:
  BusReads(BusRequests& bus, const Clock& clock) : bus_(bus), clock_(clock) {}
  HttpResponse Ask(const Read& read, const HttpRequest& request);
  HttpResponse Answer(const HttpRequest& request);
  void Forget(int64_t now_ms);

  struct Asked {
    int64_t at_ms = 0;
    std::string status = "waiting";  // waiting | done | failed
    std::string reply_json, reason;
  };
  BusRequests& bus_;
  const Clock& clock_;
  std::vector<std::unique_ptr<Read>> reads_;
  std::map<std::string, Asked> asked_;  // by id, whichever agent was asked
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace concord::adapter
