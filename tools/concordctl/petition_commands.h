// `concordctl petition ...`: petition intake through an agency's adapter
// (its POST /petitions, POST /petitions/query and GET /petitions,
// adapters/petition_connector.h).
//
//   concordctl petition register --adapter 127.0.0.1:7206 --csv FILE
//   concordctl petition register --adapter ... --intake-id ID --channel 来信 --matter M
//       [--received "YYYY-MM-DD HH:MM"] [--petitioner P] [--contact C] [--anonymous]
//       [--case-ref R] [--people N]
//   concordctl petition status --adapter ... [--intake-id ID]
//
// A CSV is checked here first with the adapter's own rules
// (adapters/petition_intake.h): any bad row is printed as FILE:LINE: reason
// and nothing is sent (exit 2). Then the rows are posted in one request and,
// for up to --wait seconds, the ledger's answers are awaited (every id sent
// is followed, however many) and printed (intake id, status, ledger number
// 台账号, reason).
//
// Exit codes: 0 registered (or still registering when the wait ran out), 1 the
// ledger refused one, 2 bad input (nothing sent), 3 the adapter could not be
// reached or failed.
#pragma once

#include <string>

namespace concord::ctl {

struct PetitionRegisterArgs {
  std::string adapter = "127.0.0.1:7206";  // the adapter's HTTP host:port
  std::string csv;                         // a petition CSV, or the fields below
  std::string intake_id, channel, matter, received, petitioner, contact, case_ref;
  bool anonymous = false;
  int people = 1;
  int wait_s = 10;  // how long to wait for the ledger numbers
};
int CmdPetitionRegister(const PetitionRegisterArgs& a);

// One petition (intake_id) or the adapter's latest 1000.
int CmdPetitionStatus(const std::string& adapter, const std::string& intake_id);

}  // namespace concord::ctl
