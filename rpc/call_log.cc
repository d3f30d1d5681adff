#include "rpc/call_log.h"

namespace branchline {

namespace {
thread_local uint64_t logged_caller = 0;
thread_local bool suppressed = false;
}  // namespace

void SetLoggedCaller(uint64_t person_id) { logged_caller = person_id; }
void ForgetLoggedCaller() { logged_caller = 0; }
uint64_t TakeLoggedCaller() {
  uint64_t id = logged_caller;
  logged_caller = 0;
  return id;
}

void SuppressAccessLog() { suppressed = true; }
bool TakeAccessLogSuppressed() {
  bool was = suppressed;
  suppressed = false;
  return was;
}

}  // namespace branchline
