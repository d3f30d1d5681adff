#include "services/common/text.h"

#include <string>

#include "services/common/errors.h"

namespace branchline {

std::optional<size_t> Utf8Length(std::string_view text) {
  size_t count = 0;
  size_t i = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + len > n) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    i += len;
    ++count;
  }
  return count;
}

absl::Status CheckText(std::string_view field, std::string_view text, size_t min_chars,
                       size_t max_chars, bool multiline) {
  auto length = Utf8Length(text);
  if (!length) return InvalidField(field, "is not valid UTF-8");
  if (*length < min_chars) {
    return InvalidField(
        field, min_chars == 1 ? "is required"
                              : "must be at least " + std::to_string(min_chars) + " characters");
  }
  if (*length > max_chars) {
    return InvalidField(field, "must be at most " + std::to_string(max_chars) + " characters");
  }
  for (unsigned char c : text) {
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) {
      return InvalidField(field, "contains a control character");
    }
    if (c == 0x7f) return InvalidField(field, "contains a control character");
  }
  return absl::OkStatus();
}

std::string_view TrimAscii(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace branchline
