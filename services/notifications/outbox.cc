#include "services/notifications/outbox.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "services/common/changes.h"
#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/status_macros.h"
#include "services/notifications/notification_access.h"
#include "storage/keys.h"

namespace branchline {

namespace {

absl::StatusOr<std::optional<v1::Notification>> LoadNotification(const storage::Store& store,
                                                                 uint64_t id) {
  v1::Notification n;
  ASSIGN_OR_RETURN(bool found,
                   store.GetMessage(storage::Cf::kNotifications, storage::NotificationKey(id), &n));
  if (!found) return std::nullopt;
  return n;
}

}  // namespace

absl::StatusOr<uint64_t> Outbox::NewestOutboxId(uint32_t tenant) const {
  uint64_t newest = 0;
  RETURN_IF_ERROR(store_.ScanReverse(storage::Cf::kIndex, storage::NotificationOutboxPrefix(tenant),
                                     "", [&](std::string_view key, std::string_view) {
                                       newest = storage::TrailingId(key);
                                       return false;
                                     }));
  return newest;
}

absl::StatusOr<bool> Outbox::Write(v1::Notification draft, uint64_t object, int64_t occurrence) {
  const uint32_t tenant = storage::TenantOfId(draft.person_id());
  const std::string guard = storage::NotificationGuardKey(
      tenant, static_cast<uint8_t>(draft.kind()), object, draft.person_id(), occurrence);
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(auto existing, store_.Get(storage::Cf::kIndex, guard));
  if (existing.has_value()) return false;
  // Ids come from per-server blocks: when the background lease has moved here, this server's
  // block may lie below ids the previous holder wrote. Ids past the newest entry keep the
  // outbox in commit order (skipping at most the rest of a block: the next lies above).
  ASSIGN_OR_RETURN(uint64_t newest, NewestOutboxId(tenant));
  uint64_t id = 0;
  do {
    ASSIGN_OR_RETURN(id, store_.NewId(tenant));
  } while (id <= newest);
  draft.set_id(id);
  *draft.mutable_create_time() = ToTimestamp(clock_.NowMicros());
  draft.clear_read_time();
  storage::WriteSet w;
  w.PutIfAbsent(storage::Cf::kIndex, guard, storage::KeyBuilder().U64(id).key());
  w.PutMessage(storage::Cf::kNotifications, storage::NotificationKey(id), draft);
  w.Put(storage::Cf::kIndex, storage::NotificationOutboxKey(id), "");
  w.Put(storage::Cf::kIndex, storage::NotificationByPersonKey(draft.person_id(), id), "");
  w.Put(storage::Cf::kIndex, storage::NotificationUnreadKey(draft.person_id(), id), "");
  RecordChange(w, "notification", id, /*organization_id=*/0, "created", {draft.person_id()});
  // The guard was absent when read above, but another server's pass may have written it
  // since (the background lease moved while this pass ran): then that one was sent.
  auto committed = store_.Commit(std::move(w));
  if (committed.code() == absl::StatusCode::kAlreadyExists) return false;
  RETURN_IF_ERROR(committed);
  return true;
}

absl::StatusOr<v1::ListMyNotificationsResponse> Outbox::ListMine(
    const Caller& caller, const v1::ListMyNotificationsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  RETURN_IF_ERROR(notifications::RequirePerson(caller, "listing notifications"));
  const std::string prefix = request.unread_only()
                                 ? storage::NotificationUnreadPrefix(caller.person_id)
                                 : storage::NotificationByPersonPrefix(caller.person_id);
  v1::ListMyNotificationsResponse response;
  ASSIGN_OR_RETURN(*response.mutable_next_page_token(),
                   ScanPage(store_, storage::Cf::kIndex, prefix, request.page_token(), page_size,
                            [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                              ASSIGN_OR_RETURN(auto n,
                                               LoadNotification(store_, ~storage::TrailingId(key)));
                              if (!n) return false;
                              *response.add_notifications() = std::move(*n);
                              return true;
                            }));
  return response;
}

absl::StatusOr<v1::MarkNotificationsReadResponse> Outbox::MarkRead(
    const Caller& caller, const v1::MarkNotificationsReadRequest& request) {
  return RunIdempotent<v1::MarkNotificationsReadResponse>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "MarkNotificationsRead"},
      request, clock_.NowMicros(),
      [&](Mutation& m) -> absl::StatusOr<v1::MarkNotificationsReadResponse> {
        RETURN_IF_ERROR(notifications::RequirePerson(caller, "marking notifications read"));
        if (request.all() && request.ids_size() > 0) {
          return InvalidField("ids", "must be empty when all is set");
        }
        if (!request.all() && request.ids_size() == 0) {
          return InvalidField("ids", "is required (or set all)");
        }
        if (request.ids_size() > kMaxPageSize) {
          return InvalidField("ids", "at most " + std::to_string(kMaxPageSize) + " ids");
        }
        std::vector<uint64_t> ids(request.ids().begin(), request.ids().end());
        if (request.all()) {
          RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex,
                                      storage::NotificationUnreadPrefix(caller.person_id), "",
                                      [&](std::string_view key, std::string_view) {
                                        ids.push_back(~storage::TrailingId(key));
                                        return ids.size() < kMaxMarkAll;
                                      }));
        }
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        std::vector<std::string> keys;
        for (uint64_t id : ids) {
          if (id == 0 || !Access::SameTenant(caller, id)) {
            return FieldError(absl::StatusCode::kNotFound, "ids",
                              "notification " + std::to_string(id) + " does not exist");
          }
          keys.push_back(storage::NotificationKey(id));
        }
        m.Lock(std::vector<std::string_view>(keys.begin(), keys.end()));
        const int64_t now = clock_.NowMicros();
        v1::MarkNotificationsReadResponse response;
        for (uint64_t id : ids) {
          ASSIGN_OR_RETURN(auto n, LoadNotification(store_, id));
          // Another person's notification is as missing as one that never existed.
          if (!n || n->person_id() != caller.person_id) {
            return FieldError(absl::StatusCode::kNotFound, "ids",
                              "notification " + std::to_string(id) + " does not exist");
          }
          if (n->has_read_time()) continue;
          *n->mutable_read_time() = ToTimestamp(now);
          m.writes().PutMessage(storage::Cf::kNotifications, storage::NotificationKey(id), *n);
          m.writes().Delete(storage::Cf::kIndex,
                            storage::NotificationUnreadKey(caller.person_id, id));
          response.set_marked(response.marked() + 1);
        }
        // The person's other phones drop the badge too.
        if (response.marked() > 0) {
          RecordChange(m.writes(), "notification", ids.front(), /*organization_id=*/0, "read",
                       {caller.person_id});
        }
        return response;
      });
}

