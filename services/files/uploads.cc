#include "services/files/uploads.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "services/common/anonymity.h"
#include "services/common/audit_trail.h"
#include "services/common/digest.h"
#include "services/common/errors.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/tenant_walk.h"
#include "services/common/text.h"
#include "services/files/content_store.h"
#include "services/files/media/content_sniff.h"
#include "services/files/media/image_metadata.h"
#include "services/files/media/thumbnail.h"
#include "storage/keys.h"

namespace branchline {

using internal::v1::UploadRecord;
using storage::Cf;

namespace {

constexpr size_t kTokenBytes = 16;
constexpr size_t kMaxFileNameChars = 255;
// What an anonymous file is called: its own name could carry the author's (or the time the
// phone took it: IMG_20261203_101512.jpg).
constexpr std::string_view kAnonymousFileName = "附件";
// Deleted uploads per batch of the pruning pass.
constexpr int kPruneBatch = 200;

// The upload id: named uploads are found by (caller, request id), anonymous ones by the
// request id alone; the domain prefix keeps these hashes apart from every other use.
std::string UploadToken(uint32_t tenant, uint64_t person, std::string_view request_id) {
  std::string input = "branchline upload v1\n";
  input += std::to_string(tenant) + "\n" + std::to_string(person) + "\n";
  input += request_id;
  return Sha256(input).substr(0, kTokenBytes);
}

absl::Status CheckFileName(std::string_view name) {
  RETURN_IF_ERROR(CheckText("file_name", name, 1, kMaxFileNameChars));
  if (name.find_first_of("/\\") != std::string_view::npos || name == "." || name == "..") {
    return InvalidField("file_name", "must be a file name, without '/' or '\\'");
  }
  return absl::OkStatus();
}

// The images whose metadata the server removes (image_metadata.h): the only files an
// anonymous letter takes.
bool IsStrippableImage(files::FileKind kind) {
  return kind == files::FileKind::kJpeg || kind == files::FileKind::kPng;
}

}  // namespace

struct Uploads::Loaded {
  std::string token;
  UploadRecord record;
};

Uploads::Uploads(storage::Store& store, const Access& access, const Clock& clock,
                 FileOptions options)
    : store_(store),
      access_(access),
      clock_(options.clock ? *options.clock : clock),
      options_(options) {}

Uploads::~Uploads() { pruner_.Stop(); }

v1::Upload Uploads::Describe(std::string_view token, const UploadRecord& record) const {
  v1::Upload upload;
  upload.set_upload_id(ToHex(token));
  upload.set_size_bytes(record.size_bytes());
  upload.set_received_bytes(record.received_bytes());
  upload.set_max_chunk_bytes(options_.max_chunk_bytes);
  *upload.mutable_expire_time() = ToTimestamp(record.expire_micros());
  upload.set_file_id(record.file_id());
  return upload;
}

absl::Status Uploads::CheckQuota(uint64_t org, uint64_t used, uint64_t adding) const {
  const uint64_t quota = options_.quota_bytes_per_organization;
  if (used + adding <= quota) return absl::OkStatus();
  return Refusal(absl::StatusCode::kResourceExhausted, reasons::kFileQuotaExhausted,
                 "organization_id",
                 {{"quota_bytes", std::to_string(quota)}, {"used_bytes", std::to_string(used)}});
}

absl::StatusOr<v1::Upload> Uploads::Start(const Caller& caller,
                                          const v1::StartUploadRequest& request) {
  RETURN_IF_ERROR(CheckRequestId(request.request_id()));
  if (request.anonymous() && request.request_id().size() < 16) {
    return InvalidField("request_id",
                        "must be at least 16 characters (a random UUID) for an anonymous upload");
  }
  if (request.organization_id() == 0) return InvalidField("organization_id", "is required");
  RETURN_IF_ERROR(CheckFileName(request.file_name()));
  if (request.size_bytes() == 0) return InvalidField("size_bytes", "must be at least 1");
  if (request.size_bytes() > options_.max_file_bytes) {
    return Refusal(absl::StatusCode::kInvalidArgument, reasons::kFileTooLarge, "size_bytes",
                   {{"limit_bytes", std::to_string(options_.max_file_bytes)}});
  }
  auto sha256 = FromHex(request.sha256(), 32);
  if (!sha256) return InvalidField("sha256", "must be 64 hexadecimal digits");

  ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  // Integrations read records (SCOPE_RECORDS_READ) but add no evidence to them.
  if (caller.service_account) return Denied("uploading files as a service account");
  // People add files to their own organisation or one above it (a letter to the company, a
  // photo for the branch's ledger); managers also to the organisations they manage.
  ASSIGN_OR_RETURN(auto own, access_.LoadOrg(caller, caller.organization_id, "organization_id"));
  if (!Access::InSubtree(own, org.id()) && !Access::Manages(caller, org)) {
    return Denied(
        "uploading a file for an organization other than the caller's own, one above "
        "it or one the caller manages");
  }
  ASSIGN_OR_RETURN(uint64_t used, files::LoadUsedBytes(store_, org.id()));
  RETURN_IF_ERROR(CheckQuota(org.id(), used, request.size_bytes()));

  const uint64_t person = request.anonymous() ? 0 : caller.person_id;
  const std::string token = UploadToken(caller.tenant, person, request.request_id());
  const std::string key = storage::UploadKey(caller.tenant, token);
  Mutation m(store_);
  m.Lock({key});
  UploadRecord record;
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(Cf::kFiles, key, &record));
  const std::string name =
      request.anonymous() ? std::string(kAnonymousFileName) : request.file_name();
  if (found) {
    const bool same = record.organization_id() == org.id() &&
                      record.size_bytes() == request.size_bytes() && record.sha256() == *sha256 &&
                      record.anonymous() == request.anonymous() && record.file_name() == name;
    if (!same) {
      return Refusal(absl::StatusCode::kAlreadyExists, reasons::kRequestIdReused, "request_id");
    }
    return Describe(token, record);
  }
  const int64_t now = clock_.NowMicros();
  record.set_organization_id(org.id());
  record.set_uploader_person_id(person);
  record.set_file_name(name);
  record.set_size_bytes(request.size_bytes());
  record.set_sha256(*sha256);
  record.set_anonymous(request.anonymous());
  // An anonymous upload's expiry is a day boundary, so it does not date the start either.
  record.set_expire_micros(request.anonymous()
                               ? UtcDayStart(now) + options_.upload_lifetime_micros + 86'400'000'000
                               : now + options_.upload_lifetime_micros);
  auto& writes = m.writes();
  writes.Put(Cf::kFiles, key, record.SerializeAsString());
  writes.Put(Cf::kIndex, storage::UploadByExpiryKey(caller.tenant, record.expire_micros(), token),
             "");
  StageAuditRecord(writes, caller.tenant, person, "StartUpload", request, now,
                   request.request_id());
  RETURN_IF_ERROR(CommitMutation(m));
  return Describe(token, record);
}

