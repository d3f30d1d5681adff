#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/v1/study.pb.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/device_time.h"
#include "services/common/encoded.h"
#include "services/common/mutation.h"
#include "services/study/study_data.h"
#include "storage/store.h"

namespace branchline {

// Study records (the check-in) and a person's progress.
//
// Every record write also updates the person's progress record for that local year in the
// same commit (read-modify-write under a lock on the progress key: only the person writes
// it, so there is no contention), so progress and reports read one record per person and
// the hot path is a few point reads and one commit. Thread-safe.
class StudyJournal {
 public:
  StudyJournal(storage::Store& store, const StudyData& data, const Clock& clock,
               DeviceTimeRules device_time = {})
      : store_(store), data_(data), clock_(clock), device_time_(device_time) {}

  // Records the caller's own study. INVALID_ARGUMENT for minutes outside 1..600, notes over
  // the organisation's limit (characters), a bad device time; FAILED_PRECONDITION when the
  // local day would exceed 24 hours, the plan is of another year or the material archived;
  // PERMISSION_DENIED when the plan item is not for the caller.
  absl::StatusOr<v1::StudyRecord> Record(const Caller& caller,
                                         const v1::RecordStudyRequest& request);
  // The same for the asynchronous gRPC handler: the commit joins the store's next group commit
  // and `done` runs with the answer on whichever thread has it (see RunIdempotentAsync).
  void RecordAsync(const Caller& caller, const v1::RecordStudyRequest& request,
                   std::function<void(absl::StatusOr<Encoded<v1::StudyRecord>>)> done);
  // Edits minutes/notes of one's own record within kRecordGraceMicros of recording it.
  absl::StatusOr<v1::StudyRecord> Update(const Caller& caller,
                                         const v1::UpdateStudyRecordRequest& request);
  // Deletes one's own record within kRecordGraceMicros of recording it.
  absl::StatusOr<v1::DeleteStudyRecordResponse> Delete(const Caller& caller,
                                                       const v1::DeleteStudyRecordRequest& request);
  absl::StatusOr<v1::ListStudyRecordsResponse> List(
      const Caller& caller, const v1::ListStudyRecordsRequest& request) const;
  absl::StatusOr<v1::StudyProgress> Progress(const Caller& caller,
                                             const v1::GetStudyProgressRequest& request) const;

  // The rules of the files attached to a study record (FileService,
  // ATTACHMENT_TARGET_STUDY_RECORD: a photo of the handwritten notebook): whoever reads the
  // person's study records reads them (ListStudyRecords' rule: the person, managers of their
  // organisation, study-scoped services); only the person who studied attaches and detaches,
  // for as long as the record exists (no grace period: a phone offline for a week attaches
  // the photo when the network returns). NOT_FOUND naming `field` for a record the caller's
  // tenant does not have (also a deleted one), PERMISSION_DENIED otherwise.
  absl::Status RequireAttachmentRead(const Caller& caller, uint64_t record_id,
                                     std::string_view field) const;
  absl::Status RequireAttachmentChange(const Caller& caller, uint64_t record_id,
                                       std::string_view field) const;

 private:
  // Record's checks that need no stored data.
  static absl::Status CheckRecordRequest(const Caller& caller,
                                         const v1::RecordStudyRequest& request);
  static IdempotencyScope RecordScope(const Caller& caller, const v1::RecordStudyRequest& request);
  // A study record's checks and writes, staged in `m`.
  absl::StatusOr<v1::StudyRecord> StageRecord(const Caller& caller,
                                              const v1::RecordStudyRequest& request, int64_t now,
                                              Mutation& m) const;
  // Loads one's own record for an edit, under the locks the caller already holds.
  absl::StatusOr<v1::StudyRecord> LoadOwnForEdit(const Caller& caller, uint64_t id) const;

  // One's own record and its year's progress, locked in `m` and read under the lock, for an
  // edit or a delete. The record's day never changes, so a first read finds the keys to lock.
  struct LockedRecord {
    v1::StudyRecord record;
    int64_t day = 0;
    std::string record_key;
    std::string progress_key;
    internal::v1::StudyProgressRecord progress;
  };
  absl::StatusOr<LockedRecord> LockOwnRecord(Mutation& m, const Caller& caller, uint64_t id) const;

  storage::Store& store_;
  const StudyData& data_;
  const Clock& clock_;
  const DeviceTimeRules device_time_;
};

}  // namespace branchline
