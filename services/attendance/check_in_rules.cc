#include "services/attendance/check_in_rules.h"

#include <cmath>

namespace branchline::attendance {

namespace {
constexpr int64_t kMinute = 60 * 1'000'000LL;
constexpr double kEarthRadiusMetres = 6'371'008.8;
constexpr double kPi = 3.14159265358979323846;

v1::CheckInWindow Window(int opens, int late, int closes) {
  v1::CheckInWindow w;
  w.set_opens_minutes_before(opens);
  w.set_late_after_minutes(late);
  w.set_closes_minutes_after(closes);
  return w;
}
}  // namespace

v1::CheckInWindow DefaultWindow(v1::MeetingType type) {
  switch (type) {
    case v1::MEETING_TYPE_SAFETY_MEETING:
      return Window(30, 5, 60);
    case v1::MEETING_TYPE_PRE_SHIFT_MEETING:
      return Window(15, 0, 30);
    case v1::MEETING_TYPE_GENERAL_MEETING:
    case v1::MEETING_TYPE_COMMITTEE_MEETING:
    case v1::MEETING_TYPE_GROUP_MEETING:
    case v1::MEETING_TYPE_PARTY_LECTURE:
    case v1::MEETING_TYPE_THEME_PARTY_DAY:
    case v1::MEETING_TYPE_ORGANIZATIONAL_LIFE:
      return Window(30, 10, 120);
    default:
      return Window(30, 10, 60);
  }
}

WindowPhase ClassifyInWindow(const v1::CheckInWindow& window, int64_t start_micros,
                             int64_t at_micros) {
  if (at_micros < start_micros - window.opens_minutes_before() * kMinute) {
    return WindowPhase::kNotOpen;
  }
  if (at_micros <= start_micros + window.late_after_minutes() * kMinute) {
    return WindowPhase::kOnTime;
  }
  if (at_micros <= start_micros + window.closes_minutes_after() * kMinute) {
    return WindowPhase::kLate;
  }
  return WindowPhase::kClosed;
}

double DistanceMetres(double lat1, double lon1, double lat2, double lon2) {
  auto rad = [](double d) { return d * kPi / 180.0; };
  double dlat = rad(lat2 - lat1);
  double dlon = rad(lon2 - lon1);
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(rad(lat1)) * std::cos(rad(lat2)) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusMetres * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace branchline::attendance
