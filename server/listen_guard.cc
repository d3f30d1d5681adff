#include "server/listen_guard.h"

#include <arpa/inet.h>

#include <string_view>

namespace branchline {

namespace {
// The host part of "host:port" or "[v6]:port" (the whole string when it has no port).
std::string_view HostOf(std::string_view listen) {
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    return close == std::string_view::npos ? listen.substr(1) : listen.substr(1, close - 1);
  }
  auto first = listen.find(':');
  auto last = listen.rfind(':');
  if (first == std::string_view::npos) return listen;
  if (first == last) return listen.substr(0, last);
  return listen;  // several colons without brackets: a bare IPv6 address
}
}  // namespace

bool IsLoopbackListen(const std::string& listen) {
  std::string_view view(listen);
  if (view.substr(0, 5) == "unix:" || view.substr(0, 14) == "unix-abstract:") return true;
  std::string host(HostOf(view));
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    // ::1, or ::ffff:127.x.y.z (an IPv4 loopback address written as IPv6).
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;  // 0.0.0.0, [::], other addresses and host names
}

absl::Status CheckListenExposure(const std::string& listen, const ListenExposure& exposure) {
  if (IsLoopbackListen(listen)) return absl::OkStatus();
  if (!exposure.tls) {
    return absl::FailedPreconditionError(
        "refusing to serve plaintext on " + listen +
        ": a non-loopback address needs TLS (--tls-cert, --tls-key) and --behind-edge or "
        "--i-accept-no-edge; the default is --listen 127.0.0.1:50051 behind the nginx edge "
        "(docs/security.md)");
  }
  if (!exposure.behind_edge && !exposure.accept_no_edge) {
    return absl::FailedPreconditionError(
        "refusing to listen on " + listen +
        " without --behind-edge (only the nginx edge reaches this port) or --i-accept-no-edge "
        "(clients reach gRPC 1.51's HTTP/2 directly; docs/security.md)");
  }
  return absl::OkStatus();
}

}  // namespace branchline
