#include "services/auth/token_signer.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "services/common/absl_compat.h"
#include "services/common/refusal.h"
#include "storage/key_codec.h"

namespace branchline {

namespace {
constexpr std::string_view kPrefix = "bl1.";
absl::Status Bad(std::string_view why) {
  return DescribedRefusal(absl::StatusCode::kUnauthenticated, reasons::kInvalidAccessToken, {},
                          "invalid access token: " + std::string(why));
}
}  // namespace

absl::StatusOr<std::string> TokenSigner::LoadOrCreateKey(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
      return absl::PermissionDeniedError(path + " is readable by others; chmod 600 it");
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in) return absl::UnavailableError("cannot read " + path);
    std::string key = buffer.str();
    if (key.size() != kKeyBytes) return absl::DataLossError(path + " has the wrong size");
    return key;
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  std::string key(kKeyBytes, '\0');
  randombytes_buf(key.data(), key.size());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::UnavailableError("cannot create " + path);
  bool ok = write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) return absl::UnavailableError("cannot write " + path);
  return key;
}

std::string TokenSigner::Sign(const internal::v1::TokenClaims& claims) const {
  std::string payload = claims.SerializeAsString();
  return std::string(kPrefix) + absl::WebSafeBase64Escape(payload) + "." +
         absl::WebSafeBase64Escape(mac_.Mac(payload));
}

absl::StatusOr<internal::v1::TokenClaims> TokenSigner::Verify(std::string_view token,
                                                              int64_t now_seconds) const {
  if (token.size() > 1024) return Bad("too long");
  if (token.substr(0, kPrefix.size()) != kPrefix) return Bad("unknown format");
  token.remove_prefix(kPrefix.size());
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return Bad("malformed");
  std::string payload, mac;
  if (!absl::WebSafeBase64Unescape(AbslView(token.substr(0, dot)), &payload) ||
      !absl::WebSafeBase64Unescape(AbslView(token.substr(dot + 1)), &mac)) {
    return Bad("malformed");
  }
  // Only the canonical encoding is accepted: no two token strings carry the same token.
  if (absl::WebSafeBase64Escape(payload) != token.substr(0, dot) ||
      absl::WebSafeBase64Escape(mac) != token.substr(dot + 1)) {
    return Bad("malformed");
  }
  std::string expected = mac_.Mac(payload);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0) {
    return Bad("signature does not match");
  }
  internal::v1::TokenClaims claims;
  if (!claims.ParseFromString(payload) || claims.version() != 1 || claims.person_id() == 0 ||
      claims.tenant_id() == 0 || storage::TenantOfId(claims.person_id()) != claims.tenant_id()) {
    return Bad("malformed claims");
  }
  if (claims.expires_at() <= now_seconds) {
    return DescribedRefusal(absl::StatusCode::kUnauthenticated, reasons::kTokenExpired, {},
                            "invalid access token: expired; refresh it or sign in again");
  }
  if (claims.issued_at() > now_seconds + kMaxSkewSeconds) return Bad("issued in the future");
  return claims;
}

}  // namespace branchline
