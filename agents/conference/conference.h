// Joint conferences (联席会议) on major and group cases and their one signed
// work plan (化解方案, 一案一策): the state the conference agent owns, on its
// SQLite file (DOMAIN.md, "Joint work on major and group cases").
//
// - Convene(): the convenor (the procuratorate or the political-legal
//   committee; the agent checks who may) invites agencies and sets the
//   deadline for their inputs. Numbered "会-YYYY-NNN".
// - SubmitInput(): each invited agency's assessment and proposed measures
//   (释法说理, 公开听证, 心理疏导, 司法救助 ...); again replaces its earlier one.
// - ProposePlan(): the convenor merges them into one plan: summary, core
//   demand, risk level, lead leader, closing criteria, follow-up visits, and
//   tasks (responsible agency and person, measure, due date). Each proposal
//   is a new version; every invited agency signs the latest version or asks
//   for changes, which the convenor answers with a new version that all must
//   sign again. The plan is final when every invited agency signed the latest.
// - Tasks of the final plan are then carried out (UpdateTask) to the end.
//
// Every refusal names the rule (Chinese / English); every call is one
// savepoint, so a refused one leaves no trace.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql.h"
#include "domain/conference_terms.h"

namespace concord::conference {

struct Measure {
  std::string measure;  // a Measures() id
  std::string detail;
};

struct Input {
  std::string agency, assessment;
  std::vector<Measure> measures;
  int64_t at_ms = 0;
};

struct Task {
  std::string task_id;  // unique in the plan ("T1" ...)
  std::string agency, person, measure, detail;
  int64_t due_ms = 0;
  // Carrying it out (the final plan's tasks only):
  std::string status = "open";  // open | done
  std::string last_note;
  int64_t done_ms = 0;
};

struct Plan {
  int version = 0;
  std::string summary, core_demand, risk_level, lead_leader, closing_criteria;
  std::vector<int64_t> follow_ups_ms;  // 回访 dates
  std::vector<Task> tasks;
  int64_t at_ms = 0;
};

// The person who acted at an agency's console (Envelope.actor); empty when
// the agency's own system sent the request.
struct Person {
  std::string login, name, role;  // role: 院/局领导 ...
  bool empty() const { return login.empty() && name.empty(); }
};

struct Signature {
  std::string agency;
  int version = 0;
  bool approved = false;  // false: changes requested
  std::string note;       // the changes asked for, or a remark
  int64_t at_ms = 0;
  Person signer = {};  // who signed for the agency
};

struct Conference {
  std::string id, case_key, title, convenor;
  std::vector<std::string> case_refs;  // the case's other numbers (the criminal case ...)
  std::vector<std::string> invited;
  int64_t inputs_due_ms = 0, convened_ms = 0;
  std::string status;  // collecting | signing | final | closed
  std::vector<Input> inputs;
  std::vector<Plan> plans;            // every version, oldest first
  std::vector<Signature> signatures;  // every decision, oldest first
  // Who has signed the latest version, and who has not yet.
  std::vector<std::string> signed_latest, pending_latest;
  std::string outcome;  // closing: the recorded outcome (息诉罢访 ...)
};

// Public hearings (公开听证, 人民检察院审查案件听证工作规定 2020, DOMAIN.md):
// notice at least 3 days before; chaired by the handling procurator; hearing
// members from outside (NPC deputies, CPPCC members, people's supervisors,
// lawyers, experts); then attendance, opinions and the outcome on record.
inline constexpr int kHearingNoticeDays = 3;
struct Participant {
  // petitioner | relative | lawyer | npc_deputy | cppcc_member | people_supervisor | expert | other
  std::string role;
  std::string name;
  bool attended = false;
  std::string opinion;
  // The invited agency that provides this participant (and names them later).
  std::string arranged_by = {};
};
struct Hearing {
  std::string hearing_id, conference_id, chair, place;
  int64_t starts_ms = 0;
  std::vector<Participant> participants;
  std::string outcome;  // empty until recorded
  int64_t recorded_ms = 0;
  std::string host = {};  // the agency that scheduled it (Hearings() fills it)
};

class Conferences {
 public:
  // The book's migrations (component "conference") on SQLite and on PostgreSQL.
  static const std::vector<std::string>& Schema();
  static const std::vector<std::string>& PostgresqlSchema();
  static absl::StatusOr<std::unique_ptr<Conferences>> Open(sql::Db& db);

