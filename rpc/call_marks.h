#pragma once

#include <map>

#include "grpcpp/server_context.h"

namespace branchline {

// What the call interceptor (rpc/call_interceptor.h) tells the handler about its call. It
// marks the call itself, in the metadata the call received, under keys that only it can put
// there: it drops those keys from every call as the call arrives, so a client cannot claim
// one. The marks travel with the call, so they need no lock and no table shared between calls.
//
// Refused: a request the server refuses before its handler runs, too big for its method
// (rpc/methods.h) or the server stopping. The interceptor sees the request first. Besides
// marking the call it empties the request, and as the status goes out it replaces whatever
// the handler answered with the refusal. A handler therefore only has to stop (AdmitCall
// does), and one that does not check (sign-in) runs on an empty request whose answer is
// replaced.
//
// Serves password-change sessions: the method's line in rpc/methods.cc says Auth::kAnySession,
// so a session opened with a password someone else set may call it (SessionUse). The table
// declares it once; AdmitCall reads the mark.

bool RefusedBeforeHandler(const grpc::ServerContextBase* context);
bool ServesPasswordChangeSessions(const grpc::ServerContextBase* context);

// For the interceptor: a call's received metadata (its GetRecvInitialMetadata()).
using ReceivedMetadata = std::multimap<grpc::string_ref, grpc::string_ref>;
// Removes the marks a client sent itself; called as every call arrives, before marking.
void DropClaimedMarks(ReceivedMetadata& received);
void MarkRefused(ReceivedMetadata& received);
void MarkServesPasswordChangeSessions(ReceivedMetadata& received);

}  // namespace branchline
