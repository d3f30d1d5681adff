#pragma once

#include <string>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace branchline::testing {

// Calls the server-streaming `method` ("/branchline.v1.SyncService/WatchChanges") with the
// wire bytes `request` (which may not parse, on purpose), reads at most `max_messages`
// messages and then cancels the call (a WatchChanges stream never ends by itself). Returns the
// final status (CANCELLED when it was cancelled here) and, in `messages`, how many arrived.
grpc::Status CallServerStream(grpc::GenericStub& stub, grpc::ClientContext& context,
                              const std::string& method, const std::string& request,
                              int max_messages, int* messages = nullptr);

}  // namespace branchline::testing
