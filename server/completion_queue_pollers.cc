#include "server/completion_queue_pollers.h"

#include "rpc/async_tag.h"

namespace branchline {

CompletionQueuePollers::CompletionQueuePollers(std::unique_ptr<grpc::ServerCompletionQueue> queue)
    : queue_(std::move(queue)) {}

CompletionQueuePollers::~CompletionQueuePollers() { Shutdown(); }

void CompletionQueuePollers::Start(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Poll(); });
}

void CompletionQueuePollers::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  queue_->Shutdown();
  if (threads_.empty()) Poll();  // never started: drain here
  for (auto& thread : threads_) thread.join();
}

void CompletionQueuePollers::Poll() {
  void* tag = nullptr;
  bool ok = false;
  while (queue_->Next(&tag, &ok)) static_cast<AsyncTag*>(tag)->Run(ok);
}

}  // namespace branchline
