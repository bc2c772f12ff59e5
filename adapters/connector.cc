#include "adapters/connector.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/aid_connector.h"
#include "adapters/petition_connector.h"
#include "adapters/reception_connector.h"
#include "adapters/rest_connector.h"

namespace concord::adapter {

absl::Status ConnectorRegistry::Register(const std::string& kind, ConnectorFactory factory) {
  if (!factories_.emplace(kind, std::move(factory)).second)
    return absl::AlreadyExistsError(
        absl::StrCat("连接器类型重复 / connector kind registered twice: ", kind));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Connector>> ConnectorRegistry::Create(
    const std::string& kind, const ConnectorContext& context) const {
  auto it = factories_.find(kind);
  if (it == factories_.end())
    return absl::NotFoundError(absl::StrCat("未知的连接器类型 / unknown connector kind: ", kind,
                                            " (known: ", absl::StrJoin(Kinds(), ", "), ")"));
  return it->second(context);
}

std::vector<std::string> ConnectorRegistry::Kinds() const {
  std::vector<std::string> kinds;
  for (const auto& [kind, factory] : factories_) kinds.push_back(kind);
  return kinds;
}

HttpResponse SendRecorded(client::Client& client, concord::v1::Envelope envelope,
                          const std::function<absl::Status(const std::string& id)>& record) {
  client.Stamp(envelope);
  const std::string id = envelope.id();
  {
    auto txn = sql::Txn::Begin(client.db());
    if (!txn.ok()) return StatusResponse(txn.status());
    if (auto st = record(id); !st.ok()) return StatusResponse(st);
    if (auto st = client.Stage(std::move(envelope)).status(); !st.ok()) return StatusResponse(st);
    if (auto st = txn->Commit(); !st.ok()) return StatusResponse(st);
  }
  client.Flush();
  return JsonResponse(202, {{"id", id}, {"status", "sent"}});
}

void RegisterAllConnectors(ConnectorRegistry& registry) {
  (void)registry.Register(std::string(RestConnector::kKind), &RestConnector::Create);
  (void)registry.Register(std::string(AidConnector::kKind), &AidConnector::Create);
  (void)registry.Register(std::string(PetitionConnector::kKind), &PetitionConnector::Create);
  (void)registry.Register(std::string(ReceptionConnector::kKind), &ReceptionConnector::Create);
}

}  // namespace concord::adapter