  // The conference number. `request_id` makes it idempotent per convenor;
  // `created` says whether this call made it (invitations go out once).
  absl::StatusOr<std::string> Convene(const std::string& convenor, const std::string& request_id,
                                      const std::string& case_key, const std::string& title,
                                      std::vector<std::string> invited, int64_t inputs_due_ms,
                                      int64_t now_ms, bool* created = nullptr);
  // Adds the case's other numbers (the convenor; case_key and known ones are
  // skipped); true when any was new (the invitations go out again).
  absl::StatusOr<bool> AddCaseRefs(const std::string& id, const std::string& by,
                                   const std::vector<std::string>& refs);
  absl::Status SubmitInput(const std::string& id, const Input& input, int64_t now_ms);
  // The new version number; a plan identical to the latest version (a
  // re-sent request) is that version again (`created` false), not a new one.
  absl::StatusOr<int> ProposePlan(const std::string& id, const std::string& by, Plan plan,
                                  int64_t now_ms, bool* created = nullptr);
  // Sign and UpdateTask return the conference as it is after the call (no
  // second read). `signer`: the person who signed for `agency`, kept with it.
  absl::StatusOr<Conference> Sign(const std::string& id, const std::string& agency, int version,
                                  bool approve, const std::string& note, int64_t now_ms,
                                  const Person& signer = {});
  absl::StatusOr<Conference> UpdateTask(const std::string& id, const std::string& agency,
                                        const std::string& task_id, const std::string& note,
                                        bool done, int64_t now_ms);
  // Closing needs the final plan, every task done and the recorded outcome.
  absl::Status Close(const std::string& id, const std::string& by, const std::string& outcome,
                     int64_t now_ms);

  // Who hosts public hearings: the procuratorates (the hearing rules are the
  // procuratorate's). Empty: the convenor.
  void set_hearing_hosts(std::vector<std::string> hosts) { hearing_hosts_ = std::move(hosts); }

  // Schedules a hearing of the conference's case (a hearing host invited to
  // the conference; notice at least 3 days ahead; at least one outside
  // hearing member). Idempotent on the hearing id. Only the agency that
  // scheduled it records it.
  // `created`: false when the same hearing was scheduled before (no new notice);
  // another hearing under a used id is AlreadyExists.
  absl::Status ScheduleHearing(const std::string& by, const Hearing& hearing, int64_t now_ms,
                               bool* created = nullptr);
  // Records who came, their opinions (by name) and the outcome, once begun.
  absl::Status RecordHearing(const std::string& by, const std::string& hearing_id,
                             const std::vector<Participant>& attendance, const std::string& outcome,
                             int64_t now_ms);
  // The arranging agency names a participant it provides (the justice
  // bureau's lawyer); before the hearing is recorded. The conference id;
  // `created` false when that person was named before.
  absl::StatusOr<std::string> NameParticipant(const std::string& by, const std::string& hearing_id,
                                              const std::string& role, const std::string& name,
                                              bool* created = nullptr);
  absl::StatusOr<std::vector<Hearing>> Hearings(const std::string& conference_id);
  // The conference a hearing belongs to.
  absl::StatusOr<std::string> HearingConference(const std::string& hearing_id);

  absl::StatusOr<Conference> Get(const std::string& id);
  // The conferences `agency` takes part in (invited, or convened), newest
  // first, at most `limit`.
  absl::StatusOr<std::vector<Conference>> ForAgency(const std::string& agency, int limit);
  // Whether `by` may schedule a hearing of `c` (set_hearing_hosts).
  bool MayHostHearing(const Conference& c, const std::string& by) const;
  // The leader's view (领导包案, 检察长督办): every conference not closed whose
  // latest plan names `lead_leader`, with its tasks and due dates.
  absl::StatusOr<std::vector<Conference>> ForLeader(const std::string& lead_leader);

 private:
  explicit Conferences(sql::Db& db) : db_(db) {}
  static void CountSignatures(Conference& c);  // signed_latest, pending_latest
  sql::Db& db_;
  std::vector<std::string> hearing_hosts_;
};

}  // namespace concord::conference
