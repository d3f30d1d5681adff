#pragma once

#include "rpc/call_observer.h"

namespace branchline {

class CancelledCallGuard;
class ServerMetrics;

// What the server records of each call the interceptor (rpc/call_interceptor.h) reports:
// - the access log (when `access_log`): one line per call with method, status, duration and
//   the caller's id (never tokens, passwords, peer addresses, or an anonymous author);
// - the metrics (when `metrics` is set): calls and latency by method and code, active streams;
// - (when `churn` is set) a call reset before its request arrived counts against its
//   connection, which is closed when it does so like a rapid-reset flood
//   (server/connection_churn.h).
// The pointees outlive this object. Thread-safe.
class CallRecorder final : public rpc::CallObserver {
 public:
  CallRecorder(bool access_log, ServerMetrics* metrics, CancelledCallGuard* churn)
      : access_log_(access_log), metrics_(metrics), churn_(churn) {}

  void StreamStarted() override;
  void StreamEnded() override;
  void CallFinished(const FinishedCall& call) override;
  void ResetBeforeRequest(const std::string& peer) override;

 private:
  bool access_log_;
  ServerMetrics* metrics_;
  CancelledCallGuard* churn_;
};

}  // namespace branchline
