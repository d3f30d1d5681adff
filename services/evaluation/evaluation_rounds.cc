#include "services/evaluation/evaluation_rounds.h"

#include <set>
#include <vector>

#include "services/auth/access.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/evaluation/ballot_keys.h"
#include "services/evaluation/evaluation_rules.h"
#include "storage/keys.h"

namespace branchline {

namespace {

bool IsPartyMember(const v1::Person& p) { return Access::IsPartyMember(p.role()); }

// The round without what is output only, so a client may send back a round it read.
v1::EvaluationRound Draft(const v1::CreateRoundRequest& request) {
  v1::EvaluationRound round = request.round();
  round.clear_id();
  round.clear_subject_ids();
  round.clear_closed_time();
  round.clear_created_by();
  round.clear_ballot_public_key();
  round.clear_template_kind();
  round.set_title(std::string(TrimAscii(round.title())));
  round.set_period_label(std::string(TrimAscii(round.period_label())));
  for (auto& band : *round.mutable_grade_bands()) {
    band.set_name(std::string(TrimAscii(band.name())));
  }
  return round;
}

}  // namespace

absl::StatusOr<internal::v1::EvaluationRoundRecord> EvaluationRounds::LoadRecord(
    uint64_t id, std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  internal::v1::EvaluationRoundRecord record;
  ASSIGN_OR_RETURN(bool found,
                   store_.GetMessage(storage::Cf::kEvaluations, storage::RecordKey(id), &record));
  if (!found) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      "round " + std::to_string(id) + " does not exist");
  }
  return record;
}

absl::StatusOr<internal::v1::EvaluationRoundRecord> EvaluationRounds::LoadFor(
    const Caller& caller, uint64_t id, std::string_view field) const {
  if (id != 0 && !Access::SameTenant(caller, id)) {
    return FieldError(absl::StatusCode::kNotFound, field,
                      "round " + std::to_string(id) + " does not exist");
  }
  return LoadRecord(id, field);
}

absl::StatusOr<bool> EvaluationRounds::HasEntry(uint64_t round, char tag, uint64_t id) const {
  if (id == 0) return false;
  ASSIGN_OR_RETURN(auto value, store_.Get(storage::Cf::kEvaluations,
                                          storage::EvaluationEntryKey(round, tag, id)));
  return value.has_value();
}

absl::StatusOr<bool> EvaluationRounds::ManagesRound(const Caller& caller,
                                                    const v1::EvaluationRound& round) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, round.organization_id(), "round_id"));
  return Access::Manages(caller, org);
}

absl::StatusOr<bool> EvaluationRounds::ReadsAllResults(const Caller& caller,
                                                       const v1::EvaluationRound& round) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, round.organization_id(), "round_id"));
  return Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_EVALUATION_READ);
}

absl::Status EvaluationRounds::CheckSubject(const v1::EvaluationRound& round,
                                            uint64_t subject) const {
  if (subject == 0) return InvalidField("subject_id", "is required");
  ASSIGN_OR_RETURN(bool found, HasEntry(round.id(), 'j', subject));
  if (!found) return InvalidField("subject_id", "is not a subject of the round");
  return absl::OkStatus();
}

absl::StatusOr<v1::EvaluationRound> EvaluationRounds::Create(
    const Caller& caller, const v1::CreateRoundRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::EvaluationRound>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateRound"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::EvaluationRound> {
        v1::EvaluationRound round = Draft(request);
        RETURN_IF_ERROR(evaluation::ApplyTemplate(request.template_kind(), now, round));
        RETURN_IF_ERROR(evaluation::CheckRound(round, now));
        if (round.organization_id() == 0) {
          return InvalidField("round.organization_id", "is required");
        }
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, round.organization_id(), "round.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "creating evaluation rounds"));

        // Subjects and raters as the subtree is now (sorted, no repeats).
        std::set<uint64_t> subjects, raters;
        const bool member_subjects = round.subject_kind() == v1::EVALUATION_SUBJECT_KIND_MEMBERS;
        if (!member_subjects) subjects.insert(org.id());
        const auto kind = round.rater_kind();
        RETURN_IF_ERROR(people_.ForEachInSubtree(org.id(), [&](const v1::Person& p) {
          if (!OnRosters(p)) return true;
          if (member_subjects && IsPartyMember(p)) subjects.insert(p.id());
          if (kind == v1::EVALUATION_RATER_KIND_ALL_STAFF ||
              (kind == v1::EVALUATION_RATER_KIND_MEMBERS && IsPartyMember(p))) {
            raters.insert(p.id());
          }
          return true;
        }));
        for (uint64_t id : round.rater_person_ids()) {
          ASSIGN_OR_RETURN(auto person, people_.Load(caller, id, "round.rater_person_ids"));
          ASSIGN_OR_RETURN(auto person_org, access_.LoadOrg(caller, person.organization_id(),
                                                            "round.rater_person_ids"));
          if (!Access::InSubtree(person_org, org.id()) || !OnRosters(person)) {
            return InvalidField("round.rater_person_ids",
                                "person " + std::to_string(id) +
                                    " is not an active person of the organisation's subtree");
          }
          raters.insert(id);
        }
        if (subjects.empty()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kNoSubjects,
                                  "round.subject_kind",
                                  "the organisation's subtree has no party members");
        }
        if (evaluation::HasPhase(round, v1::EVALUATION_PHASE_RATERS) && raters.empty()) {
          return DescribedRefusal(absl::StatusCode::kFailedPrecondition, reasons::kNoSubjects,
                                  "round.rater_kind",
                                  "the organisation's subtree has no such raters");
        }

        internal::v1::EvaluationRoundRecord record;
        if (round.anonymous()) {
          ASSIGN_OR_RETURN(auto key, evaluation::NewBallotKey());
          round.set_ballot_public_key(key.public_der);
          record.set_ballot_private_key(key.private_der);
        }
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        round.set_id(id);
        round.set_created_by(caller.person_id);
        for (uint64_t s : subjects) round.add_subject_ids(s);
        *record.mutable_round() = round;
        record.set_eligible_raters(static_cast<int32_t>(raters.size()));
        record.set_utc_offset_minutes(org.utc_offset_minutes());

        auto& w = m.writes();
        w.PutMessage(storage::Cf::kEvaluations, storage::RecordKey(id), record);
        w.Put(storage::Cf::kIndex, storage::EvaluationRoundBySubtreeKey(org.id(), id), "");
        for (uint64_t a : org.ancestor_ids()) {
          w.Put(storage::Cf::kIndex, storage::EvaluationRoundBySubtreeKey(a, id), "");
        }
        std::set<uint64_t> people = raters;  // told of the round: its raters and subjects
        for (uint64_t s : subjects) {
          w.Put(storage::Cf::kEvaluations, storage::EvaluationEntryKey(id, 'j', s), "");
          if (member_subjects) people.insert(s);
        }
        for (uint64_t r : raters) {
          w.Put(storage::Cf::kEvaluations, storage::EvaluationEntryKey(id, 'r', r), "");
        }
        for (uint64_t p : people) {
          w.Put(storage::Cf::kIndex, storage::EvaluationRoundByPersonKey(p, id), "");
        }
        // Addressed to those people only: nobody else may read the round. A round that opens
        // later is in their feed again when it opens (within a publication pass of it), so a
        // phone that filed it away as "not yet open" shows it then.
        const std::vector<uint64_t> told(people.begin(), people.end());
        RecordChange(w, "evaluation_round", id, org.id(), "created", told);
        if (ToMicros(round.open_time()) > now) {
          RecordChangeLater(w, "evaluation_round", id, org.id(), "opened",
                            ToMicros(round.open_time()), told);
        }
        return round;
      });
}

