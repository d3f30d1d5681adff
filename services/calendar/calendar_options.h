#pragma once

#include <cstdint>

#include "services/common/clock.h"

namespace branchline {

// Tunables of the calendar area (ServerOptions::calendar).
struct CalendarOptions {
  // Days ahead occurrences are created for a series without its own horizon_days: 8 weeks.
  int32_t default_horizon_days = 56;
  // How often the materialisation pass runs; its first run is one interval after the start.
  int64_t materialize_interval_micros = 3600LL * 1'000'000;
  // The clock the series read (null: the system clock); tests move a fake one.
  const Clock* clock = nullptr;
};

}  // namespace branchline
