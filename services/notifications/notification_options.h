#pragma once

#include <cstdint>

#include "services/common/clock.h"

namespace branchline {

// Tunables of the notifications area (ServerOptions::notifications).
struct NotificationOptions {
  // How often the reminder pass runs; its first run is one interval after the start. A
  // minute: "check-in closes in 10 minutes" is late by at most this much.
  int64_t pass_interval_micros = 60LL * 1'000'000;
  // The clock the reminder pass reads (null: the system clock); tests move a fake one.
  const Clock* clock = nullptr;
};

}  // namespace branchline
