#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace branchline::clients {

// A share (0..1, as the API's rates are) in tenths of a percent, rounded half up (四舍五入),
// as Chinese reports expect: 9 of 16 = 56.25 % is 563, not banker's 562. The API's rates are
// ratios of counts: a tenth-boundary ratio n/d is either exactly on the half or at least
// 1/(2d) from it, so the 1e-7 nudge only undoes the double's representation error (a half
// such as 0.1235 is stored as 0.12349999...) for any count below 10^6.
inline int64_t PercentTenths(double share) {
  return static_cast<int64_t>(std::floor(share * 1000.0 + 0.5 + 1e-7));
}

// "56.3%".
inline std::string PercentText(double share) {
  const int64_t tenths = PercentTenths(share);
  char text[24];
  std::snprintf(text, sizeof text, "%lld.%lld%%", static_cast<long long>(tenths / 10),
                static_cast<long long>(tenths % 10));
  return text;
}

}  // namespace branchline::clients
