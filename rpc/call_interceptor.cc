#include "rpc/call_interceptor.h"

#include <chrono>
#include <optional>
#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "rpc/call_log.h"
#include "rpc/call_marks.h"
#include "rpc/call_metadata.h"
#include "rpc/grpc_status.h"
#include "rpc/localized_status.h"
#include "rpc/methods.h"
#include "services/common/refusal.h"

namespace branchline::rpc {

namespace {

using grpc::experimental::InterceptionHookPoints;

class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, CallObserver* observer,
                  CallsInProgress* calls)
      : method_(info->method()),
        spec_(FindMethod(method_)),
        context_(info->server_context()),
        observer_(observer),
        streaming_(info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY),
        calls_(calls),
        start_(Clock::now()) {
    if (observer_ && streaming_) observer_->StreamStarted();
    if (calls_) {
      if (!streaming_) calls_->unary.fetch_add(1);
      calls_->last_start_ns.store(start_.time_since_epoch().count());
    }
  }
  // The interceptor lives as long as the call: a stream that ends without a status (the
  // client went away) still stops counting as active.
  ~CallInterceptor() override {
    if (observer_ && streaming_) observer_->StreamEnded();
    if (calls_ && !streaming_) calls_->unary.fetch_sub(1);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      // The call's own metadata, which lives as long as the call: the marks go there.
      received_metadata_ = methods->GetRecvInitialMetadata();
      if (received_metadata_) {
        DropClaimedMarks(*received_metadata_);
        if (spec_ && spec_->auth == Auth::kAnySession) {
          MarkServesPasswordChangeSessions(*received_metadata_);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      received_request_ = received_request_ || methods->GetRecvMessage() != nullptr;
      CheckSize(methods);
      if (!refused_ && calls_ && calls_->stopping.load()) {
        Refuse(methods, absl::UnavailableError(
                            "the server is stopping; retry with the same request_id (the next "
                            "connection reaches a running server)"));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (refused_) {
        // The handler stopped at the mark, or ran on an emptied request (rpc/call_marks.h):
        // either way its answer is replaced.
        status = *refused_;
        methods->ModifySendStatus(status);
      }
      // gRPC's protobuf deserializer answers INTERNAL with an empty message (proto3 has no
      // required fields to name); our own code never produces an empty INTERNAL.
      const bool unparseable =
          status.error_code() == grpc::StatusCode::INTERNAL && status.error_message().empty();
      if (unparseable) {
        status = UnparseableRequest();
        methods->ModifySendStatus(status);
      }
      // Every refusal gets a google.rpc.LocalizedMessage in the caller's language (the
      // `accept-language` metadata; docs/errors.md): here, the one place every call's final
      // status passes (sync, async and streaming handlers alike).
      if (!status.ok()) {
        status = LocalizeStatus(status, MetadataValue(context_, "accept-language"));
        methods->ModifySendStatus(status);
      }
      // A call of ours that ends without its request (and not because it did not parse) was
      // reset before its message arrived. Ordinary calls cost nothing here. Whether the client
      // cancelled is not asked: a sync call does not know it yet when its status goes out, and
      // asking once its completion op has run (POST_RECV_CLOSE) plucks that op from inside
      // itself and crashes gRPC.
      if (observer_ && !unparseable && !received_request_ && spec_) {
        observer_->ResetBeforeRequest(context_->peer());
      }
      // Always taken: the marks are never sent (rpc/call_log.h).
      auto* trailing = methods->GetSendTrailingMetadata();
      const LoggedCall logged = trailing ? TakeLoggedCall(*trailing) : LoggedCall{};
      // kNoLine methods leave nothing whatever their handler does (rpc/methods.h).
      const bool suppressed = logged.suppressed || (spec_ && spec_->log == Log::kNoLine);
      if (observer_ && !suppressed) {
        observer_->CallFinished(
            {method_, status.error_code(), Clock::now() - start_, logged.caller});
      }
    }
    methods->Proceed();
  }

 private:
  using Clock = std::chrono::steady_clock;

  // A request bigger than its method accepts is refused before the handler runs
  // (rpc/call_marks.h). Only our own services: their messages are protobuf (the health
  // service's are not).
  void CheckSize(grpc::experimental::InterceptorBatchMethods* methods) {
    if (!spec_) return;
    void* received = methods->GetRecvMessage();
    if (received == nullptr) return;
    // The async methods and the streams receive the serialized bytes and parse them in their
    // handler.
    const bool bytes = spec_->serving != Serving::kSync;
    auto* raw = bytes ? static_cast<grpc::ByteBuffer*>(received) : nullptr;
    auto* request = raw ? nullptr : static_cast<google::protobuf::Message*>(received);
    const size_t size = raw ? raw->Length() : request->ByteSizeLong();
    const size_t limit = spec_->max_request_bytes;
    if (size <= limit) return;
    Refuse(methods,
           Refusal(absl::StatusCode::kResourceExhausted, reasons::kRequestTooLarge, "request",
                   {{"size_bytes", std::to_string(size)}, {"limit_bytes", std::to_string(limit)}}));
  }

  // Answers `status` instead of the handler (rpc/call_marks.h): the call is marked
  // refused, its request emptied, and its final status replaced at PRE_SEND_STATUS. Only our
  // own services.
  void Refuse(grpc::experimental::InterceptorBatchMethods* methods, const absl::Status& status) {
    if (!spec_) return;
    void* received = methods->GetRecvMessage();
    if (received == nullptr) return;
    const bool bytes = spec_->serving != Serving::kSync;
    refused_ = ToGrpcStatus(status);
    if (received_metadata_) MarkRefused(*received_metadata_);
    if (bytes) {
      static_cast<grpc::ByteBuffer*>(received)->Clear();
    } else {
      static_cast<google::protobuf::Message*>(received)->Clear();
    }
  }

  const char* method_;
  const Method* spec_;                      // null for methods not ours (health, reflection)
  const grpc::ServerContextBase* context_;  // identifies the call to the handler helpers
  CallObserver* observer_;
  bool streaming_;
  CallsInProgress* calls_;
  bool received_request_ = false;
  Clock::time_point start_;
  std::optional<grpc::Status> refused_;
  ReceivedMetadata* received_metadata_ = nullptr;  // the call's, from its first batch
};

}  // namespace

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, observer_, calls_);
}

}  // namespace branchline::rpc
