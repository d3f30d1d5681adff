// For the anonymity tests: every way a person id could be written down, and a search for
// them in stored bytes or log text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace branchline::testing {

// Big-endian (keys), varint (protobuf fields), decimal (logs, text).
inline std::vector<std::string> Encodings(uint64_t id) {
  std::vector<std::string> out;
  std::string be;
  for (int shift = 56; shift >= 0; shift -= 8) be.push_back(static_cast<char>(id >> shift));
  out.push_back(be);
  std::string varint;
  for (uint64_t v = id; v >= 0x80; v >>= 7) varint.push_back(static_cast<char>((v & 0x7f) | 0x80));
  varint.push_back(static_cast<char>(id >> (7 * varint.size())));
  out.push_back(varint);
  out.push_back(std::to_string(id));
  return out;
}

inline bool Mentions(std::string_view bytes, const std::vector<std::string>& needles) {
  for (const auto& n : needles) {
    if (bytes.find(n) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace branchline::testing
