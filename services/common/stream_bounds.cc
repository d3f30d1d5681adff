#include "services/common/stream_bounds.h"

#include <string>

namespace branchline {

namespace {
// Decrements `counts[key]`, dropping the entry at zero so the maps hold only open streams.
template <typename Map, typename Key>
void Decrement(Map& counts, const Key& key) {
  auto it = counts.find(key);
  if (it == counts.end()) return;
  if (--it->second <= 0) counts.erase(it);
}
}  // namespace

absl::Status StreamBounds::Acquire(uint64_t person, const std::string& connection) {
  std::lock_guard lock(mu_);
  auto person_it = per_person_.find(person);
  if (person_it != per_person_.end() && person_it->second >= limits_.per_person) {
    return absl::ResourceExhaustedError("too many open streams for this caller: at most " +
                                        std::to_string(limits_.per_person) +
                                        " at once (--max-streams-per-person); close one first");
  }
  auto connection_it = per_connection_.find(connection);
  if (connection_it != per_connection_.end() && connection_it->second >= limits_.per_connection) {
    return absl::ResourceExhaustedError("too many open streams on this connection: at most " +
                                        std::to_string(limits_.per_connection) +
                                        " at once (--max-streams-per-connection); close one first");
  }
  ++per_person_[person];
  ++per_connection_[connection];
  return absl::OkStatus();
}

void StreamBounds::Release(uint64_t person, const std::string& connection) {
  std::lock_guard lock(mu_);
  Decrement(per_person_, person);
  Decrement(per_connection_, connection);
}

int StreamBounds::OpenOf(uint64_t person) const {
  std::lock_guard lock(mu_);
  auto it = per_person_.find(person);
  return it == per_person_.end() ? 0 : it->second;
}

}  // namespace branchline
