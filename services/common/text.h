#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace branchline {

// Number of Unicode code points in `text`, or nullopt when it is not valid UTF-8 (overlong
// forms, surrogates and code points above U+10FFFF are invalid).
std::optional<size_t> Utf8Length(std::string_view text);

// OK when `text` is valid UTF-8 of min_chars..max_chars characters and holds no control
// characters other than newline and tab (when `multiline`); else INVALID_ARGUMENT naming
// `field`.
absl::Status CheckText(std::string_view field, std::string_view text, size_t min_chars,
                       size_t max_chars, bool multiline = false);

// Trims ASCII whitespace from both ends.
std::string_view TrimAscii(std::string_view text);

}  // namespace branchline
