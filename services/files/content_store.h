#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "branchline/internal/v1/file_records.pb.h"
#include "storage/store.h"

namespace branchline::files {

// File contents, stored once per tenant and SHA-256 (storage/keys.h: ContentKey,
// ContentChunkKey): files with the same bytes share them. Contents are never deleted (files
// are records for inspection), so sharing needs no reference counts.

// The size of every stored chunk but a content's last: small enough that a ranged read of a
// photo touches one or two, large enough that a 20 MiB file is 80 values.
inline constexpr uint32_t kContentChunkBytes = 256 << 10;

// The description of stored content, or nullopt when none is stored under `sha256`.
absl::StatusOr<std::optional<internal::v1::StoredContent>> LoadContent(const storage::Store& store,
                                                                       uint32_t tenant,
                                                                       std::string_view sha256);

// Stages `bytes` (whose SHA-256 is `sha256`) with `description` unless that content is stored
// already; returns the stored description either way. Two concurrent stagings of the same
// bytes write the same values, so they need no lock.
absl::StatusOr<internal::v1::StoredContent> StageContent(const storage::Store& store,
                                                         uint32_t tenant, std::string_view sha256,
                                                         std::string_view bytes,
                                                         internal::v1::StoredContent description,
                                                         storage::WriteSet& writes);

// Up to `length` bytes of stored content from `offset` (at most its end).
absl::StatusOr<std::string> ReadContent(const storage::Store& store, uint32_t tenant,
                                        std::string_view sha256,
                                        const internal::v1::StoredContent& content, uint64_t offset,
                                        uint64_t length);

// The bytes an organisation's files use (storage/keys.h: FileQuotaKey; 0 when none), and the
// value that records a new figure.
absl::StatusOr<uint64_t> LoadUsedBytes(const storage::Store& store, uint64_t org);
std::string UsedBytesValue(uint64_t used);

}  // namespace branchline::files
