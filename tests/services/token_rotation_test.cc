// Signing-key rotation (services/auth/token_keys.h): tokens signed before a rotation keep
// working until they expire, new tokens use the new key, keys older than the kept ones are
// refused, and the server follows the key files without a restart.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "services/auth/token_keys.h"
#include "services/auth/token_signer.h"
#include "storage/key_codec.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

constexpr int64_t kT = 1'800'000'000;

internal::v1::TokenClaims Claims(int64_t issued) {
  internal::v1::TokenClaims c;
  c.set_version(1);
  c.set_person_id(storage::MakeId(1, 42));
  c.set_tenant_id(1);
  c.set_session_id(7);
  c.set_issued_at(issued);
  c.set_expires_at(issued + 900);
  return c;
}

std::string KeyIdOf(const std::string& token) { return token.substr(4, 8); }

int Mode(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 0777;
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(TokenKeys, RotationKeepsThePreviousKeyAndTheFilesPrivate) {
  testing::TempDir dir;
  const std::string path = dir.Sub("token.key");
  auto first = LoadOrCreateTokenKeys(path);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->previous.empty());
  TokenSigner before(*first);
  const std::string old_token = before.Sign(Claims(kT - 10));
  EXPECT_EQ(KeyIdOf(old_token), TokenSigner::KeyId(first->current));

  auto rotated = RotateTokenKeys(path, kT, TokenSigner::kKeepRetiredSeconds);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_NE(rotated->current, first->current);
  ASSERT_EQ(rotated->previous.size(), 1u);
  EXPECT_EQ(rotated->previous[0].key, first->current);
  EXPECT_EQ(rotated->previous[0].retired_at, kT);
  EXPECT_EQ(Mode(path), 0600);
  EXPECT_EQ(Mode(path + kPreviousTokenKeysSuffix), 0600);

  // A restart reads both keys back.
  auto reloaded = LoadOrCreateTokenKeys(path);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->current, rotated->current);
  ASSERT_EQ(reloaded->previous.size(), 1u);
  EXPECT_EQ(reloaded->previous[0].key, first->current);
  TokenSigner after(*reloaded);
  auto claims = after.Verify(old_token, kT + 60);
  ASSERT_TRUE(claims.ok()) << claims.status();
  const std::string new_token = after.Sign(Claims(kT + 60));
  EXPECT_EQ(KeyIdOf(new_token), TokenSigner::KeyId(rotated->current));
  EXPECT_TRUE(after.Verify(new_token, kT + 61).ok());
  // The old server's signer does not know the new key (no files to follow).
  EXPECT_EQ(before.Verify(new_token, kT + 61).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(TokenKeys, AKeyOlderThanTheKeptOnesIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.Sub("token.key");
  auto first = LoadOrCreateTokenKeys(path);
  ASSERT_TRUE(first.ok());
  const std::string oldest = TokenSigner(*first).Sign(Claims(kT - 10));
  ASSERT_TRUE(RotateTokenKeys(path, kT, TokenSigner::kKeepRetiredSeconds).ok());
  // A second rotation after the keep period drops the first key.
  auto second = RotateTokenKeys(path, kT + TokenSigner::kKeepRetiredSeconds + 1,
                                TokenSigner::kKeepRetiredSeconds);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->previous.size(), 1u);
  EXPECT_NE(second->previous[0].key, first->current);
  auto refused = TokenSigner(*second).Verify(oldest, kT + 100);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(refused.status().message().find("no longer accepts"), std::string::npos)
      << refused.status();
  // Two rotations within the keep period keep both previous keys.
  auto third = RotateTokenKeys(path, kT + TokenSigner::kKeepRetiredSeconds + 2,
                               TokenSigner::kKeepRetiredSeconds);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->previous.size(), 2u);
}

