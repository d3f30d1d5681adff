#include "services/sync/notices.h"

#include <algorithm>
#include <set>

#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "storage/keys.h"

namespace branchline {

namespace {
constexpr std::string_view kKind = "notice";

// Page tokens: a position after the query's own prefix, so a token only fits its query.
std::string PositionToken(const std::string& query, uint64_t position) {
  return EncodePageToken(storage::KeyBuilder().Raw(query).U64(position).key());
}
absl::StatusOr<uint64_t> DecodePosition(std::string_view token, const std::string& query) {
  if (token.empty()) return 0;
  ASSIGN_OR_RETURN(std::string key, DecodePageToken(token, query));
  storage::KeyReader r(std::string_view(key).substr(query.size()));
  auto position = r.U64();
  if (!position || !r.done()) return InvalidField("page_token", "is not a token of this query");
  return *position;
}
}  // namespace

absl::StatusOr<v1::Notice> Notices::Load(const Caller& caller, uint64_t id,
                                         std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  v1::Notice notice;
  if (Access::SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(storage::Cf::kNotices, storage::RecordKey(id), &notice));
    if (found) return notice;
  }
  return FieldError(absl::StatusCode::kNotFound, field,
                    "notice " + std::to_string(id) + " does not exist");
}

absl::StatusOr<bool> Notices::Addressed(const Caller& caller, const v1::Notice& notice) const {
  if (caller.service_account) return false;
  ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, caller.organization_id, "caller"));
  return Access::InAudience(notice.audience(), caller.person_id, caller.role, own);
}

absl::Status Notices::RequireRead(const Caller& caller, const v1::Notice& notice,
                                  std::string_view field) const {
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, notice.organization_id(), field));
  if (Access::Manages(caller, org)) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool addressed, Addressed(caller, notice));
  if (addressed) return absl::OkStatus();
  return Denied("reading notice " + std::to_string(notice.id()));
}

absl::Status Notices::RequirePoster(const Caller& caller, const v1::Organization& org,
                                    std::string_view what) {
  return Access::RequireManage(caller, org, what);
}

absl::StatusOr<v1::Notice> Notices::Post(const Caller& caller,
                                         const v1::PostNoticeRequest& request) {
  const auto& in = request.notice();
  RETURN_IF_ERROR(CheckText("notice.title", TrimAscii(in.title()), 1, 100));
  RETURN_IF_ERROR(CheckText("notice.body", in.body(), 1, 5000, /*multiline=*/true));
  return RunIdempotent<v1::Notice>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "PostNotice"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Notice> {
        ASSIGN_OR_RETURN(auto org,
                         access_.LoadOrg(caller, in.organization_id(), "notice.organization_id"));
        RETURN_IF_ERROR(RequirePoster(caller, org, "posting a notice"));
        ASSIGN_OR_RETURN(auto audience,
                         access_.CheckAudience(caller, in.audience(), org, "notice.audience"));
        ASSIGN_OR_RETURN(uint64_t id, store_.NewId(storage::TenantOfId(org.id())));
        v1::Notice notice;
        notice.set_id(id);
        notice.set_organization_id(org.id());
        *notice.mutable_audience() = audience;
        notice.set_title(std::string(TrimAscii(in.title())));
        notice.set_body(in.body());
        notice.set_author_id(caller.person_id);
        *notice.mutable_create_time() = ToTimestamp(clock_.NowMicros());
        auto& w = m.writes();
        w.PutMessage(storage::Cf::kNotices, storage::RecordKey(id), notice);
        // Only the people it is for (the listed ones, or the party members of a members-only
        // audience): their colleagues could not read it.
        Addressees to;
        to.Add(audience, org.id());
        if (audience.person_ids_size() > 0) {
          for (uint64_t p : audience.person_ids()) {
            w.Put(storage::Cf::kIndex, storage::NoticeByPersonKey(p, id), "");
          }
          RecordAudienceChange(w, kKind, id, org.id(), "posted", to);
        } else {
          w.Put(storage::Cf::kIndex, storage::NoticeByOrgKey(audience.organization_id(), id), "");
          RecordAudienceChange(w, kKind, id, audience.organization_id(), "posted", to);
        }
        return notice;
      });
}

absl::StatusOr<v1::Notice> Notices::Get(const Caller& caller,
                                        const v1::GetNoticeRequest& request) const {
  ASSIGN_OR_RETURN(auto notice, Load(caller, request.id(), "id"));
  RETURN_IF_ERROR(RequireRead(caller, notice, "id"));
  return notice;
}

absl::Status Notices::RequireAttachmentRead(const Caller& caller, uint64_t notice_id,
                                            std::string_view field) const {
  ASSIGN_OR_RETURN(auto notice, Load(caller, notice_id, field));
  return RequireRead(caller, notice, field);
}

absl::Status Notices::RequireAttachmentChange(const Caller& caller, uint64_t notice_id,
                                              std::string_view field) const {
  ASSIGN_OR_RETURN(auto notice, Load(caller, notice_id, field));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, notice.organization_id(), field));
  return RequirePoster(caller, org, "attaching files to a notice");
}