absl::StatusOr<Uploads::Loaded> Uploads::LoadForCall(const Caller& caller,
                                                     std::string_view upload_id,
                                                     Mutation* lock_in) const {
  auto token = FromHex(upload_id, kTokenBytes);
  if (!token) return InvalidField("upload_id", "must be 32 hexadecimal digits");
  const std::string key = storage::UploadKey(caller.tenant, *token);
  if (lock_in) lock_in->Lock({key});
  Loaded loaded{*token, {}};
  ASSIGN_OR_RETURN(bool found, store_.GetMessage(Cf::kFiles, key, &loaded.record));
  // Someone else's named upload looks exactly like one that does not exist.
  const bool theirs =
      !loaded.record.anonymous() && loaded.record.uploader_person_id() != caller.person_id;
  if (!found || theirs || loaded.record.expire_micros() <= clock_.NowMicros()) {
    return FieldError(absl::StatusCode::kNotFound, "upload_id", "no such upload (or it expired)");
  }
  return loaded;
}

bool Uploads::IsAnonymous(const Caller& caller, std::string_view upload_id) const {
  auto token = FromHex(upload_id, kTokenBytes);
  if (!token) return false;
  UploadRecord record;
  auto found = store_.GetMessage(Cf::kFiles, storage::UploadKey(caller.tenant, *token), &record);
  return found.ok() && *found && record.anonymous();
}

