#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace branchline {

// The client address the sign-in throttle counts failures against. Behind the nginx edge every
// connection comes from the edge, so one noisy phone would lock out everyone; the edge passes
// the real address in `x-real-ip`, and it is believed only when the connection itself comes
// from a trusted proxy (--trusted-proxy), so a client cannot pick its own address.
//
// `peer` is grpc's peer string ("ipv4:127.0.0.1:5678", "ipv6:[::1]:5678"); trusted proxies
// are bare IPs ("127.0.0.1", "::1").
std::string ClientAddress(std::string_view peer, std::string_view real_ip,
                          const std::vector<std::string>& trusted_proxies);

}  // namespace branchline
