#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "branchline/v1/audit.pb.h"
#include "google/protobuf/message.h"
#include "storage/store.h"

namespace branchline {

// The named caller of the call being handled on this thread, for the audit record of its
// writes (v1::AuditRecord; docs/records.md, "The audit trail"). The handler helpers install
// one per authenticated call (rpc/grpc_handler.h, async_unary_method.h) around the
// domain call, which stages its writes on the same thread (RunIdempotent's staging, even for
// the async path), so the record is written in the write's own commit. Calls without a named
// caller (sign-in, receipt holders, ballot ratings) install none and leave no record.
struct AuditActor {
  uint64_t person_id = 0;
  uint64_t organization_id = 0;
  bool service_account = false;
  std::string client;  // the user-agent, printable ASCII, at most kMaxAuditClientChars
};

inline constexpr size_t kMaxAuditClientChars = 128;

// The user-agent as an audit record keeps it: printable ASCII only (anything else becomes
// '?'), cut to kMaxAuditClientChars.
std::string AuditClient(std::string_view user_agent);

// Makes `actor` this thread's audit actor until destroyed (restoring the previous one).
class AuditActorScope {
 public:
  explicit AuditActorScope(AuditActor actor);
  ~AuditActorScope();
  AuditActorScope(const AuditActorScope&) = delete;
  AuditActorScope& operator=(const AuditActorScope&) = delete;

 private:
  const AuditActor* previous_;
  AuditActor actor_;
};

// This thread's actor, or null outside an authenticated call.
const AuditActor* CurrentAuditActor();

// What a request addresses, for AuditRecord.object: its first non-zero top-level "*_id"
// field other than request_id ("meeting_id=42"), else the first non-zero "id" or "*_id" field
// of the first message it carries that has one ("record.meeting_id=42",
// "meeting.organization_id=7" for a meeting not yet created), else "".
std::string AuditObjectOf(const google::protobuf::Message& request);

// Stages in `writes` the audit record of a write by `person_id` (the current actor when it
// is that person; nothing when there is no such actor, or `person_id` is 0: an anonymous
// action). `method` is the RPC's name ("CheckIn"); `unique` tells apart two writes of one
// person in the same microsecond (the request id).
void StageAuditRecord(storage::WriteSet& writes, uint32_t tenant, uint64_t person_id,
                      std::string_view method, const google::protobuf::Message& request,
                      int64_t now_micros, std::string_view unique);

}  // namespace branchline
