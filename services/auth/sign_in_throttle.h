#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/clock.h"

namespace branchline {

// Slows credential guessing without letting a stranger lock the owner out (docs/security.md,
// "Sign-in throttle", has the policy and its figures).
//
// An attempt is reserved by Begin() before the credential is checked, so concurrent guesses
// count at once: there is no window between checking a limit and recording a failure. Each
// reservation counts as a failure until Attempt::Succeeded() refunds it. The limits:
//  - per (account, address): `pair_failures` free, then a block that starts at
//    `first_block_micros` and doubles with every further failure up to `max_block_micros`.
//    A stranger's failures block only the stranger's own address for that account. The
//    back-off is forgotten `max_block_micros` after its block ends (or on a success).
//  - per account, a ceiling on failures from addresses that have not signed in to it within
//    `known_address_micros`: many addresses together get `account_failures` per
//    `account_window_micros`, while the owner's known addresses (the last
//    `known_addresses_per_account` with a success) keep their own budget.
//  - per address, any account: `address_failures` per `address_window_micros` (spraying one
//    password over many accounts).
//  - at most `account_in_flight` / `address_in_flight` attempts being checked at once, so one
//    guesser cannot fill the password-hashing slots; the rest are refused without hashing.
//    An account's known addresses are not held back by its in-flight bound.
// Refusals are RESOURCE_EXHAUSTED with a google.rpc.RetryInfo and the same message whatever
// the account, so a refusal says nothing about whether the account exists.
//
// `account` is an opaque bucket name (the caller resolves every login spelling to one);
// `address` the client's IP, "" when unknown (then only the account limits apply). Kept in
// memory only (a restart forgets; addresses are never stored or logged). Bounded: at most
// kMaxEntries counters (when full, the tenth that expires soonest is dropped) and kMaxEntries
// accounts with known addresses (when full, those whose addresses all expired, else any one).
// Thread-safe.
class SignInThrottle {
 public:
  static constexpr int64_t kMinuteMicros = 60'000'000;
  static constexpr int64_t kDayMicros = 24 * 60 * kMinuteMicros;

  struct Limits {
    int pair_failures = 5;
    int64_t first_block_micros = 15 * kMinuteMicros;
    int64_t max_block_micros = kDayMicros;
    int account_failures = 30;  // 0: no per-account ceiling
    int64_t account_window_micros = kDayMicros;
    int address_failures = 50;  // a carrier NAT or an office has many users behind one address
    int64_t address_window_micros = 15 * kMinuteMicros;
    // Below PasswordHasher's 2 slots: one guesser (one address, or many on one account)
    // holds at most one, so everyone else always finds the other.
    int account_in_flight = 1;  // 0: unbounded
    int address_in_flight = 1;  // 0: unbounded
    int64_t known_address_micros = 30 * kDayMicros;
    int known_addresses_per_account = 4;
  };
  // Service keys carry 256 random bits: guessing one is hopeless, so a key id needs no
  // ceiling that a stranger could use to lock its integration out, and checking a key
  // (one SHA-256) needs no hashing bound. Failures still back off per (key id, address)
  // and count per address.
  static Limits ServiceKeyLimits() {
    Limits limits;
    limits.account_failures = 0;
    limits.account_in_flight = 0;
    limits.address_in_flight = 0;
    return limits;
  }
  static constexpr size_t kMaxEntries = 100'000;

  // One reserved attempt. Destroying it frees its in-flight places; its failure stays
  // counted unless Succeeded() was called. Must not outlive the throttle.
  class Attempt {
   public:
    Attempt(Attempt&& other) noexcept;
    Attempt& operator=(Attempt&&) = delete;
    ~Attempt();
    // The credential was right: refunds this attempt's failure, ends the back-off of this
    // (account, address) and remembers the address as one the account signs in from.
    void Succeeded();

   private:
    friend class SignInThrottle;
    Attempt(SignInThrottle* throttle, std::string account, std::string address,
            bool counted_for_account)
        : throttle_(throttle),
          account_(std::move(account)),
          address_(std::move(address)),
          counted_for_account_(counted_for_account) {}
    SignInThrottle* throttle_;
    std::string account_;
    std::string address_;
    bool counted_for_account_;
    bool succeeded_ = false;
  };

  explicit SignInThrottle(const Clock& clock) : SignInThrottle(clock, Limits{}) {}
  SignInThrottle(const Clock& clock, Limits limits) : clock_(clock), limits_(limits) {}

  // Reserves an attempt for `account` from `address`, or RESOURCE_EXHAUSTED (with RetryInfo)
  // when a limit holds it back; a refused attempt counts nothing.
  absl::StatusOr<Attempt> Begin(std::string_view account, std::string_view address);

  // Counters and accounts with known addresses held now (for the memory-bound test).
  size_t EntriesForTesting();

 private:
  // A failure count: in a fixed window (accounts, addresses) or with a back-off (pairs).
  struct Counter {
    int failures = 0;
    int64_t window_start = 0;
    int64_t blocked_until = 0;
    int64_t forget_at = 0;  // when dropping it changes nothing
  };
  struct KnownAddress {
    std::string address;
    int64_t last_success = 0;
  };

  // Seconds `counter` still holds back at `now` (0: free). Caller holds mu_.
  static int64_t WindowWait(const Counter* counter, int limit, int64_t window, int64_t now);
  Counter* Find(const std::string& key);
  Counter& Upsert(const std::string& key, int64_t now);
  void CountInWindow(const std::string& key, int64_t window, int64_t now);
  void Uncount(const std::string& key);
  bool IsKnown(const std::string& account, std::string_view address, int64_t now) const;
  void RememberKnown(const std::string& account, const std::string& address, int64_t now);
  void Refund(const Attempt& attempt);
  void Release(const Attempt& attempt);
  void EvictIfFull(int64_t now);

  const Clock& clock_;
  const Limits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Counter> counters_;
  std::unordered_map<std::string, int> in_flight_;
  std::unordered_map<std::string, std::vector<KnownAddress>> known_;
};

}  // namespace branchline
