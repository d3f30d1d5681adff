#include "services/files/file_library.h"

#include <algorithm>

#include "services/common/digest.h"
#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/files/content_store.h"
#include "storage/keys.h"

namespace branchline {

using storage::Cf;

bool FileLibrary::MayRead(const Caller& caller, const v1::Organization& org) {
  return Access::Manages(caller, org) || Access::ServiceMay(caller, org, v1::SCOPE_RECORDS_READ);
}

absl::StatusOr<v1::File> FileLibrary::LoadReadable(const Caller& caller, uint64_t id,
                                                   std::string_view field) const {
  if (id == 0) return InvalidField(field, "is required");
  v1::File file;
  bool found = false;
  if (Access::SameTenant(caller, id)) {
    ASSIGN_OR_RETURN(found, store_.GetMessage(Cf::kFiles, storage::FileKey(id), &file));
  }
  if (!found) return FieldError(absl::StatusCode::kNotFound, field, "no such file");
  if (file.uploader_person_id() != 0 && file.uploader_person_id() == caller.person_id) {
    return file;
  }
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, file.organization_id(), field));
  if (MayRead(caller, org)) return file;
  for (const auto& ref : file.attached_to()) {
    const AttachmentRules* rules = targets_.Find(ref.target());
    if (rules && rules->may_read(caller, ref.object_id(), field).ok()) return file;
  }
  return Denied("reading a file of another person");
}

absl::StatusOr<const AttachmentRules*> FileLibrary::RulesOf(const v1::AttachmentRef& ref,
                                                            std::string_view field) const {
  const AttachmentRules* rules = targets_.Find(ref.target());
  if (!rules) {
    return InvalidField(std::string(field) + ".target", "must be one of " + targets_.Names());
  }
  if (ref.object_id() == 0) return InvalidField(std::string(field) + ".object_id", "is required");
  return rules;
}

absl::StatusOr<v1::File> FileLibrary::Attach(const Caller& caller,
                                             const v1::AttachFileRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  ASSIGN_OR_RETURN(const AttachmentRules* rules, RulesOf(request.to(), "to"));
  const auto target = static_cast<uint8_t>(request.to().target());
  const uint64_t object = request.to().object_id();
  return RunIdempotent<v1::File>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "AttachFile"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::File> {
        RETURN_IF_ERROR(rules->may_change(caller, object, "to.object_id"));
        ASSIGN_OR_RETURN(auto readable, LoadReadable(caller, request.file_id(), "file_id"));
        // The file's references and the record's count are read-modified-written.
        const std::string prefix = storage::AttachmentPrefix(target, object);
        m.Lock({storage::FileKey(readable.id()), prefix});
        v1::File file;
        ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kFiles,
                                                       storage::FileKey(readable.id()), &file));
        if (!found) return absl::DataLossError("a file disappeared while it was attached");
        for (const auto& ref : file.attached_to()) {
          if (ref.target() == request.to().target() && ref.object_id() == object) return file;
        }
        int attached = 0;
        RETURN_IF_ERROR(store_.Scan(
            storage::Cf::kIndex, prefix, {},
            [&](std::string_view, std::string_view) { return ++attached < kMaxAttachments; }));
        if (attached >= kMaxAttachments) {
          return Refusal(absl::StatusCode::kResourceExhausted, reasons::kTooManyAttachments,
                         "to.object_id", {{"max", std::to_string(kMaxAttachments)}});
        }
        *file.add_attached_to() = request.to();
        m.writes().Put(storage::Cf::kFiles, storage::FileKey(file.id()), file.SerializeAsString());
        m.writes().Put(storage::Cf::kIndex, storage::AttachmentKey(target, object, file.id()), "");
        return file;
      });
}

absl::StatusOr<v1::File> FileLibrary::Detach(const Caller& caller,
                                             const v1::DetachFileRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  ASSIGN_OR_RETURN(const AttachmentRules* rules, RulesOf(request.from(), "from"));
  const auto target = static_cast<uint8_t>(request.from().target());
  const uint64_t object = request.from().object_id();
  return RunIdempotent<v1::File>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "DetachFile"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::File> {
        RETURN_IF_ERROR(rules->may_change(caller, object, "from.object_id"));
        if (request.file_id() == 0) return InvalidField("file_id", "is required");
        if (!Access::SameTenant(caller, request.file_id())) {
          return FieldError(absl::StatusCode::kNotFound, "file_id", "no such file");
        }
        m.Lock({storage::FileKey(request.file_id()), storage::AttachmentPrefix(target, object)});
        v1::File file;
        ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kFiles,
                                                       storage::FileKey(request.file_id()), &file));
        if (!found) return FieldError(absl::StatusCode::kNotFound, "file_id", "no such file");
        auto* refs = file.mutable_attached_to();
        auto it = std::find_if(refs->begin(), refs->end(), [&](const v1::AttachmentRef& ref) {
          return ref.target() == request.from().target() && ref.object_id() == object;
        });
        if (it == refs->end()) {
          return FieldError(absl::StatusCode::kNotFound, "from.object_id",
                            "the file is not attached to it");
        }
        refs->erase(it);
        m.writes().Put(storage::Cf::kFiles, storage::FileKey(file.id()), file.SerializeAsString());
        m.writes().Delete(storage::Cf::kIndex, storage::AttachmentKey(target, object, file.id()));
        return file;
      });
}

