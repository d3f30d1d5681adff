#include "services/auth/key_format.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "services/common/absl_compat.h"

namespace branchline {

bool ParseKey(std::string_view text, std::string_view prefix, size_t id_count,
              std::vector<uint64_t>* ids, std::string* secret) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != id_count + 2 || parts[0] != prefix) return false;
  for (size_t i = 1; i <= id_count; ++i) {
    uint64_t v;
    // SimpleAtoi alone takes "+5", " 5" and "05": only the digits std::to_string writes are
    // canonical.
    if (!absl::SimpleAtoi(AbslView(parts[i]), &v) || v == 0 || std::to_string(v) != parts[i]) {
      return false;
    }
    ids->push_back(v);
  }
  // Only the canonical encoding: the unused low bits of the last character must be zero, so
  // no two key strings carry the same secret.
  return absl::WebSafeBase64Unescape(AbslView(parts.back()), secret) && secret->size() == 32 &&
         absl::WebSafeBase64Escape(*secret) == parts.back();
}

std::string FormatKey(std::string_view prefix, const std::vector<uint64_t>& ids,
                      std::string_view secret) {
  std::string out(prefix);
  for (uint64_t id : ids) out += "." + std::to_string(id);
  return out + "." + absl::WebSafeBase64Escape(AbslView(secret));
}

}  // namespace branchline
