#pragma once

#include <cstdint>

#include "services/common/clock.h"

namespace branchline {

// Limits of the file service (docs/files.md).
struct FileOptions {
  // The largest file, as declared at the start of its upload.
  uint64_t max_file_bytes = 20ULL << 20;
  // The bytes one organisation's files may use (--file-quota-mb).
  uint64_t quota_bytes_per_organization = 2ULL << 30;
  // The largest chunk of an upload: small enough to get through on a weak mobile connection
  // within a call's deadline, large enough that a photo is a handful of calls.
  uint32_t max_chunk_bytes = 512 << 10;
  // How long an unfinished upload is kept.
  int64_t upload_lifetime_micros = 48LL * 3600 * 1'000'000;
  // How often abandoned uploads are deleted.
  int64_t prune_interval_micros = 10LL * 60 * 1'000'000;
  // The clock expiry is measured by; null: the server's clock. Tests move a fake one.
  const Clock* clock = nullptr;
};

}  // namespace branchline