absl::StatusOr<v1::ListAttachmentsResponse> FileLibrary::ListAttachments(
    const Caller& caller, const v1::ListAttachmentsRequest& request) const {
  ASSIGN_OR_RETURN(const AttachmentRules* rules, RulesOf(request.of(), "of"));
  RETURN_IF_ERROR(rules->may_read(caller, request.of().object_id(), "of.object_id"));
  v1::ListAttachmentsResponse response;
  const std::string prefix = storage::AttachmentPrefix(static_cast<uint8_t>(request.of().target()),
                                                       request.of().object_id());
  absl::Status failed;
  RETURN_IF_ERROR(
      store_.Scan(storage::Cf::kIndex, prefix, {}, [&](std::string_view key, std::string_view) {
        storage::KeyReader reader(key.substr(prefix.size()));
        auto id = reader.U64();
        v1::File file;
        auto found = id ? store_.GetMessage(storage::Cf::kFiles, storage::FileKey(*id), &file)
                        : absl::StatusOr<bool>(absl::DataLossError("an unreadable attachment key"));
        if (!found.ok()) {
          failed = found.status();
          return false;
        }
        if (*found) *response.add_files() = std::move(file);
        return true;
      }));
  RETURN_IF_ERROR(failed);
  return response;
}

absl::StatusOr<v1::File> FileLibrary::Get(const Caller& caller,
                                          const v1::GetFileRequest& request) const {
  return LoadReadable(caller, request.id(), "id");
}

absl::StatusOr<v1::FileContent> FileLibrary::Content(
    const Caller& caller, const v1::GetFileContentRequest& request) const {
  if (request.length() > kMaxReadBytes) {
    return InvalidField("length", "must be at most " + std::to_string(kMaxReadBytes));
  }
  ASSIGN_OR_RETURN(auto file, LoadReadable(caller, request.id(), "id"));
  const uint32_t tenant = storage::TenantOfId(file.id());
  auto digest = FromHex(file.sha256(), 32);
  if (!digest) return absl::DataLossError("a file record with an unreadable digest");
  ASSIGN_OR_RETURN(auto content, files::LoadContent(store_, tenant, *digest));
  if (!content) return absl::DataLossError("a file's content is missing");
  if (request.thumbnail()) {
    if (content->thumbnail_sha256().empty()) {
      return FieldError(absl::StatusCode::kNotFound, "thumbnail", "the file has no thumbnail");
    }
    *digest = content->thumbnail_sha256();
    ASSIGN_OR_RETURN(content, files::LoadContent(store_, tenant, *digest));
    if (!content) return absl::DataLossError("a file's thumbnail is missing");
  }
  if (request.offset() > content->size_bytes()) {
    return InvalidField("offset",
                        "is past the end (" + std::to_string(content->size_bytes()) + " bytes)");
  }
  const uint32_t length = request.length() == 0 ? kMaxReadBytes : request.length();
  v1::FileContent out;
  ASSIGN_OR_RETURN(*out.mutable_data(),
                   files::ReadContent(store_, tenant, *digest, *content, request.offset(), length));
  out.set_offset(request.offset());
  out.set_total_bytes(content->size_bytes());
  out.set_content_type(content->content_type());
  out.set_sha256(ToHex(*digest));
  return out;
}

absl::StatusOr<v1::ListFilesResponse> FileLibrary::List(const Caller& caller,
                                                        const v1::ListFilesRequest& request) const {
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  if (!MayRead(caller, org)) return Denied("listing the files of an organization");
  v1::ListFilesResponse response;
  const std::string prefix = storage::FileByOrgPrefix(org.id());
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, Cf::kIndex, prefix, request.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 v1::File file;
                 ASSIGN_OR_RETURN(
                     bool found,
                     store_.GetMessage(Cf::kFiles,
                                       storage::FileKey(storage::InvertedTrailingId(key)), &file));
                 if (!found) return false;
                 *response.add_files() = std::move(file);
                 return true;
               }));
  response.set_quota_bytes(options_.quota_bytes_per_organization);
  ASSIGN_OR_RETURN(uint64_t used, files::LoadUsedBytes(store_, org.id()));
  response.set_used_bytes(used);
  return response;
}

}  // namespace branchline
