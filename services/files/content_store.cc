#include "services/files/content_store.h"

#include <algorithm>

#include "services/common/status_macros.h"
#include "storage/keys.h"

namespace branchline::files {

using storage::Cf;

absl::StatusOr<std::optional<internal::v1::StoredContent>> LoadContent(const storage::Store& store,
                                                                       uint32_t tenant,
                                                                       std::string_view sha256) {
  internal::v1::StoredContent content;
  ASSIGN_OR_RETURN(bool found,
                   store.GetMessage(Cf::kFiles, storage::ContentKey(tenant, sha256), &content));
  if (!found) return std::nullopt;
  return content;
}

absl::StatusOr<internal::v1::StoredContent> StageContent(const storage::Store& store,
                                                         uint32_t tenant, std::string_view sha256,
                                                         std::string_view bytes,
                                                         internal::v1::StoredContent description,
                                                         storage::WriteSet& writes) {
  ASSIGN_OR_RETURN(auto existing, LoadContent(store, tenant, sha256));
  if (existing) return *existing;
  description.set_size_bytes(bytes.size());
  description.set_chunk_bytes(kContentChunkBytes);
  for (uint64_t offset = 0, chunk = 0; offset < bytes.size();
       offset += kContentChunkBytes, ++chunk) {
    writes.Put(Cf::kFiles, storage::ContentChunkKey(tenant, sha256, static_cast<uint32_t>(chunk)),
               std::string(bytes.substr(offset, kContentChunkBytes)));
  }
  writes.Put(Cf::kFiles, storage::ContentKey(tenant, sha256), description.SerializeAsString());
  return description;
}

absl::StatusOr<std::string> ReadContent(const storage::Store& store, uint32_t tenant,
                                        std::string_view sha256,
                                        const internal::v1::StoredContent& content, uint64_t offset,
                                        uint64_t length) {
  const uint64_t end = std::min<uint64_t>(content.size_bytes(), offset + length);
  const uint64_t chunk_bytes = content.chunk_bytes();
  if (chunk_bytes == 0) return absl::DataLossError("stored content without a chunk size");
  std::string out;
  if (offset >= end) return out;
  out.reserve(end - offset);
  for (uint64_t chunk = offset / chunk_bytes; chunk * chunk_bytes < end; ++chunk) {
    ASSIGN_OR_RETURN(auto value,
                     store.Get(Cf::kFiles, storage::ContentChunkKey(tenant, sha256,
                                                                    static_cast<uint32_t>(chunk))));
    if (!value) return absl::DataLossError("a chunk of stored content is missing");
    const uint64_t chunk_start = chunk * chunk_bytes;
    const uint64_t from = std::max(offset, chunk_start) - chunk_start;
    const uint64_t to = std::min(end, chunk_start + value->size()) - chunk_start;
    if (from < to) out.append(*value, from, to - from);
  }
  if (out.size() != end - offset)
    return absl::DataLossError("stored content is shorter than recorded");
  return out;
}

absl::StatusOr<uint64_t> LoadUsedBytes(const storage::Store& store, uint64_t org) {
  ASSIGN_OR_RETURN(auto value, store.Get(Cf::kFiles, storage::FileQuotaKey(org)));
  if (!value) return 0;
  storage::KeyReader reader(*value);
  auto used = reader.U64();
  if (!used || !reader.done()) return absl::DataLossError("unreadable file quota record");
  return *used;
}

std::string UsedBytesValue(uint64_t used) { return storage::KeyBuilder().U64(used).key(); }

}  // namespace branchline::files
