#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/v1/notifications.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/notifications/devices.h"
#include "storage/store.h"

namespace branchline {

// The durable outbox of notifications and the person's own view of it.
//
// Write commits a notification together with its guard key (kNotificationGuard: rule,
// object, person, occurrence) only when that guard is absent, so a rule fires once however
// often the pass runs, across retries and restarts. Every write goes through one mutex and
// commits before it is released, and the notification's id comes from Store::NewId under it:
// ids grow in commit order, so the outbox index (kNotificationOutbox, by id) never gains an
// entry behind a position a gateway already read. (One writer process per database: in
// cluster mode the reminder pass runs only on the server holding the background lease,
// Store::LeadsBackgroundWork; see docs/notifications.md.)
//
// Each notification is also a personal change ("notification", "created") addressed to its
// person alone (organisation 0: not in any organisation's feed), so a phone pulling
// ListChanges or watching WatchChanges learns of it. Thread-safe.
class Outbox {
 public:
  // Entries a gateway may receive per StreamOutbox call.
  static constexpr int kDefaultEntries = 500;
  static constexpr int kMaxEntries = 1000;
  // Outbox keys one call may step over looking for its subtree's entries; past it the call
  // sends a position marker (an entry without a notification) the gateway acknowledges.
  static constexpr int kMaxScanned = 20'000;
  // Unread notifications MarkNotificationsRead(all) marks per call.
  static constexpr int kMaxMarkAll = 10'000;

  Outbox(storage::Store& store, const Access& access, const Devices& devices, const Clock& clock)
      : store_(store), access_(access), devices_(devices), clock_(clock) {}

  // Writes `draft` (person, organization, kind, texts, object ids, urgent) once per
  // (kind, object, person, occurrence): false when that guard exists already.
  absl::StatusOr<bool> Write(v1::Notification draft, uint64_t object, int64_t occurrence);

  absl::StatusOr<v1::ListMyNotificationsResponse> ListMine(
      const Caller& caller, const v1::ListMyNotificationsRequest& request) const;
  absl::StatusOr<v1::MarkNotificationsReadResponse> MarkRead(
      const Caller& caller, const v1::MarkNotificationsReadRequest& request);

  // StreamOutbox's entries: after the cursor (or the acknowledged position), for people of
  // the organisation's subtree, oldest first, each with the recipient's devices.
  absl::StatusOr<std::vector<v1::OutboxEntry>> Read(const Caller& caller,
                                                    const v1::StreamOutboxRequest& request) const;
  absl::StatusOr<v1::OutboxPosition> Ack(const Caller& caller, const v1::AckOutboxRequest& request);

 private:
  // The id of the tenant's newest outbox entry (0: none).
  absl::StatusOr<uint64_t> NewestOutboxId(uint32_t tenant) const;

  storage::Store& store_;
  const Access& access_;
  const Devices& devices_;
  const Clock& clock_;
  std::mutex write_mu_;  // one outbox writer: ids grow in commit order
};

}  // namespace branchline
