#include "storage/key_locks.h"

#include <algorithm>
#include <functional>

namespace branchline::storage {

KeyLocks::Guard::~Guard() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) (*it)->unlock();
}

KeyLocks::Guard KeyLocks::Lock(const std::vector<std::string_view>& keys) {
  std::vector<size_t> stripes;
  stripes.reserve(keys.size());
  for (auto key : keys) stripes.push_back(std::hash<std::string_view>{}(key) % kStripes);
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  Guard guard;
  for (size_t s : stripes) {
    stripes_[s].lock();
    guard.held_.push_back(&stripes_[s]);
  }
  return guard;
}

}  // namespace branchline::storage
