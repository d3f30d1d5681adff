#include "services/auth/client_address.h"

#include <algorithm>

namespace branchline {

namespace {

// "ipv4:1.2.3.4:5678" -> "1.2.3.4"; "ipv6:[::1]:5678" -> "::1"; anything else unchanged.
std::string_view PeerIp(std::string_view peer) {
  for (std::string_view scheme : {"ipv4:", "ipv6:"}) {
    if (peer.substr(0, scheme.size()) == scheme) peer.remove_prefix(scheme.size());
  }
  auto port = peer.rfind(':');
  if (port != std::string_view::npos) peer = peer.substr(0, port);
  if (peer.size() >= 2 && peer.front() == '[' && peer.back() == ']') {
    peer = peer.substr(1, peer.size() - 2);
  }
  return peer;
}

}  // namespace

std::string ClientAddress(std::string_view peer, std::string_view real_ip,
                          const std::vector<std::string>& trusted_proxies) {
  std::string_view ip = PeerIp(peer);
  bool from_proxy =
      std::find(trusted_proxies.begin(), trusted_proxies.end(), ip) != trusted_proxies.end();
  // An address is at most 45 characters (IPv6 with an IPv4 tail); longer is not an address.
  if (from_proxy && !real_ip.empty() && real_ip.size() <= 45) {
    return "edge:" + std::string(real_ip);
  }
  return std::string(ip);
}

}  // namespace branchline
