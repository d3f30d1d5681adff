#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "grpcpp/grpcpp.h"

namespace branchline {

// Threads that wait on the server's own completion queue and run its AsyncTags.
//
// A server with both synchronous and asynchronous methods is "hybrid" to gRPC: its sync
// handlers' queues stop polling the network and these threads do it for the whole server.
// So they wait in Next() without pause. (gRPC's callback API, used before for WatchChanges,
// polled with two threads that slept 100 ms after every idle second; every call in flight
// stalled then, about one in a thousand: p99.9 ≈ 100 ms in every workload.)
class CompletionQueuePollers {
 public:
  explicit CompletionQueuePollers(std::unique_ptr<grpc::ServerCompletionQueue> queue);
  ~CompletionQueuePollers();  // Shutdown()

  grpc::ServerCompletionQueue* queue() { return queue_.get(); }
  // Call once, right after the server started: until then nothing polls.
  void Start(int threads);
  // Call after the server's Shutdown() returned: runs what is left (ok = false) and joins.
  void Shutdown();

 private:
  void Poll();

  std::unique_ptr<grpc::ServerCompletionQueue> queue_;
  std::vector<std::thread> threads_;
  bool shut_down_ = false;
};

}  // namespace branchline
