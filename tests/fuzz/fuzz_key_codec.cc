// Fuzzes storage/key_codec: decoding arbitrary bytes never reads out of bounds, a fully
// decoded key re-encodes to the same bytes (one spelling per key), and the encodings keep
// their promised order.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "storage/key_codec.h"
#include "tests/fuzz/fuzz_check.h"

using branchline::storage::KeyBuilder;
using branchline::storage::KeyReader;

namespace {

int64_t ReadI64(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return static_cast<int64_t>(v);
}

// Decodes `key` with the field types named by `shape` (one byte per field), re-encoding as
// it goes. Returns whether the whole key decoded; `rebuilt` holds the re-encoded prefix.
bool DecodeAs(std::string_view shape, std::string_view key, KeyBuilder& rebuilt) {
  KeyReader reader(key);
  for (unsigned char type : shape) {
    switch (type % 6) {
      case 0:
        if (auto v = reader.U8()) rebuilt.U8(*v);
        break;
      case 1:
        if (auto v = reader.U16()) rebuilt.U16(*v);
        break;
      case 2:
        if (auto v = reader.U32()) rebuilt.U32(*v);
        break;
      case 3:
        if (auto v = reader.U64()) rebuilt.U64(*v);
        break;
      case 4:
        if (auto v = reader.I64()) rebuilt.I64(*v);
        break;
      case 5:
        if (auto v = reader.Str()) rebuilt.Str(*v);
        break;
    }
    if (!reader.ok()) return false;
  }
  return reader.done();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // First byte: how many of the next bytes are the field shape; the rest is the key.
  size_t shape_len = std::min<size_t>(data[0] % 8, size - 1);
  std::string_view shape(reinterpret_cast<const char*>(data + 1), shape_len);
  std::string_view key(reinterpret_cast<const char*>(data + 1 + shape_len), size - 1 - shape_len);

  KeyBuilder rebuilt;
  if (DecodeAs(shape, key, rebuilt)) FUZZ_CHECK(rebuilt.key() == key);

  // The scan bound: above every key under the prefix, or empty for an all-0xff prefix.
  std::string successor = branchline::storage::PrefixSuccessor(key);
  if (successor.empty()) {
    FUZZ_CHECK(key.find_first_not_of('\xff') == std::string_view::npos);
  } else {
    FUZZ_CHECK(std::string_view(successor) > key);
    FUZZ_CHECK(std::string_view(successor) > std::string(key) + std::string(8, '\xff'));
  }

  // Order: byte order of encoded times equals numeric order.
  if (key.size() >= 16) {
    auto p = reinterpret_cast<const uint8_t*>(key.data());
    int64_t a = ReadI64(p), b = ReadI64(p + 8);
    std::string ka = KeyBuilder().I64(a).key(), kb = KeyBuilder().I64(b).key();
    FUZZ_CHECK((a < b) == (ka < kb));
    FUZZ_CHECK((a == b) == (ka == kb));
    // Record ids round-trip through their record key, tenant first.
    uint64_t id = static_cast<uint64_t>(a);
    const std::string record_key = branchline::storage::RecordKey(id);
    KeyReader reader(record_key);
    auto tenant = reader.U32();
    auto read_id = reader.U64();
    FUZZ_CHECK(tenant && read_id && reader.done());
    FUZZ_CHECK(*tenant == branchline::storage::TenantOfId(id) && *read_id == id);
  }
  return 0;
}
