#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace branchline {

// SHA-256 and hexadecimal, shared by every area that hashes (sessions, receipts, ballots,
// files).

// The SHA-256 of `data`: 32 bytes.
std::string Sha256(std::string_view data);
// Lower-case hexadecimal.
std::string ToHex(std::string_view bytes);
// The bytes of `hex` when it is exactly 2 * `size` hexadecimal digits (either case), else
// nullopt.
std::optional<std::string> FromHex(std::string_view hex, size_t size);

}  // namespace branchline
