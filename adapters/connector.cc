#include "adapters/connector.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/aid_connector.h"
#include "adapters/petition_connector.h"
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

void RegisterAllConnectors(ConnectorRegistry& registry) {
  (void)registry.Register(std::string(RestConnector::kKind), &RestConnector::Create);
  (void)registry.Register(std::string(AidConnector::kKind), &AidConnector::Create);
  (void)registry.Register(std::string(PetitionConnector::kKind), &PetitionConnector::Create);
}

}  // namespace concord::adapter
