#pragma once

#include <string>

#include "absl/status/status.h"

namespace branchline {

// How the operator says the gRPC port may face more than this host (docs/security.md):
// Debian 12's gRPC 1.51 has unpatched HTTP/2 denial-of-service issues (rapid reset, HPACK), so
// by default the server listens on loopback only, behind the nginx edge.
struct ListenExposure {
  bool tls = false;             // --tls-cert/--tls-key are set
  bool behind_edge = false;     // --behind-edge: only an HTTP/2 edge (nginx) can reach the port
  bool accept_no_edge = false;  // --i-accept-no-edge: clients reach the port directly
};

// Whether `listen` ("host:port", "[v6]:port", "unix:path") names this host only: 127.0.0.0/8,
// ::1, localhost or a Unix socket.
bool IsLoopbackListen(const std::string& listen);

// OK for a loopback address; for any other address (0.0.0.0, a LAN or public IP, a host name)
// FAILED_PRECONDITION unless TLS is on and one of the two flags says who stands in front. The
// message names the flags to add.
absl::Status CheckListenExposure(const std::string& listen, const ListenExposure& exposure);

}  // namespace branchline
