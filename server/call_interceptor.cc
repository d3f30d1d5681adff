#include "server/call_interceptor.h"

#include <chrono>

#include "services/common/call_log.h"
#include "spdlog/spdlog.h"

namespace branchline {

namespace {

using grpc::experimental::InterceptionHookPoints;

class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, bool access_log)
      : method_(info->method()), access_log_(access_log), start_(Clock::now()) {}

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
  Clock::time_point start_;
};

}  // namespace

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, access_log_);
}

}  // namespace branchline