absl::StatusOr<v1::ListMyNoticesResponse> Notices::ListMine(
    const Caller& caller, const v1::ListMyNoticesRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  // The token is the id to continue below (notices are listed newest first; ids increase).
  const std::string query =
      storage::KeyBuilder(caller.tenant).Str("my-notices").U64(caller.person_id).key();
  ASSIGN_OR_RETURN(uint64_t below, DecodePosition(request.page_token(), query));
  v1::ListMyNoticesResponse response;
  if (caller.service_account) return response;
  ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, caller.organization_id, "caller"));
  std::vector<std::string> prefixes = {storage::NoticeByPersonPrefix(caller.person_id),
                                       storage::NoticeByOrgPrefix(own.id())};
  for (uint64_t a : own.ancestor_ids()) prefixes.push_back(storage::NoticeByOrgPrefix(a));

  std::set<uint64_t, std::greater<>> ids;
  bool more = false;  // a source has entries below those read
  for (const auto& prefix : prefixes) {
    int taken = 0;
    std::string start = below ? storage::KeyBuilder().Raw(prefix).U64(below).key() : "";
    RETURN_IF_ERROR(store_.ScanReverse(storage::Cf::kIndex, prefix, start, [&](auto key, auto) {
      if (uint64_t id = storage::TrailingId(key)) ids.insert(id);  // 0: a corrupt entry
      more = more || taken == page_size;
      return ++taken <= page_size;
    }));
  }
  const bool party_member = Access::IsPartyMember(caller.role);
  uint64_t last_read = 0;
  for (uint64_t id : ids) {
    if (response.notices_size() == page_size) {
      response.set_next_page_token(
          PositionToken(query, response.notices().rbegin()->notice().id()));
      break;
    }
    ASSIGN_OR_RETURN(auto notice, Load(caller, id, "id"));
    last_read = id;
    if (notice.audience().members_only() && !party_member) continue;  // not theirs to see
    auto* item = response.add_notices();
    *item->mutable_notice() = std::move(notice);
    ASSIGN_OR_RETURN(auto read,
                     store_.Get(storage::Cf::kIndex, storage::NoticeReadKey(id, caller.person_id)));
    item->set_read(read.has_value());
  }
  // Notices skipped as members-only left the page short while more may lie below: go on there.
  if (response.next_page_token().empty() && more && last_read != 0) {
    response.set_next_page_token(PositionToken(query, last_read));
  }
  return response;
}

absl::StatusOr<v1::MarkNoticeReadResponse> Notices::MarkRead(
    const Caller& caller, const v1::MarkNoticeReadRequest& request) {
  return RunIdempotent<v1::MarkNoticeReadResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "MarkNoticeRead"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::MarkNoticeReadResponse> {
        ASSIGN_OR_RETURN(auto notice, Load(caller, request.id(), "id"));
        ASSIGN_OR_RETURN(bool addressed, Addressed(caller, notice));
        if (!addressed) return Denied("notice " + std::to_string(notice.id()) + " is not for you");
        std::string key = storage::NoticeReadKey(notice.id(), caller.person_id);
        m.Lock({key});
        ASSIGN_OR_RETURN(auto existing, store_.Get(storage::Cf::kIndex, key));
        v1::MarkNoticeReadResponse response;
        if (existing) {
          *response.mutable_read_time() =
              ToTimestamp(storage::KeyReader(*existing).I64().value_or(0));
          return response;
        }
        int64_t now = clock_.NowMicros();
        m.writes().Put(storage::Cf::kIndex, key, storage::KeyBuilder().I64(now).key());
        *response.mutable_read_time() = ToTimestamp(now);
        return response;
      });
}

absl::StatusOr<v1::ListNoticeReadersResponse> Notices::ListReaders(
    const Caller& caller, const v1::ListNoticeReadersRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto notice, Load(caller, request.id(), "id"));
  const std::string query = storage::KeyBuilder(caller.tenant)
                                .Str("notice-readers")
                                .U64(notice.id())
                                .U8(request.unread_only())
                                .key();
  ASSIGN_OR_RETURN(uint64_t offset, DecodePosition(request.page_token(), query));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, notice.organization_id(), "id"));
  RETURN_IF_ERROR(Access::RequireManage(caller, org, "reading a notice's receipts"));

  // Every active person of the audience, in a stable order, with their read time.
  std::vector<v1::NoticeReader> audience;
  auto add = [&](const v1::Person& p) -> absl::Status {
    v1::NoticeReader reader;
    reader.set_person_id(p.id());
    reader.set_display_name(p.display_name());
    ASSIGN_OR_RETURN(auto read,
                     store_.Get(storage::Cf::kIndex, storage::NoticeReadKey(notice.id(), p.id())));
    if (read)
      *reader.mutable_read_time() = ToTimestamp(storage::KeyReader(*read).I64().value_or(0));
    audience.push_back(std::move(reader));
    return absl::OkStatus();
  };
  absl::Status inner;
  if (notice.audience().person_ids_size() > 0) {
    for (uint64_t id : notice.audience().person_ids()) {
      v1::Person p;
      ASSIGN_OR_RETURN(bool found,
                       store_.GetMessage(storage::Cf::kPeople, storage::RecordKey(id), &p));
      if (found && p.active()) RETURN_IF_ERROR(add(p));
    }
  } else {
    RETURN_IF_ERROR(
        people_.ForEachInSubtree(notice.audience().organization_id(), [&](const v1::Person& p) {
          if (p.active() && p.kind() == v1::PERSON_KIND_HUMAN &&
              (!notice.audience().members_only() || Access::IsPartyMember(p.role()))) {
            inner = add(p);
          }
          return inner.ok();
        }));
    RETURN_IF_ERROR(inner);
  }
  v1::ListNoticeReadersResponse response;
  response.set_audience_count(static_cast<int>(audience.size()));
  std::vector<const v1::NoticeReader*> selected;
  for (const auto& r : audience) {
    if (r.has_read_time()) response.set_read_count(response.read_count() + 1);
    if (!request.unread_only() || !r.has_read_time()) selected.push_back(&r);
  }
  for (uint64_t i = offset; i < selected.size(); ++i) {
    if (response.readers_size() == page_size) {
      response.set_next_page_token(PositionToken(query, i));
      break;
    }
    *response.add_readers() = *selected[i];
  }
  return response;
}

}  // namespace branchline
