#include "tests/support/generic_stream.h"

namespace branchline::testing {

grpc::Status CallServerStream(grpc::GenericStub& stub, grpc::ClientContext& context,
                              const std::string& method, const std::string& request,
                              int max_messages, int* messages) {
  grpc::CompletionQueue queue;
  // One operation at a time, each awaited before the next: the tag is only a marker.
  auto await = [&queue]() {
    void* tag = nullptr;
    bool ok = false;
    queue.Next(&tag, &ok);
    return ok;
  };
  int tag = 0;
  auto call = stub.PrepareCall(&context, method, &queue);
  call->StartCall(&tag);
  bool ok = await();
  if (ok) {
    grpc::Slice slice(request);
    grpc::ByteBuffer bytes(&slice, 1);
    call->Write(bytes, &tag);
    ok = await();
  }
  if (ok) {
    call->WritesDone(&tag);
    ok = await();
  }
  int read = 0;
  while (ok && read < max_messages) {
    grpc::ByteBuffer reply;
    call->Read(&reply, &tag);
    if (!await()) break;
    ++read;
  }
  if (read >= max_messages) context.TryCancel();
  grpc::Status status;
  call->Finish(&status, &tag);
  await();
  queue.Shutdown();
  void* drained;
  bool drained_ok;
  while (queue.Next(&drained, &drained_ok)) {
  }
  if (messages) *messages = read;
  return status;
}

}  // namespace branchline::testing
