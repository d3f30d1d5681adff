#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/common/errors.h"

namespace branchline {

// OK when the mask is non-empty and names only `allowed` paths; else INVALID_ARGUMENT
// naming "update_mask".
inline absl::Status CheckUpdateMask(const google::protobuf::FieldMask& mask,
                                    std::initializer_list<std::string_view> allowed) {
  if (mask.paths().empty()) return InvalidField("update_mask", "names no field to update");
  for (const auto& path : mask.paths()) {
    bool ok = false;
    for (auto a : allowed) ok = ok || path == a;
    if (!ok) return InvalidField("update_mask", "cannot update '" + path + "'");
  }
  return absl::OkStatus();
}

inline bool MaskHas(const google::protobuf::FieldMask& mask, std::string_view path) {
  for (const auto& p : mask.paths()) {
    if (p == path) return true;
  }
  return false;
}

}  // namespace branchline
