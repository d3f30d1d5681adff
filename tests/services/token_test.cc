#include <gtest/gtest.h>
#include <sys/stat.h>

#include "services/auth/password_hasher.h"
#include "services/auth/token_signer.h"
#include "storage/key_codec.h"
#include "tests/support/temp_dir.h"

namespace branchline {
namespace {

internal::v1::TokenClaims Claims(int64_t now) {
  internal::v1::TokenClaims c;
  c.set_version(1);
  c.set_person_id(storage::MakeId(1, 42));
  c.set_tenant_id(1);
  c.set_session_id(7);
  c.set_issued_at(now);
  c.set_expires_at(now + 900);
  return c;
}

TEST(TokenSigner, VerifiesWhatItSigned) {
  TokenSigner signer(std::string(32, 'k'));
  auto token = signer.Sign(Claims(1000));
  auto claims = signer.Verify(token, 1001);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->person_id(), storage::MakeId(1, 42));
}

TEST(TokenSigner, RefusesExpiredFutureTamperedAndForeignTokens) {
  TokenSigner signer(std::string(32, 'k'));
  TokenSigner other(std::string(32, 'x'));
  auto token = signer.Sign(Claims(1000));
  EXPECT_EQ(signer.Verify(token, 1900).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(signer.Verify(token, 1000 - 3600).status().code(),
            absl::StatusCode::kUnauthenticated);  // issued an hour in the future
  EXPECT_EQ(other.Verify(token, 1001).status().code(), absl::StatusCode::kUnauthenticated);
  // Flip every bit of every character: never accepted.
  for (size_t i = 0; i < token.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = token;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      EXPECT_FALSE(signer.Verify(t, 1001).ok()) << "position " << i << " bit " << bit;
    }
  }
  for (size_t cut = 0; cut < token.size(); ++cut) {
    EXPECT_FALSE(signer.Verify(token.substr(0, cut), 1001).ok());
  }
  // A person id of another tenant than the claimed one.
  auto claims = Claims(1000);
  claims.set_tenant_id(2);
  EXPECT_FALSE(signer.Verify(signer.Sign(claims), 1001).ok());
}

TEST(TokenSigner, KeyFileIsCreatedPrivateAndReused) {
  testing::TempDir dir;
  auto path = dir.Sub("token.key");
  auto key = TokenSigner::LoadOrCreateKey(path);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), TokenSigner::kKeyBytes);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(*TokenSigner::LoadOrCreateKey(path), *key);
  chmod(path.c_str(), 0644);
  EXPECT_EQ(TokenSigner::LoadOrCreateKey(path).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(PasswordHasher, Argon2idVerifiesOnlyTheRightPassword) {
  PasswordHasher hasher(PasswordHasher::Strength::kFastForTests);
  auto hash = hasher.Hash("正确的密码-1");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(hasher.Verify(*hash, "正确的密码-1"));
  EXPECT_FALSE(hasher.Verify(*hash, "正确的密码-2"));
  EXPECT_FALSE(hasher.Verify("", "x"));
  EXPECT_FALSE(hasher.Verify("garbage", "x"));
  EXPECT_NE(*hasher.Hash("same"), *hasher.Hash("same"));  // salted
}

}  // namespace
}  // namespace branchline
