#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace branchline::testing {

// A TCP relay on a free loopback port that forwards every connection to `upstream_port` and
// counts the bytes flowing back to the client: what "bytes on the wire" means for a test
// comparing compressed and plain answers.
class CountingProxy {
 public:
  explicit CountingProxy(int upstream_port);
  ~CountingProxy();  // closes every connection and joins its threads

  int port() const { return port_; }
  // Bytes relayed from the server to clients so far.
  uint64_t downstream_bytes() const { return downstream_.load(); }

 private:
  void Accept();
  void Pump(int from, int to, bool downstream);

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> downstream_{0};
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace branchline::testing
