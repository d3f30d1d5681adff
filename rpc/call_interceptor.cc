#include "server/call_interceptor.h"

#include <chrono>
#include <optional>
#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "rpc/call_log.h"
#include "rpc/call_metadata.h"
#include "rpc/grpc_status.h"
#include "rpc/localized_status.h"
#include "rpc/methods.h"
#include "rpc/request_refusal.h"
#include "server/connection_churn.h"
#include "server/metrics.h"
#include "services/common/refusal.h"
#include "spdlog/spdlog.h"

namespace branchline {

namespace {

using grpc::experimental::InterceptionHookPoints;

class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, bool access_log, ServerMetrics* metrics,
                  CancelledCallGuard* churn, CallsInProgress* calls)
      : method_(info->method()),
        spec_(rpc::FindMethod(method_)),
        context_(info->server_context()),
        access_log_(access_log),
        metrics_(metrics),
        churn_(churn),
        streaming_(info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY),
        calls_(calls),
        start_(Clock::now()) {
    if (metrics_ && streaming_) metrics_->StreamStarted();
    if (calls_) {
      if (!streaming_) calls_->unary.fetch_add(1);
      calls_->last_start_ns.store(start_.time_since_epoch().count());
    }
  }
  // The interceptor lives as long as the call: a stream that ends without a status (the
  // client went away) still stops counting as active.
  ~CallInterceptor() override {
    if (metrics_ && streaming_) metrics_->StreamEnded();
    if (calls_ && !streaming_) calls_->unary.fetch_sub(1);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
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
      if (refused_) (void)TakeRequestRefusal(context_);  // when the handler did not take it
      if (refused_ && status.error_code() != refused_->error_code()) {
        // The handler did not answer the refusal itself (it does not use the handler
        // helpers): it saw an emptied request, and its answer is replaced.
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
      if (!unparseable) CountForChurn();
      uint64_t caller = TakeLoggedCaller();
      // kNoLine methods leave nothing whatever their handler does (rpc/methods.h).
      bool suppressed = TakeAccessLogSuppressed() || (spec_ && spec_->log == rpc::Log::kNoLine);
      // A call that may leave no log line (the anonymous author's) is not counted either: a
      // counter of a method only anonymous authors call dates their action to the scrape.
      if (metrics_ && !suppressed) {
        metrics_->CallFinished(method_, status.error_code(), Clock::now() - start_);
      }
      if (access_log_ && !suppressed) {
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
        spdlog::info("call method={} status={} duration_ms={:.3f} caller={}", method_,
                     static_cast<int>(status.error_code()), ms, caller);
      }
    }
    methods->Proceed();
  }

 private:
  using Clock = std::chrono::steady_clock;

  // A request bigger than its method accepts is refused before the handler runs: the
  // authenticated handler helper answers the refusal, and the request is emptied for handlers
  // that do not check (see rpc/request_refusal.h). Only our own services: their
  // messages are protobuf (the health service's are not).
  void CheckSize(grpc::experimental::InterceptorBatchMethods* methods) {
    if (!spec_) return;
    void* received = methods->GetRecvMessage();
    if (received == nullptr) return;
    // The async methods and the streams receive the serialized bytes and parse them in their
    // handler.
    const bool bytes = spec_->serving != rpc::Serving::kSync;
    auto* raw = bytes ? static_cast<grpc::ByteBuffer*>(received) : nullptr;
    auto* request = raw ? nullptr : static_cast<google::protobuf::Message*>(received);
    const size_t size = raw ? raw->Length() : request->ByteSizeLong();
    const size_t limit = spec_->max_request_bytes;
    if (size <= limit) return;
    Refuse(methods,
           Refusal(absl::StatusCode::kResourceExhausted, reasons::kRequestTooLarge, "request",
                   {{"size_bytes", std::to_string(size)}, {"limit_bytes", std::to_string(limit)}}));
  }

  // Answers `status` instead of the handler: the authenticated handler helper answers the
  // refusal, and the request is emptied for handlers that do not check (their answer is
  // replaced at PRE_SEND_STATUS). Only our own services.
  void Refuse(grpc::experimental::InterceptorBatchMethods* methods, absl::Status status) {
    if (!spec_) return;
    void* received = methods->GetRecvMessage();
    if (received == nullptr) return;
    const bool bytes = spec_->serving != rpc::Serving::kSync;
    refused_ = ToGrpcStatus(status);
    RefuseRequest(context_, std::move(status));
    if (bytes) {
      static_cast<grpc::ByteBuffer*>(received)->Clear();
    } else {
      static_cast<google::protobuf::Message*>(received)->Clear();
    }
  }

  // The caller's `accept-language` metadata ("" when absent).
  // A call of ours that ends without its request (and not because it did not parse) was reset
  // before its message arrived: the rapid-reset flood's signature (HEADERS, then RST_STREAM).
  // Counted against its connection (server/connection_churn.h). Ordinary calls cost nothing
  // here. Whether the client cancelled is not asked: a sync call does not know it yet when its
  // status goes out, and asking once its completion op has run (POST_RECV_CLOSE) plucks that op
  // from inside itself and crashes gRPC.
  void CountForChurn() {
    if (!churn_ || received_request_ || !spec_) return;
    const std::string peer = context_->peer();
    if (churn_->CountCall(peer)) churn_->CountCancelled(peer);
  }

  const char* method_;
  const rpc::Method* spec_;                 // null for methods not ours (health, reflection)
  const grpc::ServerContextBase* context_;  // identifies the call to the handler helpers
  bool access_log_;
  ServerMetrics* metrics_;
  CancelledCallGuard* churn_;
  bool streaming_;
  CallsInProgress* calls_;
  bool received_request_ = false;
  Clock::time_point start_;
  std::optional<grpc::Status> refused_;
};

}  // namespace

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, access_log_, metrics_, churn_, calls_);
}

}  // namespace branchline
