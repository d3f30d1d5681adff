#include "services/evaluation/commitments.h"

#include "services/auth/access.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/evaluation/evaluation_rules.h"
#include "storage/keys.h"

namespace branchline {

namespace {

absl::StatusOr<std::optional<v1::Commitment>> LoadCommitment(const storage::Store& store,
                                                             uint64_t id) {
  v1::Commitment c;
  ASSIGN_OR_RETURN(bool found,
                   store.GetMessage(storage::Cf::kEvaluations, storage::CommitmentKey(id), &c));
  if (!found) return std::nullopt;
  return c;
}

}  // namespace

absl::StatusOr<bool> ReadsPublishedBoard(const Access& access, const Caller& caller,
                                         const v1::Organization& org) {
  if (Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_EVALUATION_READ)) {
    return true;
  }
  if (caller.service_account) return false;
  // Staff of the organisation: their own organisation is it or lies below it.
  ASSIGN_OR_RETURN(auto own, access.LoadOrg(caller, caller.organization_id, "caller"));
  return Access::InSubtree(own, org.id());
}

absl::StatusOr<v1::Commitment> Commitments::Record(const Caller& caller,
                                                   const v1::RecordCommitmentRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::Commitment>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "RecordCommitment"}, request,
      now, [&](Mutation& m) -> absl::StatusOr<v1::Commitment> {
        const auto& draft = request.commitment();
        const auto period = TrimAscii(draft.period_label());
        const auto text = TrimAscii(draft.text());
        const auto post = TrimAscii(draft.post());
        RETURN_IF_ERROR(CheckText("commitment.period_label", period, 1, 40));
        RETURN_IF_ERROR(CheckText("commitment.text", text, 1, 500, /*multiline=*/true));
        RETURN_IF_ERROR(CheckText("commitment.post", post, 0, 100));
        if (caller.service_account || !Access::IsPartyMember(caller.role)) {
          return Denied("recording commitments (party members make them)");
        }
        ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, caller.organization_id, "caller"));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        v1::Commitment c;
        c.set_id(id);
        c.set_person_id(caller.person_id);
        c.set_organization_id(org.id());
        c.set_period_label(std::string(period));
        c.set_text(std::string(text));
        c.set_post(std::string(post));
        *c.mutable_create_time() = ToTimestamp(now);
        auto& w = m.writes();
        w.PutMessage(storage::Cf::kEvaluations, storage::CommitmentKey(id), c);
        w.Put(storage::Cf::kIndex, storage::CommitmentByPersonKey(caller.person_id, id), "");
        w.Put(storage::Cf::kIndex, storage::CommitmentBySubtreeKey(org.id(), id), "");
        for (uint64_t a : org.ancestor_ids()) {
          w.Put(storage::Cf::kIndex, storage::CommitmentBySubtreeKey(a, id), "");
        }
        RecordChange(w, "commitment", id, org.id(), "recorded");
        return c;
      });
}

absl::StatusOr<v1::Commitment> Commitments::Report(
    const Caller& caller, const v1::ReportCommitmentProgressRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::Commitment>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "ReportCommitmentProgress"},
      request, now, [&](Mutation& m) -> absl::StatusOr<v1::Commitment> {
        if (request.commitment_id() == 0) return InvalidField("commitment_id", "is required");
        const auto text = TrimAscii(request.text());
        RETURN_IF_ERROR(CheckText("text", text, 1, 500, /*multiline=*/true));
        const std::string key = storage::CommitmentKey(request.commitment_id());
        m.Lock({key});
        std::optional<v1::Commitment> found;
        if (Access::SameTenant(caller, request.commitment_id())) {
          ASSIGN_OR_RETURN(found, LoadCommitment(store_, request.commitment_id()));
        }
        if (!found) {
          return FieldError(
              absl::StatusCode::kNotFound, "commitment_id",
              "commitment " + std::to_string(request.commitment_id()) + " does not exist");
        }
        if (caller.service_account || found->person_id() != caller.person_id) {
          return Denied("reporting on another person's commitment");
        }
        if (found->progress_size() >= kMaxProgressReports) {
          return FieldError(
              absl::StatusCode::kResourceExhausted, "commitment_id",
              "has " + std::to_string(kMaxProgressReports) + " progress reports already");
        }
        auto* p = found->add_progress();
        p->set_text(std::string(text));
        *p->mutable_report_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kEvaluations, key, *found);
        RecordChange(m.writes(), "commitment", found->id(), found->organization_id(), "reported");
        return *std::move(found);
      });
}

absl::StatusOr<v1::ListCommitmentsResponse> Commitments::List(
    const Caller& caller, const v1::ListCommitmentsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  std::string prefix;
  if (request.mine()) {
    if (caller.service_account) return Denied("a service account makes no commitments");
    prefix = storage::CommitmentByPersonPrefix(caller.person_id);
  } else {
    if (request.organization_id() == 0) {
      return InvalidField("organization_id", "is required unless mine is set");
    }
    ASSIGN_OR_RETURN(auto org,
                     access_.LoadOrg(caller, request.organization_id(), "organization_id"));
    ASSIGN_OR_RETURN(bool reads, ReadsPublishedBoard(access_, caller, org));
    if (!reads) {
      return Denied("reading the commitments of organization " + std::to_string(org.id()));
    }
    prefix = storage::CommitmentBySubtreePrefix(org.id());
  }
  const auto period = TrimAscii(request.period_label());
  v1::ListCommitmentsResponse response;
  ASSIGN_OR_RETURN(*response.mutable_next_page_token(),
                   ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
                            [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                              ASSIGN_OR_RETURN(
                                  auto c, LoadCommitment(store_, storage::InvertedTrailingId(key)));
                              if (!c || (!period.empty() && c->period_label() != period)) {
                                return false;
                              }
                              *response.add_commitments() = *std::move(c);
                              return true;
                            }));
  return response;
}

}  // namespace branchline
