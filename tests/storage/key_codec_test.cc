#include "storage/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "storage/keys.h"

namespace branchline::storage {
namespace {

TEST(KeyCodec, UnsignedIntegersSortNumerically) {
  std::vector<uint64_t> values = {0,         1, 255, 256, 65535, 65536, 1ull << 32, UINT64_MAX - 1,
                                  UINT64_MAX};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) values.push_back(rng());
  std::vector<std::string> keys;
  for (auto v : values) keys.push_back(KeyBuilder().U64(v).key());
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); j += 7) {
      EXPECT_EQ(values[i] < values[j], keys[i] < keys[j]) << values[i] << " vs " << values[j];
    }
  }
}

TEST(KeyCodec, SignedIntegersSortNumerically) {
  std::vector<int64_t> values = {INT64_MIN, -1'000'000, -1, 0, 1, 42, INT64_MAX};
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    EXPECT_LT(KeyBuilder().I64(values[i]).key(), KeyBuilder().I64(values[i + 1]).key());
  }
}

TEST(KeyCodec, TenantComesFirstAndOrdersWholeKeys) {
  // Everything of tenant 1 sorts before anything of tenant 2, whatever follows.
  auto a = KeyBuilder(1).U64(UINT64_MAX).Str("zzz").key();
  auto b = KeyBuilder(2).U64(0).key();
  EXPECT_LT(a, b);
  EXPECT_EQ(RecordKey(MakeId(3, 9)).substr(0, 4), KeyBuilder(3).key());
}

TEST(KeyCodec, RoundTripsEveryFieldKind) {
  std::string chinese = "运输四队党支部";
  std::string binary("\0\xff\x01", 3);
  auto key = KeyBuilder(7)
                 .U8(9)
                 .U16(513)
                 .U32(70000)
                 .U64(1ull << 40)
                 .I64(-5)
                 .Str(chinese)
                 .Str(binary)
                 .Str("")
                 .key();
  KeyReader r(key);
  EXPECT_EQ(r.U32(), 7u);
  EXPECT_EQ(r.U8(), 9);
  EXPECT_EQ(r.U16(), 513);
  EXPECT_EQ(r.U32(), 70000u);
  EXPECT_EQ(r.U64(), 1ull << 40);
  EXPECT_EQ(r.I64(), -5);
  EXPECT_EQ(r.Str(), chinese);
  EXPECT_EQ(r.Str(), binary);
  EXPECT_EQ(r.Str(), "");
  EXPECT_TRUE(r.done());
}

TEST(KeyCodec, ReaderFailsOnTruncatedKeys) {
  auto key = KeyBuilder(1).Str("hello").key();
  for (size_t cut = 0; cut < key.size(); ++cut) {
    KeyReader r(std::string_view(key).substr(0, cut));
    r.U32();
    r.Str();
    EXPECT_FALSE(r.ok()) << "cut at " << cut;
  }
  KeyReader ok(key);
  ok.U32();
  ok.Str();
  EXPECT_TRUE(ok.done());
}

TEST(KeyCodec, PrefixSuccessorBoundsExactlyThePrefixRange) {
  std::string prefix = KeyBuilder(1).U16(3).U64(99).key();
  std::string next = PrefixSuccessor(prefix);
  EXPECT_GT(next, prefix);
  EXPECT_GT(next, prefix + std::string(20, '\xff'));
  EXPECT_LE(next, KeyBuilder(1).U16(3).U64(100).key());
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
}

TEST(KeyCodec, IdsCarryTheirTenant) {
  uint64_t id = MakeId(12345, 678);
  EXPECT_EQ(TenantOfId(id), 12345u);
  EXPECT_EQ(id & ((1ull << kTenantShift) - 1), 678u);
  EXPECT_EQ(TrailingId(OrgChildKey(MakeId(1, 5), MakeId(1, 6))), MakeId(1, 6));
  // Index keys of one parent share the prefix and sort by child id.
  EXPECT_EQ(OrgChildKey(MakeId(1, 5), MakeId(1, 6)).rfind(OrgChildPrefix(MakeId(1, 5)), 0), 0u);
  EXPECT_LT(OrgChildKey(MakeId(1, 5), MakeId(1, 6)), OrgChildKey(MakeId(1, 5), MakeId(1, 7)));
}

// A key too short to end with an id (a corrupt index entry) gives 0, which is no record's id,
// instead of throwing std::out_of_range from substr (which would end the server).
TEST(KeyCodec, TrailingIdOfAShortKeyIsZero) {
  EXPECT_EQ(TrailingId(""), 0u);
  EXPECT_EQ(TrailingId(std::string_view("\x01\x02\x03", 3)), 0u);
  EXPECT_EQ(TrailingId(std::string(7, '\xff')), 0u);
  EXPECT_EQ(TrailingId(KeyBuilder().U64(42).key()), 42u) << "exactly eight bytes is an id";
  EXPECT_EQ(TenantOfId(0), 0u) << "0 belongs to no tenant, so callers can skip it";
}

}  // namespace
}  // namespace branchline::storage
