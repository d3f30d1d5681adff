#include "server/call_interceptor.h"

#include <chrono>

#include "server/metrics.h"
#include "services/common/call_log.h"
#include "spdlog/spdlog.h"

namespace branchline {

namespace {

using grpc::experimental::InterceptionHookPoints;

class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, bool access_log, ServerMetrics* metrics)
      : method_(info->method()),
        access_log_(access_log),
        metrics_(metrics),
        streaming_(info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY),
        start_(Clock::now()) {
    if (metrics_ && streaming_) metrics_->StreamStarted();
  }
  // The interceptor lives as long as the call: a stream that ends without a status (the
  // client went away) still stops counting as active.
  ~CallInterceptor() override {
    if (metrics_ && streaming_) metrics_->StreamEnded();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      // gRPC's protobuf deserializer answers INTERNAL with an empty message (proto3 has no
      // required fields to name); our own code never produces an empty INTERNAL.
      if (status.error_code() == grpc::StatusCode::INTERNAL && status.error_message().empty()) {
        status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "request could not be parsed: a text field is not valid UTF-8 or "
                              "the message is malformed");
        methods->ModifySendStatus(status);
      }
      // Metrics name no caller, so an anonymous letter is counted like every other call.
      if (metrics_) metrics_->CallFinished(method_, status.error_code(), Clock::now() - start_);
      uint64_t caller = TakeLoggedCaller();
      bool suppressed = TakeAccessLogSuppressed();
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
  const char* method_;
  bool access_log_;
  ServerMetrics* metrics_;
  bool streaming_;
  Clock::time_point start_;
};

}  // namespace

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, access_log_, metrics_);
}

}  // namespace branchline
