// ReceptionConnector ("reception"): the chief procurator's reception days
// (检察长接待日) and the three zeros' incidents (三零), sent to the ledger
// agent ([petitions] ledger = principal), like the petition connector.
//
//   POST /reception/slots     {"slot_id", "host", "starts": "YYYY-MM-DD HH:MM", "ends", "place",
//                              "capacity", "cancelled"}                       (host agency)
//   POST /reception/bookings  {"booking_id", "slot_id", "slot_agency" (when two hosts use the id),
//                              "petitioner", "contact", "matter", "case_ref", "people",
//                              "ledger_no", "cancel"}                (petition office, host)
//   POST /reception/outcomes  {"booking_id", "booked_by", "outcome": "attended"|"no_show",
//                              "note", "register": true, "matter"}          (host agency)
//   POST /incidents           {"incident_id", "kind": complaint|irregular_petition|safety_incident
//                              (or 投诉/赴省进京非正常上访/安全事故), "occurred",
//                              "ledger_no", "note"}
//        each -> 202 {"id"}; the ledger's answer: GET /ledger/requests?id=ID ->
//        {"status": "sent"|"done"|"refused", "ledger_no", "reason"}
//   GET  /reception/slots     -> the slots as the ledger last shared them, with the people booked,
//                                and each host's reception days this year (held, planned)
//
// Bad input is refused here with 400 and the reasons; what the rules forbid
// (a full slot, a cancelled booking, an outcome before the reception) is
// refused by the ledger with its reason. Each request is written with its
// outbox entry in one transaction.
#pragma once

#include "adapters/connector.h"

namespace concord::adapter {

class ReceptionConnector final : public Connector {
 public:
  static constexpr std::string_view kKind = "reception";
  static absl::StatusOr<std::unique_ptr<Connector>> Create(const ConnectorContext& context);

  std::string_view kind() const override { return kKind; }
  absl::Status Start() override;
  void Stop() override {}

 private:
  explicit ReceptionConnector(const ConnectorContext& context) : ctx_(context) {}
  HttpResponse PostSlot(const HttpRequest& request);
  HttpResponse PostBooking(const HttpRequest& request);
  HttpResponse PostOutcome(const HttpRequest& request);
  HttpResponse PostIncident(const HttpRequest& request);
  HttpResponse GetSlots(const HttpRequest& request);
  HttpResponse GetRequest(const HttpRequest& request);
  // Sends `payload` to the ledger with its request row, in one transaction.
  HttpResponse Send(const std::string& kind, const std::string& ref_id,
                    const google::protobuf::Message& payload, const std::string& request_json);
  absl::Status OnDelivery(const concord::v1::Envelope& envelope, sql::Db& db);

  ConnectorContext ctx_;
};

}  // namespace concord::adapter
