#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/async_stream.h"
#include "grpcpp/support/byte_buffer.h"
#include "rpc/async_tag.h"
#include "services/auth/authenticator.h"
#include "services/common/blocking_work_pool.h"
#include "services/common/stream_bounds.h"
#include "services/common/stream_watchdog.h"

namespace branchline {

// What every server stream of one server shares (owned by the server, outliving its pollers).
struct StreamEnvironment {
  const Authenticator& auth;
  StreamBounds& bounds;
  StreamWatchdog& watchdog;
  BlockingWorkPool& blocking;  // for starts that read much (CSV exports)
};

// One server-streaming call on the async API, run by the server's completion-queue pollers
// (server/completion_queue_pollers.h): a stream waiting for its reader, or for changes, holds
// no thread. gRPC's callback API would do the same, but in gRPC 1.51 its pollers pause 100 ms
// after every idle second and stalled every call in flight (p99.9 ≈ 100 ms; see
// CompletionQueuePollers), so streams share the pollers of the async unary methods.
//
// The per-call steps are the unary ones, in order: AdmitCall (rpc/call_admission.h: the
// interceptor's refusal (too large, stopping), the parse, since the method is raw and a request
// that does not parse is INVALID_ARGUMENT, not gRPC's INTERNAL, then authentication), the stream
// bounds of StreamLimits (RESOURCE_EXHAUSTED naming the limit), the DomainCallScope (a
// blocking start stops when the client goes away or the deadline passes), error mapping, and
// the caller's id on the access-log line. Then it writes one message at a time and the
// watchdog cancels it when a write waits longer than the stall timeout.
//
// Subclasses implement the hooks below, guarded by mu_ where marked "Locked". Lifetime: an
// object waits for one call, serves it and deletes itself once gRPC reports the call done and
// none of its operations (the start, a write, the finish) is in flight.
class AsyncStreamCall : private StreamWatchdog::Watched {
 public:
  // The generated RequestX of a WithRawMethod_X service, bound to its service.
  using Requester = std::function<void(grpc::ServerContext*, grpc::ByteBuffer*,
                                       grpc::ServerAsyncWriter<grpc::ByteBuffer>*,
                                       grpc::ServerCompletionQueue*, void* tag)>;
  template <typename Service, typename RawService>
  static Requester Bind(Service* service,
                        void (RawService::*request)(grpc::ServerContext*, grpc::ByteBuffer*,
                                                    grpc::ServerAsyncWriter<grpc::ByteBuffer>*,
                                                    grpc::CompletionQueue*,
                                                    grpc::ServerCompletionQueue*, void*)) {
    return [service, request](grpc::ServerContext* context, grpc::ByteBuffer* bytes,
                              grpc::ServerAsyncWriter<grpc::ByteBuffer>* writer,
                              grpc::ServerCompletionQueue* queue, void* tag) {
      (service->*request)(context, bytes, writer, queue, queue, tag);
    };
  }

 protected:
  AsyncStreamCall(StreamEnvironment& env, grpc::ServerCompletionQueue* queue);
  ~AsyncStreamCall() override;

  // Starts waiting for a call. The last statement of the most derived constructor: the call
  // may start on a poller at once.
  void Listen(const Requester& request);

  // A new object of the same kind, waiting for the next call.
  virtual void ListenForNext() = 0;
  // Parses the raw request into the subclass's message; false when it does not parse.
  virtual bool Parse(const grpc::ByteBuffer& bytes) = 0;
  // Whether Begin reads much (runs on the blocking pool, not on a poller).
  virtual bool BeginsBlocking() const { return false; }
  // The stream's own start once the caller is known and counted (not under mu_).
  virtual absl::Status Begin(const Caller& caller) = 0;
  // Nothing is queued or being written: queue more (QueueLocked), or finish (FinishLocked),
  // or do nothing and wait for the subclass to call PumpLocked again.
  virtual void ProduceLocked() = 0;
  // Right before the object is deleted, outside mu_ (e.g. leave a hub).
  virtual void Ended() {}

  // Queues a message for writing, serialized now.
  void QueueLocked(const google::protobuf::Message& message);
  // Starts the next write when none is in flight, asking ProduceLocked for more when the
  // queue is empty.
  void PumpLocked();
  // Finishes now, or after the write in flight (gRPC allows one operation at a time).
  void FinishLocked(const grpc::Status& status);
  // Nothing queued, nothing being written, not finishing: the stream is idle.
  bool IdleLocked() const;
  std::chrono::steady_clock::time_point last_write_locked() const { return last_write_; }

  std::mutex mu_;

 private:
  void OnAccepted(bool ok);
  void Start();
  grpc::Status Open();
  void OnWritten(bool ok);
  void CheckProgress(std::chrono::steady_clock::time_point now,
                     std::chrono::milliseconds stall_timeout) override;
  void StartFinishLocked();
  // Runs `step` under mu_, then deletes the object if the call is done and nothing is in
  // flight (outside mu_: hubs call in with their own locks held, then take ours).
  void Settle(const std::function<void()>& step);

  StreamEnvironment& env_;
  grpc::ServerCompletionQueue* const queue_;
  grpc::ServerContext context_;
  grpc::ByteBuffer raw_request_;
  grpc::ServerAsyncWriter<grpc::ByteBuffer> writer_{&context_};
  AsyncTag accepted_tag_{[this](bool ok) { OnAccepted(ok); }};
  AsyncTag written_tag_{[this](bool ok) { OnWritten(ok); }};
  AsyncTag finished_tag_{[this](bool) { Settle([this] { --in_flight_; }); }};
  AsyncTag done_tag_{[this](bool) {
    gone_ = true;
    Settle([this] { call_done_ = true; });
  }};

  // Set once the caller is counted against the bounds (and then released on deletion).
  uint64_t person_ = 0;
  std::string connection_;
  bool counted_ = false;
  bool watched_ = false;
  // The call is over before we finished it: the client went away or its deadline passed.
  std::atomic<bool> gone_{false};

  // Guarded by mu_.
  std::deque<grpc::ByteBuffer> queue_messages_;
  grpc::ByteBuffer current_;
  grpc::Status final_status_;
  std::chrono::steady_clock::time_point last_write_;
  std::chrono::steady_clock::time_point write_started_;
  int in_flight_ = 1;  // the start until it returns
  bool started_ = false;
  bool writing_ = false;
  bool finishing_ = false;
  bool call_done_ = false;
};

}  // namespace branchline
