#pragma once

#include <map>

#include "grpcpp/server_context.h"

namespace branchline {

// A request the server refuses before its handler runs: too big for its method
// (rpc/methods.h), or the server stopping. The call interceptor (rpc/call_interceptor.h) sees
// the request first. It marks the call itself, in the metadata the call received, under a key
// that only it can put there: it drops the key from every call as the call arrives, so a
// client cannot claim it. It also empties the request, and as the status goes out it replaces
// whatever the handler answered with the refusal. A handler therefore only has to stop
// (AdmitCall does), and one that does not check (sign-in) runs on an empty request whose
// answer is replaced.
//
// The mark travels with the call, so it needs no lock and no table shared between calls.

// Whether the interceptor refused this call before its handler ran.
bool RefusedBeforeHandler(const grpc::ServerContextBase* context);

// For the interceptor: a call's received metadata (its GetRecvInitialMetadata()).
using ReceivedMetadata = std::multimap<grpc::string_ref, grpc::string_ref>;
// Removes a refusal mark that a client sent itself; called as every call arrives.
void DropClaimedRefusal(ReceivedMetadata& received);
// Marks the call refused.
void MarkRefused(ReceivedMetadata& received);

}  // namespace branchline
