// The pure parts of knowing who is on the other end: the client address behind the edge,
// client certificate fingerprints, and the one spelling of refresh tokens and service keys.
#include <gtest/gtest.h>

#include "services/auth/client_address.h"
#include "services/auth/client_certificate.h"
#include "services/auth/key_format.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

TEST(ClientAddressTest, RealIpIsBelievedOnlyFromTrustedProxies) {
  std::vector<std::string> trusted = {"127.0.0.1", "::1"};
  EXPECT_EQ(ClientAddress("ipv4:127.0.0.1:4000", "203.0.113.9", trusted), "edge:203.0.113.9");
  EXPECT_EQ(ClientAddress("ipv6:[::1]:4000", "2001:db8::1", trusted), "edge:2001:db8::1");
  // A client sending the header itself is counted by its own address.
  EXPECT_EQ(ClientAddress("ipv4:198.51.100.7:4000", "203.0.113.9", trusted), "198.51.100.7");
  EXPECT_EQ(ClientAddress("ipv4:127.0.0.1:4000", "203.0.113.9", {}), "127.0.0.1");
  // A proxy without the header, or with nonsense in it, counts as itself.
  EXPECT_EQ(ClientAddress("ipv4:127.0.0.1:4000", "", trusted), "127.0.0.1");
  EXPECT_EQ(ClientAddress("ipv4:127.0.0.1:4000", std::string(46, '1'), trusted), "127.0.0.1");
  EXPECT_EQ(ClientAddress("unix:/tmp/socket", "", trusted), "unix");
}

TEST(CertificateFingerprintTest, AcceptsOpensslSpellingAndPlainHex) {
  std::string plain(64, 'a');
  auto bytes = ParseCertificateFingerprint(plain, "f");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, std::string(32, '\xaa'));
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += (i ? ":" : "") + std::string("AA");
  auto from_colons = ParseCertificateFingerprint(colons, "f");
  ASSERT_TRUE(from_colons.ok());
  EXPECT_EQ(*from_colons, *bytes);
}

TEST(CertificateFingerprintTest, RefusesEverythingElseNamingTheField) {
  std::string misplaced = std::string(64, 'a');
  misplaced.insert(2, ":");
  for (const std::string& bad :
       {std::string(), std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'g'),
        std::string(95, 'a'), std::string(95, ':'), misplaced}) {
    auto parsed = ParseCertificateFingerprint(bad, "client_certificate_sha256");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("SHA-256"), std::string::npos);
  }
}

TEST(CertificateFingerprintTest, GarbagePemHasNoFingerprint) {
  EXPECT_EQ(CertificateSha256FromPem(""), "");
  EXPECT_EQ(
      CertificateSha256FromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
      "");
}

TEST(KeyFormatTest, OnlyTheCanonicalSpellingParses) {
  std::string secret(32, '\x07');
  std::string key = FormatKey("blr1", {1099511627781u, 77}, secret);
  std::vector<uint64_t> ids;
  std::string parsed;
  ASSERT_TRUE(ParseKey(key, "blr1", 2, &ids, &parsed));
  EXPECT_EQ(ids, (std::vector<uint64_t>{1099511627781u, 77}));
  EXPECT_EQ(parsed, secret);
  // Found while writing the tokens fuzzer's round-trip property: the id parser also took
  // "+5", " 5", "05" and "5\n", so one credential had many spellings.
  std::string tail = key.substr(key.rfind('.'));
  for (const std::string& other : {"blr1.+1099511627781.77" + tail, "blr1. 1099511627781.77" + tail,
                                   "blr1.01099511627781.77" + tail, "blr1.1099511627781.77 " + tail,
                                   "blr1.1099511627781.0" + tail, "blr1.1099511627781" + tail,
                                   "bls1.1099511627781.77" + tail}) {
    ids.clear();
    EXPECT_FALSE(ParseKey(other, "blr1", 2, &ids, &parsed)) << other;
  }
}

}  // namespace
}  // namespace branchline