absl::StatusOr<v1::Upload> Uploads::Chunk(const Caller& caller,
                                          const v1::UploadChunkRequest& request) {
  Mutation m(store_);
  ASSIGN_OR_RETURN(auto loaded, LoadForCall(caller, request.upload_id(), &m));
  UploadRecord& record = loaded.record;
  if (record.file_id() != 0) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kUploadFinished, "upload_id");
  }
  const auto& data = request.data();
  if (data.empty()) return InvalidField("data", "must not be empty");
  if (data.size() > options_.max_chunk_bytes) {
    return InvalidField("data", "must be at most " + std::to_string(options_.max_chunk_bytes) +
                                    " bytes (max_chunk_bytes)");
  }
  if (request.offset() + data.size() > record.size_bytes()) {
    return InvalidField(
        "data", "goes past the declared size of " + std::to_string(record.size_bytes()) + " bytes");
  }
  // A chunk already stored (its answer was lost) is acknowledged again; any other offset
  // says where to go on.
  if (request.offset() + data.size() <= record.received_bytes()) {
    return Describe(loaded.token, record);
  }
  if (request.offset() != record.received_bytes()) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kUploadOffsetMismatch, "offset",
                   {{"received_bytes", std::to_string(record.received_bytes())}});
  }
  record.set_received_bytes(record.received_bytes() + data.size());
  auto& writes = m.writes();
  writes.Put(Cf::kFiles, storage::UploadChunkKey(caller.tenant, loaded.token, request.offset()),
             data);
  writes.Put(Cf::kFiles, storage::UploadKey(caller.tenant, loaded.token),
             record.SerializeAsString());
  StageAuditRecord(writes, caller.tenant, record.uploader_person_id(), "UploadChunk", request,
                   clock_.NowMicros(),
                   request.upload_id() + ":" + std::to_string(request.offset()));
  RETURN_IF_ERROR(CommitMutation(m));
  return Describe(loaded.token, record);
}

absl::StatusOr<v1::Upload> Uploads::Status(const Caller& caller,
                                           const v1::GetUploadRequest& request) {
  ASSIGN_OR_RETURN(auto loaded, LoadForCall(caller, request.upload_id(), nullptr));
  return Describe(loaded.token, loaded.record);
}

absl::StatusOr<std::string> Uploads::Reassemble(uint32_t tenant, std::string_view token,
                                                const UploadRecord& record) const {
  std::string bytes;
  bytes.reserve(record.size_bytes());
  RETURN_IF_ERROR(store_.Scan(Cf::kFiles, storage::UploadChunkPrefix(tenant, token), {},
                              [&](std::string_view, std::string_view value) {
                                bytes.append(value);
                                return bytes.size() <= record.size_bytes();
                              }));
  if (bytes.size() != record.size_bytes()) {
    return absl::DataLossError("the stored chunks of an upload do not add up to its size");
  }
  return bytes;
}

absl::Status Uploads::StageChunkDeletes(uint32_t tenant, std::string_view token,
                                        storage::WriteSet& writes) const {
  return store_.Scan(Cf::kFiles, storage::UploadChunkPrefix(tenant, token), {},
                     [&](std::string_view key, std::string_view) {
                       writes.Delete(Cf::kFiles, std::string(key));
                       return true;
                     });
}

absl::Status Uploads::Discard(uint32_t tenant, std::string_view token, UploadRecord record,
                              Mutation& m) {
  auto& writes = m.writes();
  RETURN_IF_ERROR(StageChunkDeletes(tenant, token, writes));
  record.set_received_bytes(0);
  writes.Put(Cf::kFiles, storage::UploadKey(tenant, token), record.SerializeAsString());
  return CommitMutation(m);
}

