#include "storage/key_locks.h"

#include <algorithm>
#include <functional>

namespace branchline::storage {

KeyLocks::Guard::~Guard() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) owner_->Release(*it);
  shared_.reset();  // taken first, released last
}

KeyLocks::Guard KeyLocks::Lock(const std::vector<std::string_view>& keys, const Guard* with) {
  std::vector<uint32_t> stripes;
  stripes.reserve(keys.size());
  for (auto key : keys) {
    stripes.push_back(static_cast<uint32_t>(std::hash<std::string_view>{}(key) % kStripes));
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  Guard guard;
  // The database's part before this process's: a caller waiting for a database connection
  // then holds no stripe another caller, holding a connection, could be waiting for.
  if (shared_ && !stripes.empty()) {
    auto held = shared_->Lock(space_, stripes, with ? with->shared_ : nullptr);
    if (held.ok()) {
      guard.shared_ = std::move(*held);
    } else {
      guard.status_ = held.status();
    }
  }
  for (uint32_t s : stripes) Acquire(s);
  guard.owner_ = this;
  guard.held_ = std::move(stripes);
  return guard;
}

void KeyLocks::Acquire(uint32_t stripe) {
  auto& word = stripes_[stripe];
  uint32_t expected = 0;
  if (word.compare_exchange_strong(expected, 1, std::memory_order_acquire)) return;
  // Contended: mark the stripe as waited on, then sleep until a release wakes us.
  while (word.exchange(2, std::memory_order_acquire) != 0) word.wait(2, std::memory_order_relaxed);
}

void KeyLocks::Release(uint32_t stripe) {
  auto& word = stripes_[stripe];
  if (word.exchange(0, std::memory_order_release) == 2) word.notify_one();
}

}  // namespace branchline::storage
