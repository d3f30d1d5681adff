#include "server/connection_churn.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

#include "spdlog/spdlog.h"

namespace branchline {

CancelledCallGuard::CancelledCallGuard(Limits limits, std::function<bool(const std::string&)> close)
    : limits_(limits), close_(close ? std::move(close) : ShutDownConnectionTo) {}

CancelledCallGuard::Shard& CancelledCallGuard::ShardOf(const std::string& peer) {
  return shards_[std::hash<std::string>{}(peer) % kShards];
}

CancelledCallGuard::Window& CancelledCallGuard::WindowOf(
    Shard& shard, const std::string& peer, std::chrono::steady_clock::time_point now) {
  // Forget connections whose window is over, at most once per window: the map holds only
  // connections that called lately.
  if (now - shard.last_sweep >= limits_.window) {
    for (auto it = shard.windows.begin(); it != shard.windows.end();) {
      it = now - it->second.start >= limits_.window ? shard.windows.erase(it) : std::next(it);
    }
    shard.last_sweep = now;
  }
  Window& w = shard.windows[peer];
  if (w.calls == 0 || now - w.start >= limits_.window) w = Window{now, 0, 0, false};
  return w;
}

bool CancelledCallGuard::CountCall(const std::string& peer,
                                   std::chrono::steady_clock::time_point now) {
  Shard& shard = ShardOf(peer);
  std::lock_guard lock(shard.mu);
  Window& w = WindowOf(shard, peer, now);
  ++w.calls;
  return !w.closed && w.calls > limits_.busy_calls && w.calls % limits_.sample_every == 0;
}

bool CancelledCallGuard::CountCancelled(const std::string& peer,
                                        std::chrono::steady_clock::time_point now) {
  {
    Shard& shard = ShardOf(peer);
    std::lock_guard lock(shard.mu);
    Window& w = WindowOf(shard, peer, now);
    w.cancelled += limits_.sample_every;
    if (w.cancelled <= limits_.max_cancelled || w.closed) return false;
    w.closed = true;
  }
  ++closed_;
  const bool found = close_(peer);
  spdlog::warn(
      "closed the connection of {}: more than {} cancelled calls within {} ms (HTTP/2 rapid "
      "reset?){}",
      peer, limits_.max_cancelled, limits_.window.count(),
      found ? "" : "; its socket was already gone");
  return true;
}

uint64_t CancelledCallGuard::closed() const { return closed_.load(); }

namespace {
// gRPC's "ipv4:1.2.3.4:5" / "ipv6:[::1]:5" as a socket address; false for other peers
// (unix sockets, in-process channels).
bool ParsePeer(std::string_view peer, sockaddr_storage* out) {
  std::memset(out, 0, sizeof(*out));
  auto port_at = peer.rfind(':');
  if (port_at == std::string_view::npos) return false;
  const int port = std::atoi(std::string(peer.substr(port_at + 1)).c_str());
  if (peer.substr(0, 5) == "ipv4:") {
    auto* v4 = reinterpret_cast<sockaddr_in*>(out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    return inet_pton(AF_INET, std::string(peer.substr(5, port_at - 5)).c_str(), &v4->sin_addr) == 1;
  }
  if (peer.substr(0, 6) == "ipv6:[" && port_at > 7 && peer[port_at - 1] == ']') {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    std::string host(peer.substr(6, port_at - 7));
    if (auto zone = host.find('%'); zone != std::string::npos) host.resize(zone);
    return inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1;
  }
  return false;
}

// An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d to getpeername but as
// "ipv4:a.b.c.d:p" to gRPC.
sockaddr_storage Unmapped(const sockaddr_storage& a) {
  if (a.ss_family != AF_INET6) return a;
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
  if (!IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) return a;
  sockaddr_storage out;
  std::memset(&out, 0, sizeof(out));
  auto& v4 = reinterpret_cast<sockaddr_in&>(out);
  v4.sin_family = AF_INET;
  v4.sin_port = v6.sin6_port;
  std::memcpy(&v4.sin_addr, &v6.sin6_addr.s6_addr[12], 4);
  return out;
}

bool SameAddress(const sockaddr_storage& mapped, const sockaddr_storage& b) {
  const sockaddr_storage a = Unmapped(mapped);
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port &&
         std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof(x.sin6_addr)) == 0;
}
}  // namespace

bool ShutDownConnectionTo(const std::string& peer) {
  sockaddr_storage wanted;
  if (!ParsePeer(peer, &wanted)) return false;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return false;
  bool found = false;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage remote;
    socklen_t length = sizeof(remote);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &length) != 0) continue;
    if (!SameAddress(remote, wanted)) continue;
    shutdown(fd, SHUT_RDWR);
    found = true;
    break;
  }
  closedir(dir);
  return found;
}

}  // namespace branchline
