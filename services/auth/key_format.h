#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace branchline {

// Refresh tokens "blr1.<person>.<session>.<secret>" and service keys "bls1.<account>.<secret>"
// share one shape: a prefix, `id_count` decimal non-zero ids, then 32 secret bytes in
// unpadded base64url. Parsing accepts only the canonical spelling, so no two strings name the
// same credential. Split out of sessions.cc so the fuzzer reaches it directly.
bool ParseKey(std::string_view text, std::string_view prefix, size_t id_count,
              std::vector<uint64_t>* ids, std::string* secret);

// The canonical spelling ParseKey accepts.
std::string FormatKey(std::string_view prefix, const std::vector<uint64_t>& ids,
                      std::string_view secret);

}  // namespace branchline
