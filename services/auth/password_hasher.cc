#include "services/auth/password_hasher.h"

#include <sodium.h>

namespace branchline {

class PasswordHasher::Slot {
 public:
  explicit Slot(PasswordHasher& h) : h_(h) {
    std::unique_lock lock(h_.mu_);
    h_.freed_.wait(lock, [&] { return h_.available_ > 0; });
    --h_.available_;
  }
  ~Slot() {
    {
      std::lock_guard lock(h_.mu_);
      ++h_.available_;
    }
    h_.freed_.notify_one();
  }

 private:
  PasswordHasher& h_;
};

PasswordHasher::PasswordHasher(Strength strength, int max_concurrent) : available_(max_concurrent) {
  if (sodium_init() < 0) abort();  // libsodium cannot work without a random source
  if (strength == Strength::kInteractive) {
    ops_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    mem_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  } else {
    ops_ = crypto_pwhash_OPSLIMIT_MIN;
    mem_ = crypto_pwhash_MEMLIMIT_MIN;
  }
  auto dummy = Hash("branchline-dummy-password");
  if (dummy.ok()) dummy_hash_ = *dummy;
}

absl::StatusOr<std::string> PasswordHasher::Hash(std::string_view password) {
  Slot slot(*this);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_, mem_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("password hashing ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded, std::string_view password) {
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  std::string hash(encoded);  // must be NUL-terminated
  Slot slot(*this);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::VerifyDummy(std::string_view password) { (void)Verify(dummy_hash_, password); }

}  // namespace branchline
