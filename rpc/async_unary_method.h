#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <utility>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "rpc/async_tag.h"
#include "rpc/call_admission.h"
#include "rpc/call_log.h"
#include "rpc/compression.h"
#include "rpc/grpc_status.h"
#include "services/common/encoded.h"

namespace branchline {

// A unary method on the async API, for the busiest durable writes: the handler stages its
// writes on a poller (server/completion_queue_pollers.h) and hands them to the store's group
// commit (Store::CommitAsync), so no thread waits for the WAL sync; the answer is sent from
// whichever thread has it (the poller for replays and errors, else the committer).
//
// It also serves the busiest short read ("my upcoming meetings") right on the poller, which
// saves the synchronous server's hand-off to a handler thread. Only reads bounded by a page
// belong there: the pollers also poll the network for the whole server, and a call here
// sees only its deadline (CancellationCheckpoint stops it with DEADLINE_EXCEEDED), not a
// client's cancel: asking gRPC for that would cost a completion-queue tag per call.
//
// The method is served raw, bytes in and bytes out (its service derives from
// WithRawMethod_X, and its line in rpc/methods.cc says kAsync): on the async API gRPC
// would answer a request that does not parse with INTERNAL before any of our code runs, so
// the call parses it and answers INVALID_ARGUMENT like a synchronous method.
//
// The object must outlive the server's pollers (the service adapter owns it).
template <typename Request, typename Response>
class AsyncUnaryMethod {
 public:
  using Done = std::function<void(absl::StatusOr<Response>)>;
  // Requests for which `unattributed` is true (an anonymous letter) leave no access-log line,
  // not even one without a caller: its time next to the author's other calls could name them.
  using Unattributed = std::function<bool(const Request&)>;
  // The generated RequestX of a service's raw method X.
  template <typename RawService>
  using Requester = void (RawService::*)(grpc::ServerContext*, grpc::ByteBuffer*,
                                         grpc::ServerAsyncResponseWriter<grpc::ByteBuffer>*,
                                         grpc::CompletionQueue*, grpc::ServerCompletionQueue*,
                                         void* tag);

  // Calls waiting to be matched with an incoming request, so a burst is not queued in gRPC.
  static constexpr int kWaiting = 16;

  // Serves `service`'s raw method through `request`, running `run` on `domain` for each
  // authenticated caller; `run` calls its done exactly once, on any thread.
  template <typename Service, typename RawService, typename Domain>
  AsyncUnaryMethod(const Authenticator& auth, Service* service, Requester<RawService> request,
                   Domain& domain, void (Domain::*run)(const Caller&, const Request&, Done),
                   Unattributed unattributed = nullptr)
      : auth_(auth),
        request_(Bind(service, request)),
        run_([&domain, run](const Caller& caller, const Request& request, Done done) {
          (domain.*run)(caller, request, std::move(done));
        }),
        unattributed_(std::move(unattributed)) {}

  // The same for a short synchronous domain call (a bounded read): it runs on the poller.
  template <typename Service, typename RawService, typename Domain>
  AsyncUnaryMethod(const Authenticator& auth, Service* service, Requester<RawService> request,
                   const Domain& domain,
                   absl::StatusOr<Response> (Domain::*run)(const Caller&, const Request&) const)
      : auth_(auth),
        request_(Bind(service, request)),
        run_([&domain, run](const Caller& caller, const Request& request, Done done) {
          done((domain.*run)(caller, request));
        }) {}

  // Serves the method on `queue`, whose tags are AsyncTags run by the server's pollers. Call
  // once, after the server started.
  void Accept(grpc::ServerCompletionQueue* queue) {
    queue_ = queue;
    for (int i = 0; i < kWaiting; ++i) new Call(*this);
  }

 private:
  // One call. Deleted once the handler has handed it over (the start) and gRPC has finished
  // it, whichever comes last: the answer may be sent before the start returns.
  class Call {
   public:
    explicit Call(AsyncUnaryMethod& method) : method_(method) {
      method_.request_(&context_, &raw_request_, &responder_, method_.queue_, &accepted_tag_);
    }

