// LedgerReads: the ledger's reads (LedgerQuery) for the agency's own tools
// (concordctl ledger --adapter), asked over the bus from this adapter, so
// that they work when the ledger agent runs on another machine: the hub's
// ACL decides, as for the console. On the adapter's loopback API:
//
//   POST /ledger/query        a LedgerQuery as JSON (proto field names, e.g.
//                             {"ledger_no": "信-2026-000123"} or
//                             {"agency": "...", "open_only": true, "by_due": true} or
//                             {"stats_months": ["2026-11"]}, the monthly report's figures)
//                             -> 202 {"id"}; 400 with the reason for bad JSON;
//                             503 when no ledger is configured ([petitions] ledger)
//   GET  /ledger/query?id=ID  -> {"status": "waiting"}
//                                | {"status": "done", "reply": LedgerQueryReply as JSON}
//                                | {"status": "failed", "reason": "中文 / English"};
//                                404 for an unknown id or one answered over 5 minutes ago
//
// The API server answers at once (it is synchronous), so the caller asks,
// then reads the answer: BusRequests waits for the reply (10 s).
//
// Ownership: borrows the router, the BusRequests and the clock, which must
// outlive it. Threading: the io thread only.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/adapter_config.h"
#include "adapters/bus_requests.h"
#include "common/clock.h"
#include "common/http_router.h"

namespace concord::adapter {

class LedgerReads {
 public:
  static absl::StatusOr<std::unique_ptr<LedgerReads>> Start(const AdapterConfig& config,
                                                            HttpRouter& router, BusRequests& bus,
                                                            const Clock& clock);

 private:
  LedgerReads(const AdapterConfig& config, BusRequests& bus, const Clock& clock)
      : config_(config), bus_(bus), clock_(clock) {}
  HttpResponse Ask(const HttpRequest& request);
  HttpResponse Answer(const HttpRequest& request);
  void Forget(int64_t now_ms);

  struct Asked {
    int64_t at_ms = 0;
    std::string status = "waiting";  // waiting | done | failed
    std::string reply_json, reason;
  };
  const AdapterConfig& config_;
  BusRequests& bus_;
  const Clock& clock_;
  std::map<std::string, Asked> asked_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace concord::adapter
