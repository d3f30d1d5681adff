#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "services/sync/change_feed.h"
#include "storage/store.h"

namespace branchline {

// Wakes live change streams when changes that concern them commit, and ticks them for
// heartbeats. One thread for all streams, so thousands of idle streams cost no threads: it
// waits for the change log's stable mark to advance (or a second to pass), reads the newly
// stable changes once, and wakes only the streams they concern. Thread-safe.
class WatchHub {
 public:
  // What the hub needs from a stream. Wake/Tick/Shutdown are called with the hub's lock held
  // and must not block for long; they must not call back into the hub.
  class Stream {
   public:
    virtual ~Stream() = default;
    // New changes may concern the stream: read and send them.
    virtual void Wake() = 0;
    // Periodic: send a heartbeat when idle long enough.
    virtual void Tick(std::chrono::steady_clock::time_point now) = 0;
    // The server is stopping: finish the stream.
    virtual void Shutdown() = 0;
  };

  explicit WatchHub(const storage::Store& store);
  ~WatchHub();  // stops the thread; streams must have been finished (FinishAll)

  void Register(Stream* stream, const ChangeInterest& interest);
  void Unregister(Stream* stream);
  // Finishes every stream (server shutdown) and stops waking.
  void FinishAll();
  size_t stream_count() const;

 private:
  void Run();
  bool Concerns(const ChangeInterest& interest, const internal::v1::ChangeRecord& change,
                std::map<uint64_t, v1::Organization>& orgs) const;

  const storage::Store& store_;
  mutable std::mutex mu_;
  std::map<Stream*, ChangeInterest> streams_;
  bool closed_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace branchline
