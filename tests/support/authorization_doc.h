// The authorization matrices are the documentation: each matrix test hands its table to
// ExpectDocumented, which fails when docs/authorization.md does not show exactly that table.
// To regenerate the document after changing a table on purpose:
//   BRANCHLINE_WRITE_AUTHORIZATION_DOC=1 ctest --test-dir build -j1 -R 'uthorization'
// (one at a time: the tests rewrite their own block of the same file).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "grpcpp/support/sync_stream.h"

namespace branchline::testing {

struct AuthorizationTable {
  // The block's name in docs/authorization.md ("people-and-organizations").
  std::string name;
  // Column heads: RPC names, optionally with a qualifier ("GetAttendanceHistory(self)").
  std::vector<std::string> ops;
  // One row per kind of caller: the expected status of each op.
  std::vector<std::pair<std::string, std::vector<grpc::StatusCode>>> rows;
};

// The table as Markdown (callers down, RPCs across, cells "OK" / "UNAUTHENTICATED" / ...).
std::string RenderMarkdown(const AuthorizationTable& table);

// Fails the test unless docs/authorization.md holds RenderMarkdown(table) between
// "<!-- matrix: NAME -->" and "<!-- end matrix -->" (rewrites it when
// BRANCHLINE_WRITE_AUTHORIZATION_DOC is set).
void ExpectDocumented(const AuthorizationTable& table);

// Calls every cell of `table` (`call(op, caller)` makes the call of one column as one row's
// caller and answers its status), expects each cell's code, then ExpectDocumented(table).
void ExpectMatrix(
    const AuthorizationTable& table,
    const std::function<grpc::StatusCode(const std::string& op, const std::string& caller)>& call);

// The code of a server-stream cell, for a `call` of ExpectMatrix (streams go through the same
// ExpectMatrix as unary calls): OK as soon as the first message arrives (the stream is then
// cancelled: one message shows the server took the call), else the stream's own status. A
// live stream (`open_means_ok`, e.g. WatchChanges) may have nothing to send yet: there a
// stream still open at the context's deadline counts as OK, because every refusal is sent at
// once, before the stream opens.
template <typename Message>
grpc::StatusCode StreamCellCode(grpc::ClientContext& context,
                                grpc::ClientReaderInterface<Message>& reader,
                                bool open_means_ok = false) {
  Message first;
  if (reader.Read(&first)) {
    context.TryCancel();
    reader.Finish();
    return grpc::OK;
  }
  const grpc::StatusCode code = reader.Finish().error_code();
  return open_means_ok && code == grpc::DEADLINE_EXCEEDED ? grpc::OK : code;
}

// The whole of docs/authorization.md.
std::string ReadAuthorizationDoc();

}  // namespace branchline::testing
