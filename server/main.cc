#include "absl/synchronization/mutex.h"
#include "server/config/command_line.h"

// branchline-server: parse the settings, run. Everything else is in server/config/ and
// server.cc.
int main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex deadlock detection on: a
  // global lock-order graph updated whenever gRPC nests its locks, on every call. bench/
  // profiles show it at 4-7% of the server's CPU under 64 concurrent check-ins (the graph
  // cycle library alone 3.7%). It guards against lock-order bugs in gRPC, not in our code.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return branchline::RunServerCommand(argc, argv);
}
