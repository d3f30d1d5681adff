#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace grpc {
class ServerContextBase;
}

namespace branchline {

// What a call's access-log line may say, marked by its handler and read by the call
// interceptor (rpc/call_interceptor.h) as the call's status goes out. The marks travel with
// the call itself, as trailing metadata under private keys that the interceptor removes before
// anything is sent: they reach the interceptor whichever thread finishes the call, and cannot
// land on another call's line.

// The person the access log may name for this call (the last mark wins; none: nobody).
void SetLoggedCaller(grpc::ServerContextBase* context, uint64_t person_id);

// This call leaves no access-log line and no metric at all: even "caller=0" with its exact
// time, next to the author's other calls, could link an anonymous letter to its author. Wins
// over SetLoggedCaller.
void SuppressAccessLog(grpc::ServerContextBase* context);

struct LoggedCall {
  uint64_t caller = 0;
  bool suppressed = false;
};
// The marks in `trailing` (the metadata a call is about to send), removed from it.
LoggedCall TakeLoggedCall(std::multimap<std::string, std::string>& trailing);

}  // namespace branchline
