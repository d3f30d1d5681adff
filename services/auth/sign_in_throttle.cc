#include "services/auth/sign_in_throttle.h"

#include <algorithm>
#include <atomic>

#include "google/rpc/error_details.pb.h"
#include "services/auth/sign_in_throttle_count.h"
#include "services/common/absl_compat.h"
#include "services/common/refusal.h"

namespace branchline {

namespace {

std::atomic<uint64_t> refused_total{0};

// Length-prefixed so that no (account, address) pair can spell another's key.
std::string PairKey(std::string_view account, std::string_view address) {
  return "p" + std::to_string(account.size()) + ":" + std::string(account) + std::string(address);
}
std::string AccountKey(std::string_view account) { return "a" + std::string(account); }
std::string AddressKey(std::string_view address) { return "n" + std::string(address); }

int64_t CeilSeconds(int64_t micros) { return std::max<int64_t>(1, (micros + 999'999) / 1'000'000); }

// The same message for every account, known or not: a refusal reveals nothing.
absl::Status Throttled(std::string_view reason, int64_t wait_seconds) {
  refused_total.fetch_add(1, std::memory_order_relaxed);
  absl::Status status = Refusal(absl::StatusCode::kResourceExhausted, reason, {},
                                {{"retry_after_s", std::to_string(wait_seconds)}});
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(wait_seconds);
  status.SetPayload(AbslView("type.googleapis.com/google.rpc.RetryInfo"),
                    absl::Cord(retry.SerializeAsString()));
  return status;
}

}  // namespace

uint64_t SignInThrottleRefusals() { return refused_total.load(std::memory_order_relaxed); }

SignInThrottle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(std::exchange(other.throttle_, nullptr)),
      account_(std::move(other.account_)),
      address_(std::move(other.address_)),
      counted_for_account_(other.counted_for_account_),
      succeeded_(other.succeeded_) {}

SignInThrottle::Attempt::~Attempt() {
  if (throttle_ != nullptr) throttle_->Release(*this);
}

void SignInThrottle::Attempt::Succeeded() {
  if (throttle_ == nullptr || succeeded_) return;
  succeeded_ = true;
  throttle_->Refund(*this);
}

int64_t SignInThrottle::WindowWait(const Counter* counter, int limit, int64_t window, int64_t now) {
  if (counter == nullptr || limit <= 0 || now - counter->window_start >= window) return 0;
  if (counter->failures < limit) return 0;
  return CeilSeconds(counter->window_start + window - now);
}

SignInThrottle::Counter* SignInThrottle::Find(const std::string& key) {
  auto it = counters_.find(key);
  return it == counters_.end() ? nullptr : &it->second;
}

SignInThrottle::Counter& SignInThrottle::Upsert(const std::string& key, int64_t now) {
  if (counters_.size() >= kMaxEntries && counters_.find(key) == counters_.end()) EvictIfFull(now);
  return counters_[key];
}

void SignInThrottle::CountInWindow(const std::string& key, int64_t window, int64_t now) {
  const bool fresh = Find(key) == nullptr;
  Counter& c = Upsert(key, now);
  if (fresh || now - c.window_start >= window) c = Counter{0, now, 0, now + window};
  ++c.failures;
}

void SignInThrottle::Uncount(const std::string& key) {
  if (Counter* c = Find(key); c != nullptr && c->failures > 0) --c->failures;
}

void SignInThrottle::EvictIfFull(int64_t now) {
  std::erase_if(counters_, [&](const auto& entry) { return entry.second.forget_at <= now; });
  if (counters_.size() < kMaxEntries) return;
  // Still full of live counters: drop the tenth that would be forgotten soonest, so one sweep
  // pays for many insertions.
  std::vector<std::pair<int64_t, std::string>> by_expiry;
  by_expiry.reserve(counters_.size());
  for (const auto& [key, c] : counters_) by_expiry.emplace_back(c.forget_at, key);
  size_t drop = counters_.size() / 10 + 1;
  std::nth_element(by_expiry.begin(), by_expiry.begin() + drop - 1, by_expiry.end());
  for (size_t i = 0; i < drop; ++i) counters_.erase(by_expiry[i].second);
}

bool SignInThrottle::IsKnown(const std::string& account, std::string_view address,
                             int64_t now) const {
  auto it = known_.find(account);
  if (it == known_.end() || address.empty()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const KnownAddress& k) {
    return k.address == address && now - k.last_success < limits_.known_address_micros;
  });
}

void SignInThrottle::RememberKnown(const std::string& account, const std::string& address,
                                   int64_t now) {
  if (address.empty() || limits_.known_addresses_per_account <= 0) return;
  if (known_.size() >= kMaxEntries && known_.find(account) == known_.end()) {
    std::erase_if(known_, [&](const auto& entry) {
      return std::all_of(entry.second.begin(), entry.second.end(), [&](const KnownAddress& k) {
        return now - k.last_success >= limits_.known_address_micros;
      });
    });
    if (known_.size() >= kMaxEntries) known_.erase(known_.begin());
  }
  auto& list = known_[account];
  std::erase_if(list, [&](const KnownAddress& k) { return k.address == address; });
  // Most recent first; the oldest beyond the per-account bound is forgotten.
  list.insert(list.begin(), KnownAddress{address, now});
  if (list.size() > static_cast<size_t>(limits_.known_addresses_per_account)) list.pop_back();
}

absl::StatusOr<SignInThrottle::Attempt> SignInThrottle::Begin(std::string_view account,
                                                              std::string_view address) {
  const int64_t now = clock_.NowMicros();
  const std::string account_key = AccountKey(account);
  const std::string address_key = AddressKey(address);
  const std::string pair_key = PairKey(account, address);
  std::lock_guard lock(mu_);

  // Attempts already being checked: refused at once, without hashing and without counting.
  // The owner's known addresses are not held back by what strangers have in flight.
  const bool known = IsKnown(std::string(account), address, now);
  auto busy = [&](const std::string& key, int limit) {
    auto it = in_flight_.find(key);
    return limit > 0 && it != in_flight_.end() && it->second >= limit;
  };
  if ((!known && busy(account_key, limits_.account_in_flight)) ||
      (!address.empty() && busy(address_key, limits_.address_in_flight))) {
    return Throttled(reasons::kSignInBusy, 1);
  }

  const Counter* pair = Find(pair_key);
  if (pair != nullptr && pair->forget_at <= now) {  // a quiet day after its block: forgotten
    counters_.erase(pair_key);
    pair = nullptr;
  }
  int64_t wait =
      pair != nullptr && pair->blocked_until > now ? CeilSeconds(pair->blocked_until - now) : 0;
  const bool count_for_account = !known && limits_.account_failures > 0;
  if (count_for_account) {
    wait = std::max(wait, WindowWait(Find(account_key), limits_.account_failures,
                                     limits_.account_window_micros, now));
  }
  if (!address.empty()) {
    wait = std::max(wait, WindowWait(Find(address_key), limits_.address_failures,
                                     limits_.address_window_micros, now));
  }
  if (wait > 0) return Throttled(reasons::kSignInThrottled, wait);

  // Reserve: the attempt counts as a failure from now on, before anything is checked.
  Counter& p = Upsert(pair_key, now);
  ++p.failures;
  if (p.failures >= limits_.pair_failures) {
    int doublings = std::min(p.failures - limits_.pair_failures, 40);
    int64_t block = limits_.first_block_micros;
    for (int i = 0; i < doublings && block < limits_.max_block_micros; ++i) block *= 2;
    p.blocked_until = now + std::min(block, limits_.max_block_micros);
  }
  // A quiet day after the last block ends forgets the back-off.
  p.forget_at = std::max(p.blocked_until, now) + limits_.max_block_micros;
  if (count_for_account) CountInWindow(account_key, limits_.account_window_micros, now);
  if (!address.empty()) CountInWindow(address_key, limits_.address_window_micros, now);
  ++in_flight_[account_key];
  if (!address.empty()) ++in_flight_[address_key];
  return Attempt(this, std::string(account), std::string(address), count_for_account);
}

void SignInThrottle::Refund(const Attempt& attempt) {
  const int64_t now = clock_.NowMicros();
  std::lock_guard lock(mu_);
  counters_.erase(PairKey(attempt.account_, attempt.address_));
  if (attempt.counted_for_account_) Uncount(AccountKey(attempt.account_));
  if (!attempt.address_.empty()) Uncount(AddressKey(attempt.address_));
  RememberKnown(attempt.account_, attempt.address_, now);
}

size_t SignInThrottle::EntriesForTesting() {
  std::lock_guard lock(mu_);
  return counters_.size() + known_.size();
}

void SignInThrottle::Release(const Attempt& attempt) {
  std::lock_guard lock(mu_);
  auto release = [&](const std::string& key) {
    auto it = in_flight_.find(key);
    if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
  };
  release(AccountKey(attempt.account_));
  if (!attempt.address_.empty()) release(AddressKey(attempt.address_));
}

}  // namespace branchline
