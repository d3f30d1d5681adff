// 1,000 tampered or malformed access tokens through the real gRPC path: every one is
// UNAUTHENTICATED, and the genuine token next to them still works (so the test can fail).
//
// The hostile tokens are built from a genuine one: single-bit flips of the token text and of
// its decoded claims/MAC, truncations, claims re-signed with a wrong key, and claims re-signed
// with THIS server's key (read from its data directory) that are expired, issued in the future,
// of the wrong tenant, of a session or person that does not exist, or of another format
// version; plus garbage, huge tokens and wrong authorization schemes.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/escaping.h"
#include "branchline/internal/v1/records.pb.h"
#include "services/auth/token_signer.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

// "bl2.<key id>.": what precedes the claims in the server's tokens.
constexpr size_t kPrefixSize = 13;

class TokenCampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = server_.AdminToken();
    branch_ = server_.CreateOrg(admin_, server_.RootOrgId(), "本支部").id();
    member_ = server_.CreatePerson(admin_, branch_, "本人", "self").id();
    genuine_ = server_.SignIn("self");
    std::ifstream in(server_.dir().Sub("data/token.key"), std::ios::binary);
    std::stringstream key;
    key << in.rdbuf();
    server_key_ = key.str();
    ASSERT_EQ(server_key_.size(), TokenSigner::kKeyBytes);
    ASSERT_TRUE(DecodeClaims(genuine_, &claims_));
  }

  static bool DecodeClaims(const std::string& token, internal::v1::TokenClaims* claims) {
    auto body = std::string_view(token).substr(kPrefixSize);
    std::string payload;
    if (!absl::WebSafeBase64Unescape(std::string(body.substr(0, body.find('.'))), &payload)) {
      return false;
    }
    return claims->ParseFromString(payload);
  }

  // The answer to an authenticated call carrying `authorization` verbatim.
  grpc::StatusCode CallWith(const std::string& authorization) {
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetPersonRequest r;
    r.set_id(member_);
    v1::Person out;
    return server_.people().GetPerson(&ctx, r, &out).error_code();
  }

  std::string SignWithServerKey(const internal::v1::TokenClaims& c) const {
    return TokenSigner(server_key_).Sign(c);
  }

  TestServer server_;
  std::string admin_;
  uint64_t branch_ = 0, member_ = 0;
  std::string genuine_, server_key_;
  internal::v1::TokenClaims claims_;
};

// Printable ASCII only: anything else is refused by the client library before it reaches the
// server, which would not exercise our code.
bool Printable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

