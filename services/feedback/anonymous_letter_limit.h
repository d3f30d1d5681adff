#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "absl/status/status.h"

namespace branchline::feedback {

// A rate limit on anonymous letters that keeps nothing about who wrote them.
//
// Why not per person or per address: any per-author counter (even a hash of the person or of
// the client address) says "this person sent an anonymous letter just now", which together
// with the letter's arrival names the author. So the limit is per organisation that receives
// the letter and per tenant, counted in the receiving organisation's local day: the letter
// record itself already shows its organisation and its local day (submit times of anonymous
// letters are truncated to the day), so the counters know nothing the stored letters do not.
// There is deliberately no finer clock (a token bucket's "last refill" time would date the
// last letter to the second).
//
// The price: someone flooding an inbox uses up that organisation's anonymous letters for the
// day for everyone (named letters are unaffected, and every other organisation keeps its own
// allowance). That is the trade chosen: an inbox flood is visible and bounded, an author is
// never exposed. Memory only (a restart forgets); at most kMaxOrganizations counters.
// Thread-safe.
class AnonymousLetterLimit {
 public:
  struct Limits {
    int per_organization_per_day = 300;
    int per_tenant_per_day = 3000;
  };
  static constexpr size_t kMaxOrganizations = 100'000;

  explicit AnonymousLetterLimit(Limits limits) : limits_(limits) {}

  // Takes one of today's anonymous letters of `organization_id` (whose local day is set by
  // `utc_offset_minutes`) and of `tenant` (UTC day). RESOURCE_EXHAUSTED naming
  // `organization_id`, with a google.rpc.RetryInfo until the day ends, when either is used up;
  // nothing is taken then.
  absl::Status Take(uint32_t tenant, uint64_t organization_id, int32_t utc_offset_minutes,
                    int64_t now_micros);

 private:
  struct DayCount {
    int64_t day = 0;
    int count = 0;
  };
  const Limits limits_;
  std::mutex mu_;
  std::unordered_map<uint64_t, DayCount> organizations_;
  std::unordered_map<uint32_t, DayCount> tenants_;
};

}  // namespace branchline::feedback
