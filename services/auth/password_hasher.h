#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace branchline {

// Argon2id password hashing (libsodium crypto_pwhash_str).
//
// kInteractive is libsodium's interactive level (64 MiB, ~0.1 s): the production setting.
// kFastForTests uses the minimum cost so test suites can create many people; never use it
// in production. At most `max_concurrent` hashes run at once, bounding memory (each holds
// 64 MiB at kInteractive); further callers wait. Thread-safe.
class PasswordHasher {
 public:
  enum class Strength { kInteractive, kFastForTests };

  explicit PasswordHasher(Strength strength, int max_concurrent = 2);

  // The encoded hash (algorithm, parameters, salt and digest in one string).
  absl::StatusOr<std::string> Hash(std::string_view password);
  // True when `password` matches `encoded`; false also for an empty or malformed hash.
  bool Verify(std::string_view encoded, std::string_view password);
  // Spends the time of one verification without a stored hash, so an unknown login takes as
  // long as a wrong password.
  void VerifyDummy(std::string_view password);

 private:
  class Slot;
  unsigned long long ops_;
  size_t mem_;
  int available_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::string dummy_hash_;
};

}  // namespace branchline
