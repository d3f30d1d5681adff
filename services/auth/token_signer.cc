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
#include "services/common/digest.h"
#include "services/common/refusal.h"
#include "storage/key_codec.h"

namespace branchline {

namespace {
constexpr std::string_view kPrefix = "bl2.";
constexpr std::string_view kPrefixWithoutKeyId = "bl1.";
constexpr size_t kKeyIdChars = 8;

absl::Status Bad(std::string_view why) {
  return DescribedRefusal(absl::StatusCode::kUnauthenticated, reasons::kInvalidAccessToken, {},
                          "invalid access token: " + std::string(why));
}

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What identifies the key files' contents without reading them: inode, size and change time
// of each (a rotation renames new files into place).
std::string FilesIdentity(const std::string& key_path) {
  std::string identity;
  for (const std::string& path : {key_path, key_path + kPreviousTokenKeysSuffix}) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      identity += "-;";
      continue;
    }
    identity += std::to_string(st.st_ino) + "," + std::to_string(st.st_size) + "," +
                std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ";";
  }
  return identity;
}

std::string Encode(std::string_view prefix, std::string_view payload, std::string_view mac) {
  return std::string(prefix) + absl::WebSafeBase64Escape(AbslView(payload)) + "." +
         absl::WebSafeBase64Escape(AbslView(mac));
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

std::string TokenSigner::KeyId(std::string_view key) {
  return ToHex(Sha256(key)).substr(0, kKeyIdChars);
}

std::shared_ptr<const TokenSigner::Keyring> TokenSigner::MakeKeyring(const TokenKeys& keys) {
  auto ring = std::make_shared<Keyring>();
  ring->reserve(1 + keys.previous.size());
  ring->push_back(Key{KeyId(keys.current), HmacSha256(keys.current), 0});
  for (const auto& retired : keys.previous) {
    ring->push_back(Key{KeyId(retired.key), HmacSha256(retired.key), retired.retired_at});
  }
  return ring;
}

TokenSigner::TokenSigner(std::string_view key)
    : keyring_(MakeKeyring(TokenKeys{std::string(key), {}})) {}

TokenSigner::TokenSigner(const TokenKeys& keys) : keyring_(MakeKeyring(keys)) {}

absl::StatusOr<std::unique_ptr<TokenSigner>> TokenSigner::FollowKeyFiles(
    const std::string& key_path) {
  auto keys = LoadOrCreateTokenKeys(key_path);
  if (!keys.ok()) return keys.status();
  auto signer = std::make_unique<TokenSigner>(*keys);
  signer->key_path_ = key_path;
  signer->files_identity_ = FilesIdentity(key_path);
  signer->next_check_ns_ = SteadyNanos() + std::chrono::nanoseconds(kReloadInterval).count();
  return signer;
}

void TokenSigner::MaybeReload(bool force) const {
  if (key_path_.empty()) return;
  const int64_t now = SteadyNanos();
  if (!force && now < next_check_ns_.load(std::memory_order_relaxed)) return;
  std::unique_lock lock(reload_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is looking
  if (force) {
    if (now < next_forced_ns_) return;
    next_forced_ns_ = now + 1'000'000'000;
  }
  next_check_ns_ = now + std::chrono::nanoseconds(kReloadInterval).count();
  std::string identity = FilesIdentity(key_path_);
  if (identity == files_identity_) return;
  // A file being replaced or unreadable keeps the keys in use; the next look tries again.
  auto keys = LoadTokenKeys(key_path_);
  if (!keys.ok()) return;
  std::atomic_store(&keyring_, MakeKeyring(*keys));
  files_identity_ = std::move(identity);
}

std::string TokenSigner::Sign(const internal::v1::TokenClaims& claims) const {
  MaybeReload(false);
  auto ring = keyring();
  const Key& current = ring->front();
  std::string payload = claims.SerializeAsString();
  return Encode(std::string(kPrefix) + current.id + ".", payload, current.mac.Mac(payload));
}

std::string TokenSigner::SignWithoutKeyIdForTesting(std::string_view key,
                                                    const internal::v1::TokenClaims& claims) {
  std::string payload = claims.SerializeAsString();
  return Encode(kPrefixWithoutKeyId, payload, HmacSha256(key).Mac(payload));
}

absl::StatusOr<internal::v1::TokenClaims> TokenSigner::Verify(std::string_view token,
                                                              int64_t now_seconds) const {
  if (token.size() > 1024) return Bad("too long");
  MaybeReload(false);
  auto ring = keyring();
  // The keys the MAC may be checked against: the one named, or (old format) every kept key.
  std::vector<const Key*> candidates;
  if (token.substr(0, kPrefix.size()) == kPrefix) {
    token.remove_prefix(kPrefix.size());
    if (token.size() <= kKeyIdChars || token[kKeyIdChars] != '.') return Bad("malformed");
    const std::string_view id = token.substr(0, kKeyIdChars);
    token.remove_prefix(kKeyIdChars + 1);
    auto find = [&] {
      for (const Key& key : *ring) {
        if (key.id == id) return &key;
      }
      return static_cast<const Key*>(nullptr);
    };
    const Key* key = find();
    if (!key) {
      // Perhaps rotated on another server of the cluster, or by the operator just now.
      MaybeReload(true);
      ring = keyring();
      key = find();
    }
    if (!key) {
      return Bad(
          "signed with a key this server no longer accepts (the signing key was rotated); "
          "refresh it or sign in again");
    }
    candidates.push_back(key);
  } else if (token.substr(0, kPrefixWithoutKeyId.size()) == kPrefixWithoutKeyId) {
    token.remove_prefix(kPrefixWithoutKeyId.size());
    for (const Key& key : *ring) candidates.push_back(&key);
  } else {
    return Bad("unknown format");
  }
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
  const Key* signer = nullptr;
  for (const Key* key : candidates) {
    std::string expected = key->mac.Mac(payload);
    if (mac.size() == expected.size() &&
        CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) == 0) {
      signer = key;
      break;
    }
  }
  if (!signer) return Bad("signature does not match");
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
  if (signer->retired_at != 0) {
    // A retired key signs nothing new (a server notices a rotation within kReloadInterval),
    // and is accepted only as long as a token it signed may live.
    const int64_t reload_seconds = kReloadInterval.count();
    if (now_seconds > signer->retired_at + kKeepRetiredSeconds + reload_seconds ||
        claims.issued_at() > signer->retired_at + kMaxSkewSeconds + reload_seconds) {
      return Bad(
          "signed with a key this server no longer accepts (the signing key was rotated); "
          "refresh it or sign in again");
    }
  }
  return claims;
}

}  // namespace branchline
