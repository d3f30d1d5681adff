#include "services/auth/token_keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "services/auth/token_signer.h"
#include "services/common/atomic_file.h"

namespace branchline {

namespace {

constexpr size_t kRetiredBytes = 8 + TokenSigner::kKeyBytes;

std::string EncodePrevious(const std::vector<TokenKeys::Retired>& previous) {
  std::string out;
  for (const auto& retired : previous) {
    uint64_t t = static_cast<uint64_t>(retired.retired_at);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((t >> shift) & 0xff);
    out += retired.key;
  }
  return out;
}

absl::StatusOr<std::vector<TokenKeys::Retired>> LoadPrevious(const std::string& path) {
  std::vector<TokenKeys::Retired> previous;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return previous;  // no rotation yet
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    return absl::PermissionDeniedError(path + " is readable by others; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) return absl::UnavailableError("cannot read " + path);
  const std::string data = buffer.str();
  if (data.size() % kRetiredBytes != 0) return absl::DataLossError(path + " has the wrong size");
  for (size_t at = 0; at < data.size(); at += kRetiredBytes) {
    uint64_t t = 0;
    for (size_t i = 0; i < 8; ++i) t = (t << 8) | static_cast<unsigned char>(data[at + i]);
    previous.push_back({data.substr(at + 8, TokenSigner::kKeyBytes), static_cast<int64_t>(t)});
  }
  return previous;
}

}  // namespace

absl::StatusOr<TokenKeys> LoadTokenKeys(const std::string& key_path) {
  struct stat st;
  if (stat(key_path.c_str(), &st) != 0) return absl::NotFoundError(key_path + " does not exist");
  return LoadOrCreateTokenKeys(key_path);
}

absl::StatusOr<TokenKeys> LoadOrCreateTokenKeys(const std::string& key_path) {
  auto current = TokenSigner::LoadOrCreateKey(key_path);
  if (!current.ok()) return current.status();
  auto previous = LoadPrevious(key_path + kPreviousTokenKeysSuffix);
  if (!previous.ok()) return previous.status();
  return TokenKeys{std::move(*current), std::move(*previous)};
}

absl::StatusOr<TokenKeys> RotateTokenKeys(const std::string& key_path, int64_t now_seconds,
                                          int64_t keep_seconds) {
  auto keys = LoadTokenKeys(key_path);
  if (!keys.ok()) return keys.status();
  TokenKeys rotated;
  if (keep_seconds > 0) {
    rotated.previous.push_back({keys->current, now_seconds});
    for (auto& retired : keys->previous) {
      if (retired.retired_at + keep_seconds >= now_seconds) {
        rotated.previous.push_back(std::move(retired));
      }
    }
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  // A key id names one key among those kept (and never the old current key).
  auto taken = [&](const std::string& key) {
    if (TokenSigner::KeyId(key) == TokenSigner::KeyId(keys->current)) return true;
    return std::any_of(rotated.previous.begin(), rotated.previous.end(), [&](const auto& r) {
      return TokenSigner::KeyId(r.key) == TokenSigner::KeyId(key);
    });
  };
  rotated.current.assign(TokenSigner::kKeyBytes, '\0');
  do {
    randombytes_buf(rotated.current.data(), rotated.current.size());
  } while (taken(rotated.current));
  // Previous first: a reader between the two renames sees the old current key twice, never
  // a token's key missing.
  const std::string previous_path = key_path + kPreviousTokenKeysSuffix;
  if (auto s = WriteFileAtomically(previous_path, EncodePrevious(rotated.previous)); !s.ok())
    return s;
  if (auto s = WriteFileAtomically(key_path, rotated.current); !s.ok()) return s;
  return rotated;
}

}  // namespace branchline
