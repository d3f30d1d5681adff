#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/file_records.pb.h"
#include "branchline/v1/files.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/common/mutation.h"
#include "services/common/periodic_thread.h"
#include "services/files/file_options.h"
#include "storage/store.h"

namespace branchline {

// Uploads in chunks that survive a dropped connection, and their completion into stored
// files (FileService: StartUpload, UploadChunk, GetUpload, FinishUpload; docs/files.md).
//
// An upload's id is derived from the request id that began it (and, for a named upload, the
// caller), so a retried start finds it again while its record names neither. Chunks are
// stored as they arrive at [upload][offset]; FinishUpload reassembles them, checks the
// declared digest and the type by content, removes the metadata of anonymous images, stores
// the content once per digest and writes the file record. Thread-safe.
class Uploads {
 public:
  Uploads(storage::Store& store, const Access& access, const Clock& clock, FileOptions options);
  ~Uploads();

  absl::StatusOr<v1::Upload> Start(const Caller& caller, const v1::StartUploadRequest& request);
  absl::StatusOr<v1::Upload> Chunk(const Caller& caller, const v1::UploadChunkRequest& request);
  absl::StatusOr<v1::Upload> Status(const Caller& caller, const v1::GetUploadRequest& request);
  absl::StatusOr<v1::File> Finish(const Caller& caller, const v1::FinishUploadRequest& request);

  // Whether `upload_id` names an anonymous upload of the caller's tenant: its calls leave no
  // access-log line and no metric (the gRPC adapter asks before each call).
  bool IsAnonymous(const Caller& caller, std::string_view upload_id) const;

  // Deletes every upload whose time has passed, with its chunks; returns how many. Also run
  // every FileOptions::prune_interval_micros by a background thread (StartPruning).
  absl::StatusOr<uint64_t> PruneNow();
  void StartPruning();

 private:
  struct Loaded;
  absl::StatusOr<Loaded> LoadForCall(const Caller& caller, std::string_view upload_id,
                                     Mutation* lock_in) const;
  v1::Upload Describe(std::string_view token, const internal::v1::UploadRecord& record) const;
  absl::Status CheckQuota(uint64_t org, uint64_t used, uint64_t adding) const;
  // Stages the deletion of an upload's received chunks.
  absl::Status StageChunkDeletes(uint32_t tenant, std::string_view token,
                                 storage::WriteSet& writes) const;
  // Deletes the received chunks and starts the upload over (a digest or type refusal).
  absl::Status Discard(uint32_t tenant, std::string_view token, internal::v1::UploadRecord record,
                       Mutation& m);
  absl::StatusOr<std::string> Reassemble(uint32_t tenant, std::string_view token,
                                         const internal::v1::UploadRecord& record) const;
  absl::StatusOr<uint64_t> PruneTenant(uint32_t tenant, int64_t now, bool* more);

  storage::Store& store_;
  const Access& access_;
  const Clock& clock_;
  const FileOptions options_;
  PeriodicThread pruner_;
};

}  // namespace branchline
