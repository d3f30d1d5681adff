#pragma once

#include <string>

namespace branchline::testing {

// The body of GET /metrics on 127.0.0.1:port ("" when it cannot connect).
std::string ScrapeMetrics(int port);

}  // namespace branchline::testing
