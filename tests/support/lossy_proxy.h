#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace branchline::testing {

// A loopback TCP proxy in front of a gRPC server that loses answers: it reads the HTTP/2
// frames the client sends, and after forwarding the end of a request (a frame with
// END_STREAM) it cuts the connection with probability `cut_probability`: nothing more the
// server sends reaches the client, and both sides are closed a few milliseconds later. The
// server sees the whole request and may commit it; the client sees UNAVAILABLE and cannot
// know. That is the case request_id retries exist for.
class LossyProxy {
 public:
  LossyProxy(std::string upstream_address, double cut_probability, uint64_t seed);
  ~LossyProxy();
  LossyProxy(const LossyProxy&) = delete;
  LossyProxy& operator=(const LossyProxy&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Requests forwarded, and connections cut after one.
  uint64_t requests() const { return requests_; }
  uint64_t cuts() const { return cuts_; }

 private:
  struct Connection;
  void AcceptLoop();
  void Pump(std::shared_ptr<Connection> c, bool client_to_server);
  bool DecideCut();

  std::string upstream_host_;
  int upstream_port_ = 0;
  double cut_probability_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> requests_{0}, cuts_{0};
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<std::weak_ptr<Connection>> connections_;
  // Pump threads are detached (thousands of connections come and go); the destructor waits
  // for this to reach zero.
  int active_pumps_ = 0;
  std::condition_variable pumps_done_;
  std::thread acceptor_;
};

}  // namespace branchline::testing
