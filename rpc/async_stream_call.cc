#include "rpc/async_stream_call.h"

#include <utility>

#include "rpc/call_admission.h"
#include "rpc/call_log.h"
#include "rpc/grpc_status.h"

namespace branchline {

AsyncStreamCall::AsyncStreamCall(StreamEnvironment& env, grpc::ServerCompletionQueue* queue)
    : env_(env), queue_(queue) {}

AsyncStreamCall::~AsyncStreamCall() = default;

void AsyncStreamCall::Listen(const Requester& request) {
  context_.AsyncNotifyWhenDone(&done_tag_);
  request(&context_, &raw_request_, &writer_, queue_, &accepted_tag_);
}

void AsyncStreamCall::OnAccepted(bool ok) {
  if (!ok) {  // the server is shutting down; gRPC sends no done tag for a call never started
    delete this;
    return;
  }
  ListenForNext();
  if (BeginsBlocking()) {
    env_.blocking.Run([this] { Start(); });
  } else {
    Start();
  }
}

void AsyncStreamCall::Start() {
  grpc::Status opened = Open();
  Settle([&] {
    started_ = true;
    last_write_ = std::chrono::steady_clock::now();  // heartbeats count from the start
    if (!opened.ok()) {
      FinishLocked(opened);
    } else {
      PumpLocked();
    }
    --in_flight_;  // the start itself
  });
}

grpc::Status AsyncStreamCall::Open() {
  auto caller = AdmitCall(env_.auth, &context_, [this] { return Parse(raw_request_); });
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  person_ = caller->person_id;
  connection_ = context_.peer();
  if (auto bounded = env_.bounds.Acquire(person_, connection_); !bounded.ok()) {
    return ToGrpcStatus(bounded);
  }
  counted_ = true;
  env_.watchdog.Register(this);
  watched_ = true;
  DomainCallScope scope(*caller, &context_, [this] { return gone_.load(); });
  return ToGrpcStatus(Begin(*caller));
}

void AsyncStreamCall::QueueLocked(const google::protobuf::Message& message) {
  grpc::ByteBuffer bytes;
  bool own_buffer;
  // Serializing our own message cannot fail short of running out of memory.
  (void)grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, &bytes,
                                                                        &own_buffer);
  queue_messages_.push_back(std::move(bytes));
}

void AsyncStreamCall::PumpLocked() {
  if (!started_ || finishing_ || writing_ || call_done_) return;
  if (queue_messages_.empty()) ProduceLocked();
  if (finishing_ || queue_messages_.empty()) return;
  current_ = std::move(queue_messages_.front());
  queue_messages_.pop_front();
  writing_ = true;
  ++in_flight_;
  last_write_ = write_started_ = std::chrono::steady_clock::now();
  writer_.Write(current_, &written_tag_);
}

void AsyncStreamCall::OnWritten(bool ok) {
  Settle([&] {
    writing_ = false;
    --in_flight_;
    // A failed write means the call is over (cancelled, cut by the watchdog, connection
    // gone): the done tag follows and there is nothing more to send.
    if (ok && finishing_) {
      StartFinishLocked();
    } else if (ok) {
      PumpLocked();
    }
  });
}

void AsyncStreamCall::FinishLocked(const grpc::Status& status) {
  if (finishing_ || call_done_) return;
  finishing_ = true;
  final_status_ = status;
  if (!writing_) StartFinishLocked();
}

void AsyncStreamCall::StartFinishLocked() {
  ++in_flight_;
  SetLoggedCaller(&context_, person_);  // for the access-log line (rpc/call_log.h)
  writer_.Finish(final_status_, &finished_tag_);
}

bool AsyncStreamCall::IdleLocked() const {
  return started_ && !finishing_ && !call_done_ && !writing_ && queue_messages_.empty();
}

void AsyncStreamCall::CheckProgress(std::chrono::steady_clock::time_point now,
                                    std::chrono::milliseconds stall_timeout) {
  std::lock_guard lock(mu_);
  if (!writing_ || call_done_ || now - write_started_ < stall_timeout) return;
  // The reader has not taken this message for the whole timeout: its flow-control window is
  // full. Cancelling fails the write and ends the call (the client sees CANCELLED).
  write_started_ = std::chrono::steady_clock::time_point::max();  // cancel once
  context_.TryCancel();
}

void AsyncStreamCall::Settle(const std::function<void()>& step) {
  bool release;
  {
    std::lock_guard lock(mu_);
    step();
    release = call_done_ && in_flight_ == 0;
  }
  if (!release) return;
  if (watched_) env_.watchdog.Unregister(this);
  if (counted_) env_.bounds.Release(person_, connection_);
  Ended();
  delete this;
}

}  // namespace branchline
