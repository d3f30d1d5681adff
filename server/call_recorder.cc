#include "server/call_recorder.h"

#include "server/connection_churn.h"
#include "server/metrics.h"
#include "spdlog/spdlog.h"

namespace branchline {

void CallRecorder::StreamStarted() {
  if (metrics_) metrics_->StreamStarted();
}

void CallRecorder::StreamEnded() {
  if (metrics_) metrics_->StreamEnded();
}

void CallRecorder::CallFinished(const FinishedCall& call) {
  if (metrics_) metrics_->CallFinished(call.method, call.code, call.duration);
  if (access_log_) {
    const double ms = std::chrono::duration<double, std::milli>(call.duration).count();
    spdlog::info("call method={} status={} duration_ms={:.3f} caller={}", call.method,
                 static_cast<int>(call.code), ms, call.caller);
  }
}

void CallRecorder::ResetBeforeRequest(const std::string& peer) {
  if (churn_ && churn_->CountCall(peer)) churn_->CountCancelled(peer);
}

}  // namespace branchline