   private:
    void OnAccepted(bool ok) {
      if (!ok) {  // the server is shutting down
        delete this;
        return;
      }
      new Call(method_);  // waits for the next request
      Start();
      Release();
    }

    void Start() {
      auto caller = AdmitCall(method_.auth_, &context_, [this] {
        return grpc::SerializationTraits<Request>::Deserialize(&raw_request_, &request_).ok();
      });
      if (!caller.ok()) return Send(0, ToGrpcStatus(caller.status()), {});
      const auto deadline = context_.deadline();
      DomainCallScope scope(*caller, &context_,
                            [deadline] { return std::chrono::system_clock::now() >= deadline; });
      method_.run_(*caller, request_,
                   [this, person = caller->person_id](auto result) { Answer(person, result); });
    }

    void Answer(uint64_t person, const absl::StatusOr<Response>& result) {
      if (!result.ok()) return Send(person, ToGrpcStatus(result.status()), {});
      grpc::ByteBuffer bytes;
      auto serialized = ToByteBuffer(*result, &bytes);
      CompressIfLarge(&context_, bytes.Length());
      Send(person, serialized, std::move(bytes));
    }

    // Marks what the call's access-log line may say (rpc/call_log.h) before its status goes.
    void Send(uint64_t person, const grpc::Status& status, grpc::ByteBuffer response) {
      if (method_.unattributed_ && method_.unattributed_(request_)) {
        SuppressAccessLog(&context_);
      } else {
        SetLoggedCaller(&context_, person);
      }
      if (status.ok()) {
        responder_.Finish(response, status, &finished_tag_);
      } else {
        responder_.FinishWithError(status, &finished_tag_);
      }
    }

    void Release() {
      if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    AsyncUnaryMethod& method_;
    grpc::ServerContext context_;
    grpc::ByteBuffer raw_request_;
    Request request_;
    grpc::ServerAsyncResponseWriter<grpc::ByteBuffer> responder_{&context_};
    std::atomic<int> references_{2};  // the start, and the finish
    AsyncTag accepted_tag_{[this](bool ok) { OnAccepted(ok); }};
    AsyncTag finished_tag_{[this](bool) { Release(); }};
  };

  template <typename Message>
  static grpc::Status ToByteBuffer(const Message& message, grpc::ByteBuffer* out) {
    bool own_buffer;
    return grpc::SerializationTraits<Message>::Serialize(message, out, &own_buffer);
  }
  // An answer stored as bytes goes out as those bytes (one copy of a short message).
  template <typename Message>
  static grpc::Status ToByteBuffer(const Encoded<Message>& encoded, grpc::ByteBuffer* out) {
    grpc::Slice slice(encoded.bytes);
    *out = grpc::ByteBuffer(&slice, 1);
    return grpc::Status::OK;
  }

  using RequestFn = std::function<void(grpc::ServerContext*, grpc::ByteBuffer*,
                                       grpc::ServerAsyncResponseWriter<grpc::ByteBuffer>*,
                                       grpc::ServerCompletionQueue*, void* tag)>;
  template <typename Service, typename RawService>
  static RequestFn Bind(Service* service, Requester<RawService> request) {
    return [service, request](grpc::ServerContext* context, grpc::ByteBuffer* bytes,
                              grpc::ServerAsyncResponseWriter<grpc::ByteBuffer>* responder,
                              grpc::ServerCompletionQueue* queue, void* tag) {
      (service->*request)(context, bytes, responder, queue, queue, tag);
    };
  }

  const Authenticator& auth_;
  const RequestFn request_;
  const std::function<void(const Caller&, const Request&, Done)> run_;
  const Unattributed unattributed_;
  grpc::ServerCompletionQueue* queue_ = nullptr;
};

}  // namespace branchline