absl::StatusOr<std::vector<v1::OutboxEntry>> Outbox::Read(
    const Caller& caller, const v1::StreamOutboxRequest& request) const {
  if (request.max_entries() < 0 || request.max_entries() > kMaxEntries) {
    return InvalidField("max_entries", "must be 0 (default " + std::to_string(kDefaultEntries) +
                                           ") to " + std::to_string(kMaxEntries));
  }
  const int max = request.max_entries() == 0 ? kDefaultEntries : request.max_entries();
  ASSIGN_OR_RETURN(auto root,
                   access_.LoadOrg(caller, request.organization_id(), "organization_id"));
  RETURN_IF_ERROR(notifications::RequireGateway(caller, root, "reading the outbox"));
  uint64_t after = request.after_cursor();
  if (after != 0 && storage::TenantOfId(after) != storage::TenantOfId(root.id())) {
    return InvalidField("after_cursor", "is not a position of this outbox");
  }
  if (after == 0) {
    v1::OutboxPosition position;
    ASSIGN_OR_RETURN(
        bool found,
        store_.GetMessage(storage::Cf::kNotifications,
                          storage::OutboxAckKey(caller.person_id, root.id()), &position));
    if (found) after = position.acked_cursor();
  }
  const uint32_t tenant = storage::TenantOfId(root.id());
  const std::string prefix = storage::NotificationOutboxPrefix(tenant);
  const std::string start = after == 0 ? "" : storage::NotificationOutboxKey(after);
  std::vector<v1::OutboxEntry> out;
  absl::flat_hash_map<uint64_t, bool> inside;  // organisation -> in the gateway's subtree
  int scanned = 0;
  uint64_t last = 0;
  absl::Status inner;
  RETURN_IF_ERROR(
      store_.Scan(storage::Cf::kIndex, prefix, start, [&](std::string_view key, std::string_view) {
        last = storage::TrailingId(key);
        ++scanned;
        auto n = LoadNotification(store_, last);
        if (!n.ok()) {
          inner = n.status();
          return false;
        }
        if (*n) {
          auto it = inside.find((*n)->organization_id());
          if (it == inside.end()) {
            v1::Organization org;
            auto found = store_.GetMessage(storage::Cf::kOrganizations,
                                           storage::RecordKey((*n)->organization_id()), &org);
            if (!found.ok()) {
              inner = found.status();
              return false;
            }
            it =
                inside.emplace((*n)->organization_id(), *found && Access::InSubtree(org, root.id()))
                    .first;
          }
          if (it->second) {
            v1::OutboxEntry entry;
            entry.set_cursor(last);
            auto devices = devices_.Of((*n)->person_id());
            if (!devices.ok()) {
              inner = devices.status();
              return false;
            }
            for (auto& d : *devices) *entry.add_devices() = std::move(d);
            *entry.mutable_notification() = std::move(**n);
            out.push_back(std::move(entry));
            if (static_cast<int>(out.size()) >= max) return false;
          }
        }
        if (scanned >= kMaxScanned) {
          // Nothing more of ours within the bound: a marker lets the gateway move past it.
          v1::OutboxEntry marker;
          marker.set_cursor(last);
          out.push_back(std::move(marker));
          return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::StatusOr<v1::OutboxPosition> Outbox::Ack(const Caller& caller,
                                               const v1::AckOutboxRequest& request) {
  return RunIdempotent<v1::OutboxPosition>(
      store_, {caller.tenant, caller.person_id, request.request_id(), "AckOutbox"}, request,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::OutboxPosition> {
        ASSIGN_OR_RETURN(auto root,
                         access_.LoadOrg(caller, request.organization_id(), "organization_id"));
        RETURN_IF_ERROR(notifications::RequireGateway(caller, root, "acknowledging the outbox"));
        if (request.cursor() == 0) return InvalidField("cursor", "is required");
        // Only a position the outbox gave out: a cursor ahead of the outbox would skip
        // notifications not yet written.
        bool exists = storage::TenantOfId(request.cursor()) == storage::TenantOfId(root.id());
        if (exists) {
          ASSIGN_OR_RETURN(
              auto entry,
              store_.Get(storage::Cf::kIndex, storage::NotificationOutboxKey(request.cursor())));
          exists = entry.has_value();
        }
        if (!exists) return InvalidField("cursor", "is not a position of this outbox");
        const std::string key = storage::OutboxAckKey(caller.person_id, root.id());
        m.Lock({key});
        v1::OutboxPosition position;
        ASSIGN_OR_RETURN(bool found,
                         store_.GetMessage(storage::Cf::kNotifications, key, &position));
        if (!found) position.set_organization_id(root.id());
        if (request.cursor() > position.acked_cursor()) {
          position.set_acked_cursor(request.cursor());
          *position.mutable_update_time() = ToTimestamp(clock_.NowMicros());
          m.writes().PutMessage(storage::Cf::kNotifications, key, position);
        }
        return position;
      });
}

}  // namespace branchline
