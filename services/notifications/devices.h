#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "branchline/v1/notifications.pb.h"
#include "services/auth/access.h"
#include "services/auth/caller.h"
#include "services/common/clock.h"
#include "services/people/people_directory.h"
#include "storage/store.h"

namespace branchline {

// Push device registrations (v1::Device at storage::DeviceKey). A token is unique in a tenant
// (kDeviceByToken): registering it again updates the device, and when another person
// registers it the device moves to them (a phone that changed hands), so a notification never
// reaches the previous owner's phone. Tokens are shown only to push gateways. Thread-safe.
class Devices {
 public:
  static constexpr int kMaxDevicesPerPerson = 20;
  static constexpr size_t kMaxTokenChars = 4096;

  Devices(storage::Store& store, const Access& access, const PeopleDirectory& people,
          const Clock& clock)
      : store_(store), access_(access), people_(people), clock_(clock) {}

  absl::StatusOr<v1::Device> Register(const Caller& caller, const v1::RegisterDeviceRequest& r);
  absl::StatusOr<v1::RemoveDeviceResponse> Remove(const Caller& caller,
                                                  const v1::RemoveDeviceRequest& r);
  absl::StatusOr<v1::ListDevicesResponse> List(const Caller& caller,
                                               const v1::ListDevicesRequest& r) const;

  // The devices of `person`, with tokens (for the outbox stream; no authorization).
  absl::StatusOr<std::vector<v1::Device>> Of(uint64_t person) const;

 private:
  storage::Store& store_;
  const Access& access_;
  const PeopleDirectory& people_;
  const Clock& clock_;
};

}  // namespace branchline
