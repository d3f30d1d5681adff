#include "services/common/audit_trail.h"

#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "services/common/clock.h"
#include "storage/keys.h"

namespace branchline {

namespace {

thread_local const AuditActor* current_actor = nullptr;

// FNV-1a: a stable 64-bit digest of the request id (not a secret: it only orders and
// separates one person's writes within a microsecond).
uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

uint64_t IdValue(const google::protobuf::Message& m, const google::protobuf::FieldDescriptor* f) {
  using google::protobuf::FieldDescriptor;
  if (f->is_repeated()) return 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT64:
      return m.GetReflection()->GetUInt64(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return static_cast<uint64_t>(m.GetReflection()->GetInt64(m, f));
    default:
      return 0;
  }
}

}  // namespace

std::string AuditClient(std::string_view user_agent) {
  std::string client(user_agent.substr(0, kMaxAuditClientChars));
  for (char& c : client) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return client;
}

AuditActorScope::AuditActorScope(AuditActor actor)
    : previous_(current_actor), actor_(std::move(actor)) {
  current_actor = &actor_;
}

AuditActorScope::~AuditActorScope() { current_actor = previous_; }

const AuditActor* CurrentAuditActor() { return current_actor; }

std::string AuditObjectOf(const google::protobuf::Message& request) {
  const auto* d = request.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->name() == "request_id" || !EndsWith(f->name(), "_id")) continue;
    if (uint64_t id = IdValue(request, f)) return f->name() + "=" + std::to_string(id);
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->is_repeated() || f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE ||
        !request.GetReflection()->HasField(request, f)) {
      continue;
    }
    const auto& carried = request.GetReflection()->GetMessage(request, f);
    const auto* cd = carried.GetDescriptor();
    for (int j = 0; j < cd->field_count(); ++j) {
      const auto* id_field = cd->field(j);
      if (id_field->name() != "id" && !EndsWith(id_field->name(), "_id")) continue;
      if (uint64_t id = IdValue(carried, id_field)) {
        return f->name() + "." + id_field->name() + "=" + std::to_string(id);
      }
    }
  }
  return "";
}

void StageAuditRecord(storage::WriteSet& writes, uint32_t tenant, uint64_t person_id,
                      std::string_view method, const google::protobuf::Message& request,
                      int64_t now_micros, std::string_view unique) {
  const AuditActor* actor = current_actor;
  if (person_id == 0 || actor == nullptr || actor->person_id != person_id) return;
  v1::AuditRecord record;
  *record.mutable_time() = ToTimestamp(now_micros);
  record.set_person_id(person_id);
  record.set_service_account(actor->service_account);
  record.set_organization_id(actor->organization_id);
  record.set_method(std::string(method));
  record.set_object(AuditObjectOf(request));
  record.set_client(actor->client);
  const uint64_t digest = Fnv1a(unique);
  writes.PutMessage(storage::Cf::kRecords, storage::AuditKey(tenant, now_micros, person_id, digest),
                    record);
  writes.Put(storage::Cf::kIndex, storage::AuditByPersonKey(person_id, now_micros, digest), "");
}

}  // namespace branchline
