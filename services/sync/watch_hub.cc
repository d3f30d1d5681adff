#include "services/sync/watch_hub.h"

#include <algorithm>
#include <set>

#include "services/auth/access.h"
#include "services/common/changes.h"
#include "storage/keys.h"

namespace branchline {

WatchHub::WatchHub(const storage::Store& store) : store_(store) {
  thread_ = std::thread([this] { Run(); });
}

WatchHub::~WatchHub() {
  stop_ = true;
  store_.sequencer().Interrupt();  // not a second's wait for the next change
  thread_.join();
}

void WatchHub::Register(Stream* stream, const ChangeInterest& interest) {
  std::lock_guard lock(mu_);
  if (closed_) {  // started while the server is stopping: finish it like the others
    stream->Shutdown();
    return;
  }
  streams_.emplace(stream, interest);
}

void WatchHub::Unregister(Stream* stream) {
  std::lock_guard lock(mu_);
  streams_.erase(stream);
}

void WatchHub::FinishAll() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (auto& [stream, interest] : streams_) stream->Shutdown();
}

size_t WatchHub::stream_count() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

bool WatchHub::Concerns(const ChangeInterest& interest, const internal::v1::ChangeRecord& change,
                        std::map<uint64_t, v1::Organization>& orgs) const {
  if (interest.feed) {
    auto it = orgs.find(change.organization_id());
    if (it == orgs.end()) {
      v1::Organization org;
      auto found = store_.GetMessage(storage::Cf::kOrganizations,
                                     storage::RecordKey(change.organization_id()), &org);
      it = orgs.emplace(change.organization_id(), found.ok() && *found ? org : v1::Organization())
               .first;
    }
    return it->second.id() && Access::InSubtree(it->second, interest.feed_root.id());
  }
  const auto& people = change.person_ids();
  if (std::find(people.begin(), people.end(), interest.person_id) != people.end()) return true;
  return MemberVisibleKind(change.kind()) &&
         std::find(interest.org_chain.begin(), interest.org_chain.end(),
                   change.organization_id()) != interest.org_chain.end();
}

void WatchHub::Run() {
  uint64_t last = store_.StableChangeSequence();
  while (!stop_) {
    uint64_t stable = store_.sequencer().WaitPast(
        last, std::chrono::steady_clock::now() + std::chrono::seconds(1));
    std::lock_guard lock(mu_);
    if (closed_) continue;
    if (stable > last) {
      std::set<uint32_t> tenants;
      for (auto& [stream, interest] : streams_)
        tenants.insert(storage::TenantOfId(interest.holder_id));
      std::set<Stream*> woken;
      std::map<uint64_t, v1::Organization> orgs;
      for (uint32_t tenant : tenants) {
        auto status = store_.Scan(
            storage::Cf::kChanges, storage::KeyBuilder(tenant).key(),
            storage::ChangeKey(tenant, last), [&](std::string_view, std::string_view value) {
              internal::v1::ChangeRecord change;
              if (!change.ParseFromArray(value.data(), static_cast<int>(value.size()))) return true;
              if (change.sequence() > stable) return false;
              for (auto& [stream, interest] : streams_) {
                if (!woken.count(stream) && storage::TenantOfId(interest.holder_id) == tenant &&
                    Concerns(interest, change, orgs)) {
                  woken.insert(stream);
                }
              }
              return true;
            });
        (void)status;  // a failed read is retried by the streams' own reads on the next wake
      }
      for (Stream* stream : woken) stream->Wake();
      last = stable;
    }
    auto now = std::chrono::steady_clock::now();
    for (auto& [stream, interest] : streams_) stream->Tick(now);
  }
}

}  // namespace branchline
