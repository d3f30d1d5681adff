#include "services/evaluation/honours.h"

#include <set>

#include "branchline/internal/v1/evaluation_records.pb.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/evaluation/commitments.h"
#include "storage/keys.h"

namespace branchline {

absl::StatusOr<v1::Commendation> Honours::Create(const Caller& caller,
                                                 const v1::CreateCommendationRequest& request) {
  const int64_t now = clock_.NowMicros();
  return RunIdempotent<v1::Commendation>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "CreateCommendation"},
      request, now, [&](Mutation& m) -> absl::StatusOr<v1::Commendation> {
        v1::Commendation c = request.commendation();
        c.clear_id();
        c.clear_created_by();
        c.set_title(std::string(TrimAscii(c.title())));
        c.set_period_label(std::string(TrimAscii(c.period_label())));
        c.set_reason(std::string(TrimAscii(c.reason())));
        RETURN_IF_ERROR(CheckText("commendation.title", c.title(), 1, 60));
        RETURN_IF_ERROR(CheckText("commendation.period_label", c.period_label(), 1, 40));
        RETURN_IF_ERROR(CheckText("commendation.reason", c.reason(), 0, 500, /*multiline=*/true));
        const int honoured = c.person_ids_size() + c.honoured_organization_ids_size();
        if (honoured == 0 || honoured > kMaxHonoured) {
          return InvalidField("commendation.person_ids",
                              "name 1 to 200 people or organisations honoured");
        }
        if (c.organization_id() == 0) {
          return InvalidField("commendation.organization_id", "is required");
        }
        ASSIGN_OR_RETURN(
            auto org, access_.LoadOrg(caller, c.organization_id(), "commendation.organization_id"));
        RETURN_IF_ERROR(Access::RequireManage(caller, org, "commending"));
        std::set<uint64_t> people, orgs;
        for (uint64_t id : c.person_ids()) {
          ASSIGN_OR_RETURN(auto person, people_.Load(caller, id, "commendation.person_ids"));
          ASSIGN_OR_RETURN(auto person_org, access_.LoadOrg(caller, person.organization_id(),
                                                            "commendation.person_ids"));
          if (!Access::InSubtree(person_org, org.id()) || !people.insert(id).second) {
            return InvalidField("commendation.person_ids",
                                "person " + std::to_string(id) +
                                    " is repeated or not of the organisation's subtree");
          }
        }
        for (uint64_t id : c.honoured_organization_ids()) {
          ASSIGN_OR_RETURN(auto honoured_org,
                           access_.LoadOrg(caller, id, "commendation.honoured_organization_ids"));
          if (!Access::InSubtree(honoured_org, org.id()) || !orgs.insert(id).second) {
            return InvalidField("commendation.honoured_organization_ids",
                                "organisation " + std::to_string(id) +
                                    " is repeated or not the organisation or below it");
          }
        }
        if (c.round_id() != 0) {
          internal::v1::EvaluationRoundRecord round;
          bool found = false;
          if (Access::SameTenant(caller, c.round_id())) {
            ASSIGN_OR_RETURN(found, store_.GetMessage(storage::Cf::kEvaluations,
                                                      storage::RecordKey(c.round_id()), &round));
          }
          if (!found) {
            return FieldError(absl::StatusCode::kNotFound, "commendation.round_id",
                              "round " + std::to_string(c.round_id()) + " does not exist");
          }
          ASSIGN_OR_RETURN(auto round_org, access_.LoadOrg(caller, round.round().organization_id(),
                                                           "commendation.round_id"));
          if (!Access::InSubtree(round_org, org.id())) {
            return InvalidField("commendation.round_id", "is a round of another organisation");
          }
        }
        if (!c.has_award_time()) *c.mutable_award_time() = ToTimestamp(now);
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
        c.set_id(id);
        c.set_created_by(caller.person_id);
        m.writes().PutMessage(storage::Cf::kEvaluations, storage::CommendationKey(id), c);
        m.writes().Put(storage::Cf::kIndex, storage::CommendationByOrgKey(org.id(), id), "");
        // The people honoured are told; the board itself is read where it hangs.
        RecordChange(m.writes(), "commendation", id, org.id(), "created",
                     std::vector<uint64_t>(people.begin(), people.end()));
        return c;
      });
}

absl::StatusOr<v1::ListHonoursResponse> Honours::List(const Caller& caller,
                                                      const v1::ListHonoursRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  ASSIGN_OR_RETURN(bool reads, ReadsPublishedBoard(access_, caller, org));
  if (!reads)
    return Denied("reading the honours board of organization " + std::to_string(org.id()));
  const auto period = TrimAscii(request.period_label());
  v1::ListHonoursResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, storage::CommendationByOrgPrefix(org.id()),
               request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::Commendation c;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(storage::Cf::kEvaluations,
                                       storage::CommendationKey(storage::InvertedTrailingId(key)),
                                       &c));
                 if (!found || (!period.empty() && c.period_label() != period)) return false;
                 *response.add_commendations() = std::move(c);
                 return true;
               }));
  return response;
}

}  // namespace branchline
