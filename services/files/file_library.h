#pragma once

#include "absl/status/statusor.h"
#include "branchline/v1/files.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/files/attachment_targets.h"
#include "services/files/file_options.h"
#include "storage/store.h"

namespace branchline {

// Stored files, who may read them, and their attachment to records (FileService: GetFile,
// GetFileContent, ListFiles, AttachFile, DetachFile, ListAttachments; docs/files.md).
// Readers: the named uploader, managers of the file's organisation or above, services with
// SCOPE_RECORDS_READ over it, and the readers of every record it is attached to (the rules of
// `targets`). An anonymous file has no uploader. Thread-safe.
class FileLibrary {
 public:
  // At most this many files on one record.
  static constexpr int kMaxAttachments = 20;
  // The largest range GetFileContent answers.
  static constexpr uint32_t kMaxReadBytes = 1 << 20;

  FileLibrary(storage::Store& store, const Access& access, const AttachmentTargets& targets,
              const Clock& clock, FileOptions options)
      : store_(store), access_(access), targets_(targets), clock_(clock), options_(options) {}

  absl::StatusOr<v1::File> Get(const Caller& caller, const v1::GetFileRequest& request) const;
  absl::StatusOr<v1::FileContent> Content(const Caller& caller,
                                          const v1::GetFileContentRequest& request) const;
  absl::StatusOr<v1::ListFilesResponse> List(const Caller& caller,
                                             const v1::ListFilesRequest& request) const;
  absl::StatusOr<v1::File> Attach(const Caller& caller, const v1::AttachFileRequest& request);
  absl::StatusOr<v1::File> Detach(const Caller& caller, const v1::DetachFileRequest& request);
  absl::StatusOr<v1::ListAttachmentsResponse> ListAttachments(
      const Caller& caller, const v1::ListAttachmentsRequest& request) const;

 private:
  // The file when the caller may read it: NOT_FOUND naming `field` when absent or in another
  // tenant, PERMISSION_DENIED otherwise.
  absl::StatusOr<v1::File> LoadReadable(const Caller& caller, uint64_t id,
                                        std::string_view field) const;
  // The rules of a record reference (INVALID_ARGUMENT naming `field`.target / .object_id).
  absl::StatusOr<const AttachmentRules*> RulesOf(const v1::AttachmentRef& ref,
                                                 std::string_view field) const;
  static bool MayRead(const Caller& caller, const v1::Organization& org);

  storage::Store& store_;
  const Access& access_;
  const AttachmentTargets& targets_;
  const Clock& clock_;
  const FileOptions options_;
};

}  // namespace branchline