absl::StatusOr<v1::EvaluationRound> EvaluationRounds::Get(
    const Caller& caller, const v1::GetRoundRequest& request) const {
  ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.id(), "id"));
  const auto& round = record.round();
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, round.organization_id(), "id"));
  if (Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_EVALUATION_READ)) {
    return round;
  }
  if (!caller.service_account) {
    ASSIGN_OR_RETURN(bool rater, HasEntry(round.id(), 'r', caller.person_id));
    ASSIGN_OR_RETURN(bool subject, HasEntry(round.id(), 'j', caller.person_id));
    if (rater || subject) return round;
  }
  return Denied("reading evaluation round " + std::to_string(round.id()));
}

absl::StatusOr<v1::ListRoundsResponse> EvaluationRounds::List(
    const Caller& caller, const v1::ListRoundsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  std::string prefix;
  if (request.mine()) {
    if (caller.service_account) return Denied("a service account neither rates nor is rated");
    prefix = storage::EvaluationRoundByPersonPrefix(caller.person_id);
  } else {
    if (request.organization_id() == 0) {
      return InvalidField("organization_id", "is required unless mine is set");
    }
    ASSIGN_OR_RETURN(auto org,
                     access_.LoadOrg(caller, request.organization_id(), "organization_id"));
    if (!Access::Manages(caller, org) &&
        !Access::ServiceMay(caller, org, v1::SCOPE_EVALUATION_READ)) {
      return Denied("listing the evaluation rounds of organization " + std::to_string(org.id()));
    }
    prefix = storage::EvaluationRoundBySubtreePrefix(org.id());
  }
  v1::ListRoundsResponse response;
  ASSIGN_OR_RETURN(*response.mutable_next_page_token(),
                   ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
                            [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                              const uint64_t id = storage::InvertedTrailingId(key);
                              internal::v1::EvaluationRoundRecord record;
                              ASSIGN_OR_RETURN(bool found,
                                               store_.GetMessage(storage::Cf::kEvaluations,
                                                                 storage::RecordKey(id), &record));
                              if (!found) return false;
                              *response.add_rounds() = record.round();
                              return true;
                            }));
  return response;
}

absl::StatusOr<v1::EvaluationRound> EvaluationRounds::Close(const Caller& caller,
                                                            const v1::CloseRoundRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::EvaluationRound>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CloseRound"}, request, now,
      [&](Mutation& m) -> absl::StatusOr<v1::EvaluationRound> {
        if (request.id() == 0) return InvalidField("id", "is required");
        const std::string key = storage::RecordKey(request.id());
        m.Lock({key});
        ASSIGN_OR_RETURN(auto record, LoadFor(caller, request.id(), "id"));
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, record.round().organization_id(), "id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "closing evaluation rounds"));
        if (evaluation::IsClosed(record.round(), now)) return record.round();
        *record.mutable_round()->mutable_closed_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kEvaluations, key, record);
        // The subjects may read their results now.
        const auto& subjects = record.round().subject_ids();
        RecordChange(m.writes(), "evaluation_round", record.round().id(), org.id(), "closed",
                     record.round().subject_kind() == v1::EVALUATION_SUBJECT_KIND_MEMBERS
                         ? std::vector<uint64_t>(subjects.begin(), subjects.end())
                         : std::vector<uint64_t>{});
        return record.round();
      });
}

}  // namespace branchline
