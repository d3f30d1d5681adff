#pragma once

#include <cstdint>

namespace branchline {

// The person the access log may name for the call being handled on this thread (0: nobody).
// Handlers run synchronously on one thread from request to status, so a thread-local slot
// carries the identity from the handler to the server's access-log interceptor. Paths that
// must not be attributed to anyone (an anonymous letter) call ForgetLoggedCaller().
void SetLoggedCaller(uint64_t person_id);
void ForgetLoggedCaller();
// Returns the logged caller and clears the slot.
uint64_t TakeLoggedCaller();

// This call leaves no access-log line at all: even "caller=0" with its exact time, next to
// the author's other calls, could link an anonymous letter to its author.
void SuppressAccessLog();
// Whether the current call asked for no line; clears the flag.
bool TakeAccessLogSuppressed();

}  // namespace branchline