absl::StatusOr<v1::File> Uploads::Finish(const Caller& caller,
                                         const v1::FinishUploadRequest& request) {
  Mutation m(store_);
  ASSIGN_OR_RETURN(auto loaded, LoadForCall(caller, request.upload_id(), &m));
  UploadRecord& record = loaded.record;
  const uint32_t tenant = caller.tenant;
  if (record.file_id() != 0) {
    v1::File file;
    ASSIGN_OR_RETURN(bool found,
                     store_.GetMessage(Cf::kFiles, storage::FileKey(record.file_id()), &file));
    if (!found) return absl::DataLossError("a finished upload's file is missing");
    return file;
  }
  if (record.received_bytes() < record.size_bytes()) {
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kUploadIncomplete, "upload_id",
                   {{"received_bytes", std::to_string(record.received_bytes())},
                    {"size_bytes", std::to_string(record.size_bytes())}});
  }
  ASSIGN_OR_RETURN(std::string bytes, Reassemble(tenant, loaded.token, record));
  if (Sha256(bytes) != record.sha256()) {
    RETURN_IF_ERROR(Discard(tenant, loaded.token, record, m));
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kUploadDigestMismatch,
                   "upload_id");
  }
  const files::FileKind kind = files::SniffFileKind(bytes);
  if (kind == files::FileKind::kUnknown) {
    const std::string found = files::DescribeContent(bytes);
    RETURN_IF_ERROR(Discard(tenant, loaded.token, record, m));
    return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kFileTypeNotAllowed, "upload_id",
                   {{"found", found}});
  }
  if (record.anonymous()) {
    if (!IsStrippableImage(kind)) {
      RETURN_IF_ERROR(Discard(tenant, loaded.token, record, m));
      return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kAnonymousFileType,
                     "upload_id");
    }
    auto stripped = kind == files::FileKind::kJpeg ? files::StripJpegMetadata(bytes)
                                                   : files::StripPngMetadata(bytes);
    if (!stripped.ok()) {
      RETURN_IF_ERROR(Discard(tenant, loaded.token, record, m));
      return Refusal(absl::StatusCode::kFailedPrecondition, reasons::kFileTypeNotAllowed,
                     "upload_id", {{"found", "a damaged image"}});
    }
    bytes = std::move(*stripped);
  }

  const std::string digest = Sha256(bytes);
  internal::v1::StoredContent description;
  description.set_content_type(std::string(files::MimeType(kind)));
  if (auto size = files::ImageDimensions(bytes, kind)) {
    // The size as the photo is shown: a phone held upright stores it on its side (EXIF
    // orientation 5..8), and its thumbnail is turned upright too.
    const bool turned = kind == files::FileKind::kJpeg && files::JpegOrientation(bytes) >= 5;
    description.set_width(turned ? size->height : size->width);
    description.set_height(turned ? size->width : size->height);
  }
  // Decoded before the organisation's quota lock (a HEIC photo takes a few hundred
  // milliseconds), so other uploads of the organisation do not wait on it. A photo that
  // cannot be decoded is still evidence: it is kept without a thumbnail.
  std::optional<files::Thumbnail> thumbnail;
  if (IsStrippableImage(kind) || kind == files::FileKind::kHeic) {
    if (auto made = files::MakeThumbnail(bytes, kind); made.ok()) thumbnail = std::move(*made);
  }

  // The quota is read-modified-written: its lock is always taken after an upload's, never
  // before, so two finishes cannot wait on each other.
  const uint64_t org = record.organization_id();
  m.Lock({storage::FileQuotaKey(org)});
  ASSIGN_OR_RETURN(uint64_t used, files::LoadUsedBytes(store_, org));
  RETURN_IF_ERROR(CheckQuota(org, used, bytes.size()));

  auto& writes = m.writes();
  if (thumbnail) {
    const std::string thumbnail_digest = Sha256(thumbnail->jpeg);
    internal::v1::StoredContent thumbnail_description;
    thumbnail_description.set_content_type(std::string(files::MimeType(files::FileKind::kJpeg)));
    thumbnail_description.set_width(thumbnail->width);
    thumbnail_description.set_height(thumbnail->height);
    RETURN_IF_ERROR(files::StageContent(store_, tenant, thumbnail_digest, thumbnail->jpeg,
                                        thumbnail_description, writes)
                        .status());
    description.set_thumbnail_sha256(thumbnail_digest);
  }
  ASSIGN_OR_RETURN(auto stored,
                   files::StageContent(store_, tenant, digest, bytes, description, writes));

  const int64_t now = clock_.NowMicros();
  uint64_t id = 0;
  if (record.anonymous()) {
    // A random id, so the file's place in the sequence does not date it either.
    for (bool taken = true; taken;) {
      id = RandomAnonymousId(tenant);
      ASSIGN_OR_RETURN(auto existing, store_.Get(Cf::kFiles, storage::FileKey(id)));
      taken = existing.has_value();
    }
  } else {
    ASSIGN_OR_RETURN(id, store_.NewId(tenant));
  }
  v1::File file;
  file.set_id(id);
  file.set_organization_id(org);
  file.set_file_name(record.anonymous() ? std::string(kAnonymousFileName) + "." +
                                              std::string(files::FileExtension(kind))
                                        : record.file_name());
  file.set_content_type(stored.content_type());
  file.set_size_bytes(bytes.size());
  file.set_sha256(ToHex(digest));
  file.set_uploader_person_id(record.uploader_person_id());
  *file.mutable_create_time() = ToTimestamp(record.anonymous() ? UtcDayStart(now) : now);
  file.set_anonymous(record.anonymous());
  file.set_width(stored.width());
  file.set_height(stored.height());
  file.set_has_thumbnail(!stored.thumbnail_sha256().empty());
  file.set_metadata_removed(record.anonymous());

  writes.Put(Cf::kFiles, storage::FileKey(id), file.SerializeAsString());
  writes.Put(Cf::kIndex, storage::FileByOrgKey(org, id), "");
  writes.Put(Cf::kFiles, storage::FileQuotaKey(org), files::UsedBytesValue(used + bytes.size()));
  RETURN_IF_ERROR(StageChunkDeletes(tenant, loaded.token, writes));
  record.set_file_id(id);
  writes.Put(Cf::kFiles, storage::UploadKey(tenant, loaded.token), record.SerializeAsString());
  StageAuditRecord(writes, tenant, record.uploader_person_id(), "FinishUpload", request, now,
                   request.upload_id());
  RETURN_IF_ERROR(CommitMutation(m));
  return file;
}