TEST(TokenKeys, DroppingThePreviousKeysEndsTheirTokensAtOnce) {
  testing::TempDir dir;
  const std::string path = dir.Sub("token.key");
  auto first = LoadOrCreateTokenKeys(path);
  ASSERT_TRUE(first.ok());
  const std::string token = TokenSigner(*first).Sign(Claims(kT - 10));
  auto rotated = RotateTokenKeys(path, kT, /*keep_seconds=*/0);
  ASSERT_TRUE(rotated.ok());
  EXPECT_TRUE(rotated->previous.empty());
  EXPECT_EQ(TokenSigner(*rotated).Verify(token, kT + 1).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(TokenKeys, ARetiredKeyVerifiesOnlyTokensItCouldHaveSigned) {
  TokenKeys keys{std::string(32, 'n'), {{std::string(32, 'o'), kT}}};
  TokenSigner signer(keys);
  TokenSigner old_key(std::string(32, 'o'));
  // Signed before the rotation: accepted while it lives.
  EXPECT_TRUE(signer.Verify(old_key.Sign(Claims(kT - 10)), kT + 100).ok());
  // "Signed" with the old key long after it retired (someone who kept a copy): refused.
  auto late = signer.Verify(old_key.Sign(Claims(kT + 600)), kT + 601);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kUnauthenticated);
  // Past the keep period nothing of the old key verifies, whatever its expiry says.
  auto claims = Claims(kT - 10);
  claims.set_expires_at(kT + 100'000);
  EXPECT_EQ(signer.Verify(old_key.Sign(claims), kT + TokenSigner::kKeepRetiredSeconds + 100)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
}

// Tokens from before key ids ("bl1.", no key id): verified with the kept keys, so an upgrade
// signs nobody out; refused once their key is gone.
TEST(TokenKeys, TokensWithoutAKeyIdVerifyWithAKeptKey) {
  const std::string old_key(32, 'o');
  const std::string legacy = TokenSigner::SignWithoutKeyIdForTesting(old_key, Claims(kT - 10));
  ASSERT_EQ(legacy.substr(0, 4), "bl1.");
  EXPECT_TRUE(TokenSigner(old_key).Verify(legacy, kT).ok());
  TokenSigner rotated(TokenKeys{std::string(32, 'n'), {{old_key, kT}}});
  EXPECT_TRUE(rotated.Verify(legacy, kT + 100).ok());
  auto gone = TokenSigner(std::string(32, 'n')).Verify(legacy, kT + 100);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kUnauthenticated);
  // Tampered key ids and unknown formats.
  std::string token = rotated.Sign(Claims(kT));
  token[4] = token[4] == 'a' ? 'b' : 'a';
  EXPECT_EQ(rotated.Verify(token, kT + 1).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(rotated.Verify("bl3.x.y", kT).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(rotated.Verify("bl2.1234", kT).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(TokenKeys, MalformedOrReadableKeyFilesAreRefused) {
  testing::TempDir dir;
  const std::string path = dir.Sub("token.key");
  ASSERT_TRUE(LoadOrCreateTokenKeys(path).ok());
  ASSERT_TRUE(RotateTokenKeys(path, kT, TokenSigner::kKeepRetiredSeconds).ok());
  const std::string previous = path + kPreviousTokenKeysSuffix;
  chmod(previous.c_str(), 0644);
  EXPECT_EQ(LoadOrCreateTokenKeys(path).status().code(), absl::StatusCode::kPermissionDenied);
  chmod(previous.c_str(), 0600);
  std::ofstream(previous, std::ios::app) << "x";
  EXPECT_EQ(LoadOrCreateTokenKeys(path).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(RotateTokenKeys(dir.Sub("missing.key"), kT, 60).status().code(),
            absl::StatusCode::kNotFound);
}

// The running server: a rotation of its key files (as `branchline-server --rotate-token-key`
// does) while it serves signs nobody out; the new key signs; a restart keeps both.
TEST(TokenRotation, ServerAcceptsTokensSignedBeforeARotationAndAfterARestart) {
  TestServer server;
  const std::string before = server.AdminToken();
  const uint64_t root = server.RootOrgId();
  auto get = [&](const std::string& token) {
    v1::GetOrganizationRequest request;
    request.set_id(root);
    v1::Organization out;
    return server.orgs().GetOrganization(TestServer::Ctx(token).get(), request, &out);
  };
  ASSERT_TRUE(get(before).ok());
  const std::string key_path = server.dir().Sub("data/token.key");
  auto rotated = RotateTokenKeys(key_path, Now(), TokenSigner::kKeepRetiredSeconds);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_TRUE(get(before).ok()) << "a token signed before the rotation";
  // The server notices the new files within kReloadInterval; a token of the new key (signed
  // by another server of the cluster) is accepted at once.
  {
    // The same claims signed with the new key, as another server of a cluster that saw the
    // rotation first would: accepted at once (an unknown key id makes the server look).
    std::string payload;
    const size_t start = before.find('.', 4) + 1;
    ASSERT_TRUE(
        absl::WebSafeBase64Unescape(before.substr(start, before.rfind('.') - start), &payload));
    internal::v1::TokenClaims claims;
    ASSERT_TRUE(claims.ParseFromString(payload));
    EXPECT_TRUE(get(TokenSigner(rotated->current).Sign(claims)).ok());
  }
  std::this_thread::sleep_for(TokenSigner::kReloadInterval + std::chrono::milliseconds(200));
  const std::string after = server.AdminToken();
  EXPECT_EQ(KeyIdOf(after), TokenSigner::KeyId(rotated->current));
  EXPECT_NE(KeyIdOf(after), KeyIdOf(before));
  EXPECT_TRUE(get(after).ok());
  server.Restart();
  EXPECT_TRUE(get(before).ok()) << "the previous key survives a restart";
  EXPECT_TRUE(get(after).ok());
  EXPECT_EQ(Mode(key_path), 0600);
  EXPECT_EQ(Mode(key_path + kPreviousTokenKeysSuffix), 0600);
  // A second rotation that drops the previous keys (a leaked key): the old token is refused.
  ASSERT_TRUE(RotateTokenKeys(key_path, Now(), 0).ok());
  server.Restart();
  auto refused = get(before);
  EXPECT_EQ(refused.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_NE(refused.error_message().find("rotated"), std::string::npos) << refused.error_message();
}

}  // namespace
}  // namespace branchline