TEST_F(TokenCampaignTest, AThousandHostileTokensAreAllUnauthenticated) {
  std::mt19937_64 rng(20261121);
  const int64_t now = time(nullptr);
  std::vector<std::pair<std::string, std::string>> cases;  // {kind, authorization value}
  auto bearer = [](const std::string& t) { return "Bearer " + t; };

  // 300 single-bit flips of the token text (kept printable).
  while (cases.size() < 300) {
    std::string t = genuine_;
    size_t pos = rng() % t.size();
    t[pos] = static_cast<char>(t[pos] ^ (1 << (rng() % 7)));
    if (t != genuine_ && Printable(t)) cases.push_back({"bit flip (text)", bearer(t)});
  }
  // 100 single-bit flips of the decoded claims or MAC, re-encoded canonically.
  {
    const std::string prefix = genuine_.substr(0, kPrefixSize);
    auto body = genuine_.substr(kPrefixSize);
    std::string payload, mac;
    ASSERT_TRUE(absl::WebSafeBase64Unescape(body.substr(0, body.find('.')), &payload));
    ASSERT_TRUE(absl::WebSafeBase64Unescape(body.substr(body.find('.') + 1), &mac));
    for (int i = 0; i < 100; ++i) {
      std::string p = payload, m = mac;
      std::string& target = i % 2 ? p : m;
      target[rng() % target.size()] ^= static_cast<char>(1 << (rng() % 8));
      cases.push_back({"bit flip (bytes)", bearer(prefix + absl::WebSafeBase64Escape(p) + "." +
                                                  absl::WebSafeBase64Escape(m))});
    }
  }
  // 100 truncations (every prefix is refused, including the empty token).
  for (int i = 0; i < 100; ++i) {
    cases.push_back({"truncated", bearer(genuine_.substr(0, rng() % genuine_.size()))});
  }
  // 100 genuine claims signed with a wrong key.
  for (int i = 0; i < 100; ++i) {
    std::string key(TokenSigner::kKeyBytes, '\0');
    for (auto& c : key) c = static_cast<char>(rng());
    if (i == 0) key = std::string(TokenSigner::kKeyBytes, '\0');  // the all-zero key too
    cases.push_back({"wrong key", bearer(TokenSigner(key).Sign(claims_))});
  }
  // 300 claims correctly signed with this server's key, each wrong in one way.
  for (int i = 0; i < 300; ++i) {
    internal::v1::TokenClaims c = claims_;
    std::string kind;
    switch (i % 6) {
      case 0:
        kind = "expired";
        c.set_expires_at(now - 1 - static_cast<int64_t>(rng() % 1'000'000));
        break;
      case 1:
        kind = "issued in the future";
        c.set_issued_at(now + TokenSigner::kMaxSkewSeconds + 5 + rng() % 1'000'000);
        c.set_expires_at(c.issued_at() + 3600);
        break;
      case 2:
        kind = "wrong tenant";
        c.set_tenant_id(c.tenant_id() + 1 + rng() % 1000);
        break;
      case 3:
        kind = "session that does not exist";
        c.set_session_id(c.session_id() + 1 + rng() % 1'000'000);
        break;
      case 4:
        kind = "person that does not exist";
        c.set_person_id(c.person_id() + 1 + rng() % 1000);
        break;
      default:
        kind = "other format version";
        c.set_version(static_cast<uint32_t>(2 + rng() % 100));
        break;
    }
    cases.push_back({kind, bearer(SignWithServerKey(c))});
  }
  // 50 garbage tokens: random printable text, some dressed as our format.
  for (int i = 0; i < 50; ++i) {
    std::string t(1 + rng() % 200, ' ');
    for (auto& c : t) c = static_cast<char>(0x21 + rng() % 94);
    if (i % 2) t = genuine_.substr(0, kPrefixSize) + t + "." + t;
    cases.push_back({"garbage", bearer(t)});
  }
  // 25 huge tokens (over the 1,024-character limit, under gRPC's metadata limit).
  for (int i = 0; i < 25; ++i) {
    std::string t = genuine_ + std::string(1000 + rng() % 6000, 'A');
    cases.push_back({"huge", bearer(t)});
  }
  // 25 wrong authorization schemes around the genuine token.
  const std::vector<std::string> schemes = {"bearer " + genuine_,
                                            "Basic " + genuine_,
                                            genuine_,
                                            "Bearer  " + genuine_,
                                            "Bearer " + genuine_ + "." + genuine_,
                                            "Bearer " + genuine_ + ".",
                                            "Bearer",
                                            "Bearer ",
                                            "Token " + genuine_,
                                            "Bearer " + genuine_ + "=",
                                            "Bearer bl1..",
                                            "Bearer bl2..",
                                            "Bearer bl3." + genuine_.substr(4),
                                            "Bearer " + genuine_ + genuine_};
  for (int i = 0; i < 25; ++i) cases.push_back({"scheme", schemes[i % schemes.size()]});
  ASSERT_EQ(cases.size(), 1000u);

  std::map<std::string, int> refused;
  for (const auto& [kind, authorization] : cases) {
    auto code = CallWith(authorization);
    EXPECT_EQ(code, grpc::UNAUTHENTICATED) << kind << ": " << authorization.substr(0, 200);
    if (code == grpc::UNAUTHENTICATED) ++refused[kind];
  }
  int total = 0;
  for (const auto& [kind, n] : refused) total += n;
  EXPECT_EQ(total, 1000);
  // The genuine token still works: the refusals above are about the tokens, not the server.
  EXPECT_EQ(CallWith("Bearer " + genuine_), grpc::OK);
}

}  // namespace
}  // namespace branchline