absl::StatusOr<uint64_t> Uploads::PruneTenant(uint32_t tenant, int64_t now, bool* more) {
  *more = false;
  std::vector<std::pair<std::string, std::string>> due;  // index key, token
  const std::string prefix = storage::UploadByExpiryPrefix(tenant);
  RETURN_IF_ERROR(store_.Scan(Cf::kIndex, prefix, {}, [&](std::string_view key, std::string_view) {
    storage::KeyReader reader(key.substr(prefix.size()));
    auto expires = reader.I64();
    if (!expires || *expires > now) return false;
    if (static_cast<int>(due.size()) == kPruneBatch) {
      *more = true;
      return false;
    }
    due.emplace_back(std::string(key), std::string(key.substr(prefix.size() + 8)));
    return true;
  }));
  for (const auto& [index_key, token] : due) {
    Mutation m(store_);
    const std::string key = storage::UploadKey(tenant, token);
    m.Lock({key});
    auto& writes = m.writes();
    RETURN_IF_ERROR(StageChunkDeletes(tenant, token, writes));
    writes.Delete(Cf::kFiles, std::string(key));
    writes.Delete(Cf::kIndex, index_key);
    RETURN_IF_ERROR(CommitMutation(m));
  }
  return due.size();
}

absl::StatusOr<uint64_t> Uploads::PruneNow() {
  const int64_t now = clock_.NowMicros();
  uint64_t total = 0;
  std::optional<uint32_t> tenant = 0;
  while (true) {
    ASSIGN_OR_RETURN(auto next, NextTenant(store_, *tenant));
    if (!next) break;
    tenant = next;
    for (bool more = true; more;) {
      if (pruner_.Stopping()) return total;
      ASSIGN_OR_RETURN(uint64_t pruned, PruneTenant(*tenant, now, &more));
      total += pruned;
    }
  }
  return total;
}

void Uploads::StartPruning() {
  pruner_.Start(options_.prune_interval_micros, [this] {
    if (!store_.LeadsBackgroundWork()) return;  // another server of the database runs it
    auto pruned = PruneNow();
    // Counts only: an upload's id could be matched with a phone's retries.
    if (!pruned.ok()) {
      spdlog::warn("file uploads: pruning: {}", pruned.status().ToString());
    } else if (*pruned > 0) {
      spdlog::info("file uploads: deleted {} expired", *pruned);
    }
  });
}

}  // namespace branchline
