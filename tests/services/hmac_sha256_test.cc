#include "services/common/hmac_sha256.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "services/common/absl_compat.h"

namespace branchline {
namespace {

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(AbslView(bytes)); }

// RFC 4231, test case 2.
constexpr std::string_view kKey = "Jefe";
constexpr std::string_view kData = "what do ya want for nothing?";
constexpr std::string_view kExpected =
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

TEST(HmacSha256, MatchesTheRfcVector) {
  HmacSha256 mac(kKey);
  EXPECT_EQ(Hex(mac.Mac(kData)), kExpected);
}

TEST(HmacSha256, EachMessageStartsFromTheKeyAlone) {
  HmacSha256 mac(kKey);
  std::string first = mac.Mac("a");
  mac.Mac("something else in between");
  EXPECT_EQ(mac.Mac("a"), first);
  EXPECT_NE(mac.Mac("b"), first);
  EXPECT_EQ(mac.Mac("").size(), HmacSha256::kMacBytes);
}

TEST(HmacSha256, ACopyMacsLikeTheOriginal) {
  auto original = std::make_unique<HmacSha256>(kKey);
  HmacSha256 copy(*original);
  original.reset();
  EXPECT_EQ(Hex(copy.Mac(kData)), kExpected);
  EXPECT_NE(HmacSha256("other key").Mac(kData), copy.Mac(kData));
}

}  // namespace
}  // namespace branchline
