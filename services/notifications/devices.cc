#include "services/notifications/devices.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "services/common/errors.h"
#include "services/common/mutation.h"
#include "services/common/paging.h"
#include "services/common/refusal.h"
#include "services/common/status_macros.h"
#include "services/common/text.h"
#include "services/notifications/notification_access.h"
#include "storage/keys.h"

namespace branchline {

namespace {

// A person's view of their own device: which one it is, not the token (anyone holding the
// phone for a minute could otherwise copy a token that receives their notifications).
v1::Device WithoutToken(v1::Device d) {
  d.clear_token();
  return d;
}

absl::Status CheckToken(std::string_view token) {
  if (token.empty()) return InvalidField("token", "is required");
  if (token.size() > Devices::kMaxTokenChars) {
    return InvalidField("token",
                        "at most " + std::to_string(Devices::kMaxTokenChars) + " characters");
  }
  for (char c : token) {
    if (c <= ' ' || c > '~') return InvalidField("token", "must be printable ASCII, no spaces");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Device> LoadDevice(const storage::Store& store, uint64_t id) {
  v1::Device d;
  ASSIGN_OR_RETURN(bool found,
                   store.GetMessage(storage::Cf::kNotifications, storage::DeviceKey(id), &d));
  if (!found) return absl::DataLossError("device index without a device");
  return d;
}

}  // namespace

absl::StatusOr<v1::Device> Devices::Register(const Caller& caller,
                                             const v1::RegisterDeviceRequest& r) {
  return RunIdempotent<v1::Device>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "RegisterDevice"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::Device> {
        RETURN_IF_ERROR(notifications::RequirePerson(caller, "registering a device"));
        if (r.platform() == v1::DEVICE_PLATFORM_UNSPECIFIED ||
            !v1::DevicePlatform_IsValid(r.platform())) {
          return InvalidField("platform", "is required (ANDROID, IOS, HARMONY, WECOM, ...)");
        }
        RETURN_IF_ERROR(CheckToken(r.token()));
        const std::string_view version = TrimAscii(r.app_version());
        RETURN_IF_ERROR(CheckText("app_version", version, 0, 64));
        const std::string token_key = storage::DeviceByTokenKey(caller.tenant, r.token());
        m.Lock({token_key});
        const int64_t now = clock_.NowMicros();
        ASSIGN_OR_RETURN(auto existing, store_.Get(storage::Cf::kIndex, token_key));
        v1::Device device;
        if (existing.has_value()) {
          auto id = storage::KeyReader(*existing).U64();
          if (!id) return absl::DataLossError("corrupt device token entry");
          ASSIGN_OR_RETURN(device, LoadDevice(store_, *id));
          if (device.person_id() != caller.person_id) {
            // The phone changed hands: the token now delivers to the caller only.
            m.writes().Delete(storage::Cf::kIndex,
                              storage::DeviceByPersonKey(device.person_id(), device.id()));
            device.set_person_id(caller.person_id);
            *device.mutable_register_time() = ToTimestamp(now);
          }
        } else {
          ASSIGN_OR_RETURN(uint64_t id, store_.NewId(caller.tenant));
          device.set_id(id);
          device.set_person_id(caller.person_id);
          device.set_token(r.token());
          device.set_token_suffix(
              r.token().substr(r.token().size() > 4 ? r.token().size() - 4 : 0));
          *device.mutable_register_time() = ToTimestamp(now);
          m.writes().Put(storage::Cf::kIndex, token_key, storage::KeyBuilder().U64(id).key());
        }
        const std::string mine = storage::DeviceByPersonKey(caller.person_id, device.id());
        ASSIGN_OR_RETURN(auto already, store_.Get(storage::Cf::kIndex, mine));
        if (!already.has_value()) {
          int count = 0;
          RETURN_IF_ERROR(store_.Scan(
              storage::Cf::kIndex, storage::DeviceByPersonPrefix(caller.person_id), "",
              [&](std::string_view, std::string_view) { return ++count < kMaxDevicesPerPerson; }));
          if (count >= kMaxDevicesPerPerson) {
            return Refusal(absl::StatusCode::kResourceExhausted, reasons::kTooManyDevices, "token",
                           {{"max", std::to_string(kMaxDevicesPerPerson)}});
          }
          m.writes().Put(storage::Cf::kIndex, mine, "");
        }
        device.set_platform(r.platform());
        device.set_app_version(std::string(version));
        *device.mutable_update_time() = ToTimestamp(now);
        m.writes().PutMessage(storage::Cf::kNotifications, storage::DeviceKey(device.id()), device);
        return WithoutToken(device);
      });
}

absl::StatusOr<v1::RemoveDeviceResponse> Devices::Remove(const Caller& caller,
                                                         const v1::RemoveDeviceRequest& r) {
  return RunIdempotent<v1::RemoveDeviceResponse>(
      store_, {caller.tenant, caller.person_id, r.request_id(), "RemoveDevice"}, r,
      clock_.NowMicros(), [&](Mutation& m) -> absl::StatusOr<v1::RemoveDeviceResponse> {
        if (r.id() == 0) return InvalidField("id", "is required");
        auto not_found = FieldError(absl::StatusCode::kNotFound, "id",
                                    "device " + std::to_string(r.id()) + " does not exist");
        if (!Access::SameTenant(caller, r.id())) return not_found;
        const std::string key = storage::DeviceKey(r.id());
        v1::Device device;
        ASSIGN_OR_RETURN(bool found, store_.GetMessage(storage::Cf::kNotifications, key, &device));
        if (!found) return not_found;
        const std::string token_key =
            storage::DeviceByTokenKey(storage::TenantOfId(device.id()), device.token());
        m.Lock({token_key});
        ASSIGN_OR_RETURN(found, store_.GetMessage(storage::Cf::kNotifications, key, &device));
        if (!found) return not_found;
        if (caller.service_account) {
          // A gateway removes a token its push provider rejected, for people it delivers to.
          ASSIGN_OR_RETURN(auto owner, people_.Load(caller, device.person_id(), "id"));
          ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, owner.organization_id(), "id"));
          RETURN_IF_ERROR(notifications::RequireGateway(caller, org, "removing a device"));
        } else if (device.person_id() != caller.person_id) {
          return Denied("removing another person's device");
        }
        m.writes().Delete(storage::Cf::kNotifications, key);
        m.writes().Delete(storage::Cf::kIndex, token_key);
        m.writes().Delete(storage::Cf::kIndex,
                          storage::DeviceByPersonKey(device.person_id(), device.id()));
        return v1::RemoveDeviceResponse();
      });
}

