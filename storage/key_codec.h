#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace branchline::storage {

// Every byte layout of Branchline's keys lives here.
//
// A key is a sequence of fields, each encoded so that comparing the encoded bytes
// (memcmp, RocksDB's default comparator) orders keys like comparing the fields one by one:
//
//   +-----------+------------------+-------------------+------------------------------+
//   | tenant    | field            | field             | ...                          |
//   | u32 BE    | u8 / u32 / u64   | i64 (sign-flipped)| string: u32 BE length, bytes |
//   +-----------+------------------+-------------------+------------------------------+
//
// - The tenant (the top-level organisation) always comes first, so one tenant's data is one
//   contiguous key range and can later be moved to another node whole.
// - Unsigned integers are big-endian and fixed width, so they sort numerically.
// - Signed integers (times) flip the sign bit, so negatives sort before positives.
// - Strings are length-prefixed: they never need escaping, and a key can be decoded again.
//   (Two strings of different lengths sort by length first; we only seek strings exactly.)
//
// Layouts by column family (see column_families.h):
//   records       [tenant u32][record id u64]
//   index         [tenant u32][index id u16][index-specific fields ... ][record id u64]
//   idempotency   [tenant u32][caller id u64][request id string]
//   changes       [tenant u32][sequence u64]
//   meta          [name string](...)
//
// Record ids carry their tenant in the top 24 bits: id = tenant << 40 | per-tenant sequence.
class KeyBuilder {
 public:
  KeyBuilder() = default;
  explicit KeyBuilder(uint32_t tenant) { U32(tenant); }

  KeyBuilder& U8(uint8_t v);
  KeyBuilder& U16(uint16_t v);
  KeyBuilder& U32(uint32_t v);
  KeyBuilder& U64(uint64_t v);
  KeyBuilder& I64(int64_t v);
  KeyBuilder& Str(std::string_view v);
  // Appends raw bytes (an already encoded key prefix).
  KeyBuilder& Raw(std::string_view v);

  const std::string& key() const& { return key_; }
  std::string&& key() && { return std::move(key_); }

 private:
  std::string key_;
};

// Decodes the fields of a key in the order they were built. Every getter returns nullopt
// (and stays failed) once the key is too short or malformed, so callers can decode a whole
// key and check once.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}

  std::optional<uint8_t> U8();
  std::optional<uint16_t> U16();
  std::optional<uint32_t> U32();
  std::optional<uint64_t> U64();
  std::optional<int64_t> I64();
  std::optional<std::string_view> Str();

  bool done() const { return ok_ && rest_.empty(); }
  bool ok() const { return ok_; }

 private:
  std::optional<uint64_t> Fixed(size_t width);
  std::string_view rest_;
  bool ok_ = true;
};

// Record ids: the tenant in the top 24 bits, a per-tenant sequence below.
inline constexpr int kTenantShift = 40;
inline constexpr uint32_t kMaxTenant = (1u << 24) - 1;
constexpr uint32_t TenantOfId(uint64_t id) { return static_cast<uint32_t>(id >> kTenantShift); }
constexpr uint64_t MakeId(uint32_t tenant, uint64_t sequence) {
  return (static_cast<uint64_t>(tenant) << kTenantShift) | sequence;
}

// [tenant][id]: the key of a record in its own column family.
std::string RecordKey(uint64_t id);

// The smallest key strictly greater than every key that starts with `prefix`; empty when
// no such key exists (prefix of all 0xff). Used as an exclusive upper bound for scans.
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace branchline::storage
