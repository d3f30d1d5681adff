#include "services/common/tenant_walk.h"

#include <string_view>

#include "storage/key_codec.h"

namespace branchline {

absl::StatusOr<std::optional<uint32_t>> NextTenant(const storage::Store& store, uint32_t after) {
  std::optional<uint32_t> next;
  if (after == UINT32_MAX) return next;
  auto status = store.Scan(storage::Cf::kIndex, "", storage::KeyBuilder(after + 1).key(),
                           [&](std::string_view key, std::string_view) {
                             next = storage::KeyReader(key).U32();
                             return false;
                           });
  if (!status.ok()) return status;
  return next;
}

}  // namespace branchline