absl::StatusOr<std::vector<v1::Device>> Devices::Of(uint64_t person) const {
  std::vector<v1::Device> out;
  absl::Status inner;
  RETURN_IF_ERROR(store_.Scan(storage::Cf::kIndex, storage::DeviceByPersonPrefix(person), "",
                              [&](std::string_view key, std::string_view) {
                                auto d = LoadDevice(store_, storage::TrailingId(key));
                                if (!d.ok()) {
                                  inner = d.status();
                                  return false;
                                }
                                out.push_back(std::move(*d));
                                return true;
                              }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::StatusOr<v1::ListDevicesResponse> Devices::List(const Caller& caller,
                                                      const v1::ListDevicesRequest& r) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(r.page_size()));
  v1::ListDevicesResponse response;
  if (!caller.service_account) {
    if (r.person_id() != 0 && r.person_id() != caller.person_id) {
      return Denied("listing another person's devices");
    }
    ASSIGN_OR_RETURN(
        *response.mutable_next_page_token(),
        ScanPage(store_, storage::Cf::kIndex, storage::DeviceByPersonPrefix(caller.person_id),
                 r.page_token(), page_size,
                 [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                   ASSIGN_OR_RETURN(auto d, LoadDevice(store_, storage::TrailingId(key)));
                   *response.add_devices() = WithoutToken(std::move(d));
                   return true;
                 }));
    return response;
  }
  ASSIGN_OR_RETURN(auto root, access_.LoadOrg(caller, r.organization_id(), "organization_id"));
  RETURN_IF_ERROR(notifications::RequireGateway(caller, root, "listing devices"));
  std::string prefix = storage::DeviceByPersonTenantPrefix(caller.tenant);
  if (r.person_id() != 0) {
    ASSIGN_OR_RETURN(auto person, people_.Load(caller, r.person_id(), "person_id"));
    ASSIGN_OR_RETURN(auto org, access_.LoadOrg(caller, person.organization_id(), "person_id"));
    if (!Access::InSubtree(org, root.id())) {
      return Denied("listing the devices of a person outside organization " +
                    std::to_string(root.id()));
    }
    prefix = storage::DeviceByPersonPrefix(person.id());
  }
  // Whole tenant: each owner's organisation decides; owners read once per page.
  absl::flat_hash_map<uint64_t, bool> inside;
  ASSIGN_OR_RETURN(
      *response.mutable_next_page_token(),
      ScanPage(store_, storage::Cf::kIndex, prefix, r.page_token(), page_size,
               [&](std::string_view key, std::string_view) -> absl::StatusOr<bool> {
                 ASSIGN_OR_RETURN(auto d, LoadDevice(store_, storage::TrailingId(key)));
                 auto it = inside.find(d.person_id());
                 if (it == inside.end()) {
                   bool in = false;
                   auto person = people_.Load(caller, d.person_id(), "person_id");
                   if (person.ok()) {
                     auto org = access_.LoadOrg(caller, person->organization_id(), "person_id");
                     in = org.ok() && Access::InSubtree(*org, root.id());
                   }
                   it = inside.emplace(d.person_id(), in).first;
                 }
                 if (!it->second) return false;
                 *response.add_devices() = std::move(d);
                 return true;
               }));
  return response;
}

}  // namespace branchline
