#pragma once

#include <cstddef>
#include <string_view>

namespace branchline {

// The server-wide cap on a request (grpc::ServerBuilder::SetMaxReceiveMessageSize): gRPC
// refuses anything bigger with RESOURCE_EXHAUSTED before it is parsed.
inline constexpr size_t kMaxReceiveBytes = 4 << 20;

// The largest request `method` ("/branchline.v1.PersonService/ImportPeople") accepts, in
// bytes: 64 KiB unless its fields may legitimately hold more (each limit is the largest valid
// request, rounded up: e.g. ImportPeople's 1,000 rows). Requests over it are refused by the
// call interceptor before the handler runs.
size_t MaxRequestBytes(std::string_view method);

// Whether `method` is served raw: its handler receives the request as bytes (a grpc::ByteBuffer)
// and parses it itself (the AsyncUnaryMethods and AsyncStreamCalls: on the async API, gRPC would
// answer a request that does not parse with INTERNAL before any handler or interceptor sees it).
bool IsRawMethod(std::string_view method);

}  // namespace branchline
