#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/sync.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Notices: announcements to a subtree (or listed people) with read receipts.
//
// A notice is indexed under its audience organisation (or each listed person), so "my
// notices" is a reverse seek in the person's organisation, each ancestor and their own
// index. Read receipts are index entries [notice][person] holding the first read time.
// Posting records a "notice" change, which members of the audience receive through sync.
// Thread-safe.
class Notices {
 public:
  Notices(storage::Store& store, const Access& access, const PeopleDirectory& people,
          const Clock& clock)
      : store_(store), access_(access), people_(people), clock_(clock) {}

  absl::StatusOr<v1::Notice> Post(const Caller& caller, const v1::PostNoticeRequest& request);
  absl::StatusOr<v1::Notice> Get(const Caller& caller, const v1::GetNoticeRequest& request) const;
  absl::StatusOr<v1::ListMyNoticesResponse> ListMine(const Caller& caller,
                                                     const v1::ListMyNoticesRequest& request) const;
  absl::StatusOr<v1::MarkNoticeReadResponse> MarkRead(const Caller& caller,
                                                      const v1::MarkNoticeReadRequest& request);
  absl::StatusOr<v1::ListNoticeReadersResponse> ListReaders(
      const Caller& caller, const v1::ListNoticeReadersRequest& request) const;

  // The rules of the files attached to a notice (FileService, ATTACHMENT_TARGET_NOTICE: the
  // document or photo it announces): whoever GetNotice lets read the notice reads them (its
  // audience, managers of its organisation); whoever may post a notice to its organisation
  // attaches and detaches them (its managers). NOT_FOUND naming `field` for a notice the
  // caller's tenant does not have, PERMISSION_DENIED otherwise.
  absl::Status RequireAttachmentRead(const Caller& caller, uint64_t notice_id,
                                     std::string_view field) const;
  absl::Status RequireAttachmentChange(const Caller& caller, uint64_t notice_id,
                                       std::string_view field) const;

 private:
  // Loads a notice of the caller's tenant; NOT_FOUND naming `field` otherwise.
  absl::StatusOr<v1::Notice> Load(const Caller& caller, uint64_t id, std::string_view field) const;
  // Whether the caller is in the notice's audience.
  absl::StatusOr<bool> Addressed(const Caller& caller, const v1::Notice& notice) const;
  // OK when the caller may read `notice` (managers of its organisation, its audience);
  // PERMISSION_DENIED otherwise (NOT_FOUND naming `field` when its organisation is gone).
  absl::Status RequireRead(const Caller& caller, const v1::Notice& notice,
                           std::string_view field) const;
  // OK when the caller may post a notice to `org` (its managers).
  static absl::Status RequirePoster(const Caller& caller, const v1::Organization& org,
                                    std::string_view what);

  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Clock& clock_;
};

}  // namespace branchline
