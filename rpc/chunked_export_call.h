#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "rpc/async_stream_call.h"

namespace branchline {

// One file export as a server stream (AsyncStreamCall), shared by the CSV exports of
// AttendanceService and the iCalendar export of CalendarService: the whole file is made on
// the blocking pool (a roster walks the whole audience), then sent a chunk at a time with no
// thread held while the reader is slow. `Chunk` is a message with a `bytes data` field.
template <typename Request, typename Chunk>
class ChunkedExportCall final : public AsyncStreamCall {
 public:
  // Exports go out in chunks small enough for phones and proxies.
  static constexpr size_t kChunkBytes = 32 * 1024;

  using Export = std::function<absl::StatusOr<std::string>(const Caller&, const Request&)>;

  // Waits for one call of the method `request` binds (AsyncStreamCall::Bind); owns itself.
  ChunkedExportCall(StreamEnvironment& env, grpc::ServerCompletionQueue* queue, Requester request,
                    Export make_file)
      : AsyncStreamCall(env, queue),
        env_(env),
        queue_(queue),
        request_fn_(std::move(request)),
        make_file_(std::move(make_file)) {
    Listen(request_fn_);
  }

 private:
  void ListenForNext() override { new ChunkedExportCall(env_, queue_, request_fn_, make_file_); }

  bool Parse(const grpc::ByteBuffer& bytes) override {
    grpc::ByteBuffer copy(bytes);
    return grpc::SerializationTraits<Request>::Deserialize(&copy, &request_).ok();
  }

  bool BeginsBlocking() const override { return true; }

  absl::Status Begin(const Caller& caller) override {
    auto file = make_file_(caller, request_);
    if (!file.ok()) return file.status();
    std::lock_guard lock(mu_);
    file_ = std::move(*file);
    return absl::OkStatus();
  }

  void ProduceLocked() override {
    if (sent_ >= file_.size()) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    Chunk chunk;
    chunk.set_data(file_.substr(sent_, kChunkBytes));
    sent_ += chunk.data().size();
    QueueLocked(chunk);
  }

  StreamEnvironment& env_;
  grpc::ServerCompletionQueue* const queue_;
  const Requester request_fn_;
  const Export make_file_;
  Request request_;
  std::string file_;  // guarded by mu_
  size_t sent_ = 0;   // guarded by mu_
};

}  // namespace branchline
