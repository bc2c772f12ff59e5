// A self-signed TLS certificate for an agency's web console, made by
// `concordctl agency init` when the agency has none from its own CA yet:
// an ECDSA P-256 key, valid 825 days, for the console's host names and
// addresses (and localhost, 127.0.0.1). Browsers warn until the agency
// replaces it with one its CA signed ([console] cert and key).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace concord::ctl {

// Writes `key_path` (0600, or 0640 to the daemons' group in their keys
// folder) and `cert_path`. `hosts` are the console's Host values
// ("10.1.2.3:8443", "concord.court.local"): each name or address becomes a
// subjectAltName, the first the subject's CN. `organisation` (UTF-8) is the
// subject's O. Refuses (AlreadyExists) to replace either file.
absl::Status MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                       const std::vector<std::string>& hosts,
                                       const std::string& organisation);

}  // namespace concord::ctl
