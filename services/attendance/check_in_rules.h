#pragma once

#include <cstdint>

#include "branchline/v1/attendance.pb.h"

namespace branchline::attendance {

// Pure rules of check-in: windows, distances. Thread-safe.

// The check-in window a meeting type gets when the creator sets none: safety and pre-shift
// meetings are short and punctual; party meetings allow a longer late arrival.
v1::CheckInWindow DefaultWindow(v1::MeetingType type);

// Where an instant falls relative to a meeting's check-in window.
enum class WindowPhase {
  kNotOpen,  // before start - opens
  kOnTime,   // [start - opens, start + late]
  kLate,     // (start + late, start + closes]
  kClosed,   // after start + closes
};
WindowPhase ClassifyInWindow(const v1::CheckInWindow& window, int64_t start_micros,
                             int64_t at_micros);

// Great-circle distance in metres between two WGS84 positions (haversine on a sphere of the
// mean Earth radius; error < 0.5 %, far below phone accuracy).
double DistanceMetres(double lat1, double lon1, double lat2, double lon2);

}  // namespace branchline::attendance
