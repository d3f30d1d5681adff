#include "storage/key_codec.h"

namespace branchline::storage {

namespace {
void AppendBigEndian(std::string& out, uint64_t v, size_t width) {
  for (size_t i = width; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
}  // namespace

KeyBuilder& KeyBuilder::U8(uint8_t v) {
  AppendBigEndian(key_, v, 1);
  return *this;
}
KeyBuilder& KeyBuilder::U16(uint16_t v) {
  AppendBigEndian(key_, v, 2);
  return *this;
}
KeyBuilder& KeyBuilder::U32(uint32_t v) {
  AppendBigEndian(key_, v, 4);
  return *this;
}
KeyBuilder& KeyBuilder::U64(uint64_t v) {
  AppendBigEndian(key_, v, 8);
  return *this;
}
KeyBuilder& KeyBuilder::I64(int64_t v) {
  // Flipping the sign bit maps INT64_MIN..INT64_MAX onto 0..UINT64_MAX in order.
  return U64(static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}
KeyBuilder& KeyBuilder::Str(std::string_view v) {
  U32(static_cast<uint32_t>(v.size()));
  key_.append(v);
  return *this;
}
KeyBuilder& KeyBuilder::Raw(std::string_view v) {
  key_.append(v);
  return *this;
}

std::optional<uint64_t> KeyReader::Fixed(size_t width) {
  if (!ok_ || rest_.size() < width) {
    ok_ = false;
    return std::nullopt;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<uint8_t>(rest_[i]);
  rest_.remove_prefix(width);
  return v;
}

std::optional<uint8_t> KeyReader::U8() {
  auto v = Fixed(1);
  return v ? std::optional<uint8_t>(static_cast<uint8_t>(*v)) : std::nullopt;
}
std::optional<uint16_t> KeyReader::U16() {
  auto v = Fixed(2);
  return v ? std::optional<uint16_t>(static_cast<uint16_t>(*v)) : std::nullopt;
}
std::optional<uint32_t> KeyReader::U32() {
  auto v = Fixed(4);
  return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
}
std::optional<uint64_t> KeyReader::U64() { return Fixed(8); }
std::optional<int64_t> KeyReader::I64() {
  auto v = Fixed(8);
  return v ? std::optional<int64_t>(static_cast<int64_t>(*v ^ (uint64_t{1} << 63))) : std::nullopt;
}
std::optional<std::string_view> KeyReader::Str() {
  auto len = U32();
  if (!len || rest_.size() < *len) {
    ok_ = false;
    return std::nullopt;
  }
  std::string_view s = rest_.substr(0, *len);
  rest_.remove_prefix(*len);
  return s;
}

std::string RecordKey(uint64_t id) { return KeyBuilder(TenantOfId(id)).U64(id).key(); }

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(s.back());
    if (last != 0xff) {
      ++last;
      return s;
    }
    s.pop_back();
  }
  return s;
}

}  // namespace branchline::storage
