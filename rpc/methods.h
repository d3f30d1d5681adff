#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Every RPC of the API and how the transport treats it, declared once (methods.cc): a new
// method is one line there, and tests/rpc/method_table_test.cc fails until it has its line and
// the line matches both the .proto descriptors and a running server's behaviour.
namespace branchline::rpc {

// The server-wide cap on a request (grpc::ServerBuilder::SetMaxReceiveMessageSize): gRPC
// refuses anything bigger with RESOURCE_EXHAUSTED before it is parsed.
inline constexpr size_t kMaxReceiveBytes = 4 << 20;

// What a call must carry to be served.
enum class Auth {
  kNone,              // nothing: sign-in and refresh carry their credentials in the request
  kSession,           // an access token of a session that is not limited to a password change
  kAnySession,        // any session, also one opened with a password that must be changed
  kReceipt,           // an anonymous letter's receipt code in the request, never a token
  kSessionOrReceipt,  // either (the author of a named or of an anonymous letter)
  kBallot,            // a blind-signed ballot in the request, never a token
};

// How the server runs it.
enum class Serving {
  kSync,    // on the sync API, the request parsed by gRPC
  kAsync,   // on the async API, the request received as bytes and parsed by its handler
  kStream,  // a server stream, received as bytes too (rpc/async_stream_call.h)
};

// What the access log, the metrics and the audit trail may record of a call.
enum class Log {
  kCaller,           // one line naming the caller
  kUnlessAnonymous,  // the same, but nothing at all when the caller acts anonymously
  kNoLine,           // never anything: only anonymous people call it
};

// Whether a successful call changes stored state. Every kWrites call of a named caller
// leaves an audit record in its own commit (services/common/audit_trail.h).
enum class Effect { kReads, kWrites };

struct Method {
  std::string_view name;  // "CheckIn"
  Auth auth;
  size_t max_request_bytes;  // larger requests are RESOURCE_EXHAUSTED before the handler runs
  Serving serving;
  Log log;
  Effect effect;
  std::string_view service = {};  // "AttendanceService"
};

// "/branchline.v1.AttendanceService/CheckIn"
std::string Path(const Method& method);

// The method of a gRPC method path ("/branchline.v1.AttendanceService/CheckIn"), or null for
// a method that is not ours (the health and reflection services).
const Method* FindMethod(std::string_view path);

// The whole table, in the order of the .proto files.
const std::vector<Method>& AllMethods();

}  // namespace branchline::rpc
