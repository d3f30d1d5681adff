#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "storage/store.h"

namespace branchline {

// The first tenant after `after` with any index entry (a tenant without one holds nothing a
// background pass looks for): one seek per tenant instead of a scan of the whole index. For
// passes that walk every tenant (deferred changes, meeting series). nullopt after the last.
absl::StatusOr<std::optional<uint32_t>> NextTenant(const storage::Store& store, uint32_t after);

}  // namespace branchline
