#include "tests/security/request_forge.h"

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cmath>
#include <ctime>
#include <limits>

#include "tests/support/test_server.h"

namespace branchline::testing {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::Reflection;

// Record types in the API, longest first so "StudyPlanItem" wins over "StudyPlan".
const std::vector<std::string>& RecordTypes() {
  static const std::vector<std::string> types = {
      "StudyPlanItem", "Organization", "QuizAttempt", "StudyRecord", "StudyPlan", "Material",
      "Meeting",       "Person",       "Letter",      "Notice",      "Quiz"};
  return types;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

bool IsIdField(const FieldDescriptor* f) {
  return f->name() == "id" || EndsWith(f->name(), "_id") || EndsWith(f->name(), "_ids");
}

// The record type an id field refers to ("" when unknown).
std::string IdType(const FieldDescriptor* f, const MethodDescriptor& m, int depth) {
  const std::string& n = f->name();
  if (n == "id") {
    if (depth > 0) return f->containing_type()->name();
    for (const auto& t : RecordTypes()) {
      if (Has(m.name(), t)) return t;
    }
    if (m.service()->name() == "FeedbackService") return "Letter";
    return "";
  }
  if (Has(n, "tenant")) return "tenant";
  if (Has(n, "organization") || Has(n, "parent") || Has(n, "ancestor")) return "Organization";
  if (Has(n, "person") || Has(n, "host") || Has(n, "author")) return "Person";
  if (Has(n, "meeting")) return "Meeting";
  if (Has(n, "plan_item")) return "StudyPlanItem";
  if (Has(n, "plan")) return "StudyPlan";
  if (Has(n, "material")) return "Material";
  if (Has(n, "attempt")) return "QuizAttempt";
  if (Has(n, "quiz")) return "Quiz";
  if (Has(n, "letter")) return "Letter";
  if (Has(n, "record")) return "StudyRecord";
  if (Has(n, "notice")) return "Notice";
  return "";
}

bool IsTimestamp(const FieldDescriptor* f) {
  return f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         f->message_type()->full_name() == "google.protobuf.Timestamp";
}
bool IsFieldMask(const FieldDescriptor* f) {
  return f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         f->message_type()->full_name() == "google.protobuf.FieldMask";
}

// Walks `chain` from `root`, creating messages (and a first element of repeated messages) on
// the way; returns the message holding the last field.
Message* Holder(Message& root, const std::vector<const FieldDescriptor*>& chain) {
  Message* msg = &root;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    const Reflection* r = msg->GetReflection();
    if (chain[i]->is_repeated()) {
      if (r->FieldSize(*msg, chain[i]) == 0) r->AddMessage(msg, chain[i]);
      msg = r->MutableRepeatedMessage(msg, chain[i], 0);
    } else {
      msg = r->MutableMessage(msg, chain[i]);
    }
  }
  return msg;
}

}  // namespace

void KnownRecords::Learn(const Message& answer) {
  const Descriptor* d = answer.GetDescriptor();
  const Reflection* r = answer.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int k = 0; k < r->FieldSize(answer, f); ++k)
          Learn(r->GetRepeatedMessage(answer, f, k));
      } else if (r->HasField(answer, f)) {
        Learn(r->GetMessage(answer, f));
      }
    } else if (f->name() == "id" && f->cpp_type() == FieldDescriptor::CPPTYPE_UINT64 &&
               !f->is_repeated() && r->GetUInt64(answer, f) != 0) {
      ids_[d->name()] = r->GetUInt64(answer, f);
    } else if ((f->name() == "receipt_code" || f->name() == "code") &&
               f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !f->is_repeated() &&
               !r->GetString(answer, f).empty()) {
      codes_[f->name()] = r->GetString(answer, f);
    }
  }
}

uint64_t KnownRecords::Id(const std::string& type) const {
  auto it = ids_.find(type);
  return it == ids_.end() ? 0 : it->second;
}

std::string KnownRecords::Code(const std::string& field) const {
  auto it = codes_.find(field);
  return it == codes_.end() ? "" : it->second;
}

RequestForge::RequestForge(const KnownRecords& known, uint64_t foreign_tenant, uint32_t seed)
    : known_(known), foreign_tenant_(foreign_tenant), rng_(seed) {}

std::string RequestForge::FreshRequestId() {
  return "forge-" + std::to_string(rng_()) + "-" + std::to_string(++counter_);
}

std::unique_ptr<Message> RequestForge::Plausible(const MethodDescriptor& m) {
  std::unique_ptr<Message> msg(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(m.input_type())->New());
  Fill(m, *msg, 0);
  return msg;
}

void RequestForge::Fill(const MethodDescriptor& m, Message& msg, int depth) {
  const Descriptor* d = msg.GetDescriptor();
  const Reflection* r = msg.GetReflection();
  const int64_t now = time(nullptr);
  // The first string field of the request's resource, for update masks.
  std::string mask_path = "name";
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || IsTimestamp(f) || IsFieldMask(f)) {
      continue;
    }
    for (int k = 0; k < f->message_type()->field_count(); ++k) {
      if (f->message_type()->field(k)->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        mask_path = f->message_type()->field(k)->name();
        break;
      }
    }
    break;
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->containing_oneof() && f->containing_oneof()->field(0) != f) continue;
    const std::string& n = f->name();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (IsTimestamp(f)) {
          google::protobuf::Timestamp t;
          bool later = Has(n, "end") || Has(n, "_to") || Has(n, "until") || Has(n, "due");
          bool now_ish = Has(n, "occurred") || Has(n, "device") || Has(n, "checked");
          t.set_seconds(now_ish ? now : now + (later ? 7200 : 3600));
          if (f->is_repeated()) {
            r->AddMessage(&msg, f)->CopyFrom(t);
          } else {
            r->MutableMessage(&msg, f)->CopyFrom(t);
          }
        } else if (IsFieldMask(f)) {
          google::protobuf::FieldMask mask;
          mask.add_paths(mask_path);
          r->MutableMessage(&msg, f)->CopyFrom(mask);
        } else if (depth < 3) {
          Fill(m, f->is_repeated() ? *r->AddMessage(&msg, f) : *r->MutableMessage(&msg, f),
               depth + 1);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v;
        if (n == "request_id") {
          v = FreshRequestId();
        } else if (Has(n, "password")) {
          v = kPassword;
        } else if (n == "login") {
          // Not the administrator: failed sign-ins would lock its login (the throttle).
          v = "campaign-login";
        } else if (Has(n, "employee_number")) {
          v = "forge-" + std::to_string(++counter_);
        } else if (n == "receipt_code" || n == "code") {
          v = known_.Code(n);
        } else if (Has(n, "token") || Has(n, "key") || Has(n, "cursor")) {
          v = "";
        } else if (Has(n, "phone")) {
          v = "13800138000";
        } else {
          v = "文本" + std::to_string(++counter_);
        }
        if (f->is_repeated()) {
          r->AddString(&msg, f, v);
        } else {
          r->SetString(&msg, f, v);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_INT32: {
        int64_t v = 1;
        if (IsIdField(f) || Has(n, "tenant")) {
          std::string type = IdType(f, m, depth);
          v = type == "tenant" ? static_cast<int64_t>(known_.tenant())
              : type.empty()   ? 1
                               : static_cast<int64_t>(known_.Id(type));
        } else if (n == "page_size") {
          v = 10;
        } else if (n == "year") {
          v = 2026;
        } else if (Has(n, "rating")) {
          v = 4;
        } else if (Has(n, "offset_minutes")) {
          v = 480;
        } else if (Has(n, "minutes") || Has(n, "score") || Has(n, "percent")) {
          v = 30;
        } else if (Has(n, "days")) {
          v = 7;
        }
        const Reflection* rr = r;
        switch (f->cpp_type()) {
          case FieldDescriptor::CPPTYPE_UINT64:
            f->is_repeated() ? rr->AddUInt64(&msg, f, v) : rr->SetUInt64(&msg, f, v);
            break;
          case FieldDescriptor::CPPTYPE_INT64:
            f->is_repeated() ? rr->AddInt64(&msg, f, v) : rr->SetInt64(&msg, f, v);
            break;
          case FieldDescriptor::CPPTYPE_UINT32:
            f->is_repeated() ? rr->AddUInt32(&msg, f, v) : rr->SetUInt32(&msg, f, v);
            break;
          default:
            f->is_repeated() ? rr->AddInt32(&msg, f, v) : rr->SetInt32(&msg, f, v);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        int v = f->enum_type()->value_count() > 1 ? f->enum_type()->value(1)->number() : 0;
        f->is_repeated() ? r->AddEnumValue(&msg, f, v) : r->SetEnumValue(&msg, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        if (!f->is_repeated()) r->SetBool(&msg, f, false);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        if (!f->is_repeated()) r->SetDouble(&msg, f, 1.0);
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        if (!f->is_repeated()) r->SetFloat(&msg, f, 1.0f);
        break;
    }
  }
}

void RequestForge::AddFieldMutations(const std::string& path,
                                     const std::vector<const FieldDescriptor*>& chain,
                                     std::vector<Mutation>& out) {
  const FieldDescriptor* f = chain.back();
  auto add = [&](std::string what, std::function<void(Message&, const FieldDescriptor*)> set) {
    Mutation mu;
    mu.description = path + " = " + what;
    mu.apply = [chain, set](Message& root) {
      Message* holder = Holder(root, chain);
      holder->GetReflection()->ClearField(holder, chain.back());
      set(*holder, chain.back());
    };
    out.push_back(std::move(mu));
  };
  if (IsTimestamp(f)) {
    const std::vector<std::pair<std::string, std::pair<int64_t, int32_t>>> times = {
        {"year 0", {-62167219200, 0}},
        {"year 1", {-62135596800, 0}},
        {"year 9999", {253402300799, 0}},
        {"the epoch", {0, 0}},
        {"seconds INT64_MAX", {std::numeric_limits<int64_t>::max(), 0}},
        {"seconds INT64_MIN", {std::numeric_limits<int64_t>::min(), 0}},
        {"nanos -1", {time(nullptr), -1}},
        {"nanos 2e9", {time(nullptr), 2'000'000'000}}};
    for (const auto& [what, t] : times) {
      auto [seconds, nanos] = t;
      add(what, [seconds, nanos](Message& h, const FieldDescriptor* fd) {
        google::protobuf::Timestamp ts;
        ts.set_seconds(seconds);
        ts.set_nanos(nanos);
        (fd->is_repeated() ? h.GetReflection()->AddMessage(&h, fd)
                           : h.GetReflection()->MutableMessage(&h, fd))
            ->CopyFrom(ts);
      });
    }
    if (f->is_repeated()) {
      add("100,000 timestamps", [](Message& h, const FieldDescriptor* fd) {
        for (int i = 0; i < 100'000; ++i) h.GetReflection()->AddMessage(&h, fd);
      });
    }
    return;
  }
  if (IsFieldMask(f)) {
    const std::vector<std::vector<std::string>> masks = {
        {"no_such_field"}, {"id"}, {""}, {"a.b.c"}, {"organization_id"}, {"create_time"}};
    for (const auto& paths : masks) {
      add("mask [" + (paths[0].empty() ? std::string("\"\"") : paths[0]) + "]",
          [paths](Message& h, const FieldDescriptor* fd) {
            google::protobuf::FieldMask mask;
            for (const auto& p : paths) mask.add_paths(p);
            h.GetReflection()->MutableMessage(&h, fd)->CopyFrom(mask);
          });
    }
    add("mask with 20,000 paths", [](Message& h, const FieldDescriptor* fd) {
      google::protobuf::FieldMask mask;
      for (int i = 0; i < 20'000; ++i) mask.add_paths("name");
      h.GetReflection()->MutableMessage(&h, fd)->CopyFrom(mask);
    });
    return;
  }
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      auto set_string = [](std::string v) {
        return [v](Message& h, const FieldDescriptor* fd) {
          fd->is_repeated() ? h.GetReflection()->AddString(&h, fd, v)
                            : h.GetReflection()->SetString(&h, fd, v);
        };
      };
      add("\"\"", set_string(""));
      add("100,000 characters", set_string(std::string(100'000, 'x')));
      std::string cjk;
      for (int i = 0; i < 5000; ++i) cjk += "党";
      add("5,000 CJK characters", set_string(cjk));
      add("whitespace only", set_string(" \t\n\r "));
      add("control characters", set_string("a\x01\x02\x1b[31mb"));
      add("an embedded NUL", set_string(std::string("a\0b", 3)));
      add("right-to-left override", set_string("\u202etxt.exe"));
      // Invalid UTF-8 cannot go through the generated setters' checks in every build, so the
      // field carries a marker that is replaced by the raw bytes in the wire encoding.
      const std::vector<std::pair<std::string, std::string>> invalid = {
          {"byte 0xFF", "\xff\xfe\xfd"},
          {"overlong NUL", "\xc0\x80"},
          {"UTF-16 surrogate", "\xed\xa0\x80"},
          {"truncated sequence", "\xe5\x85"},
          {"Latin-1 text", "caf\xe9"}};
      for (const auto& [what, bytes] : invalid) {
        Mutation mu;
        mu.description = path + " = invalid UTF-8 (" + what + ")";
        mu.marker = "MRK" + std::to_string(1'000'000'000'000ULL + (++counter_));
        mu.raw = bytes + std::string(mu.marker.size() - bytes.size(), 'a');
        auto chain_copy = chain;
        std::string marker = mu.marker;
        mu.apply = [chain_copy, marker](Message& root) {
          Message* h = Holder(root, chain_copy);
          const FieldDescriptor* fd = chain_copy.back();
          h->GetReflection()->ClearField(h, fd);
          fd->is_repeated() ? h->GetReflection()->AddString(h, fd, marker)
                            : h->GetReflection()->SetString(h, fd, marker);
        };
        out.push_back(std::move(mu));
      }
      if (f->is_repeated()) {
        add("100,000 elements", [](Message& h, const FieldDescriptor* fd) {
          for (int i = 0; i < 100'000; ++i) h.GetReflection()->AddString(&h, fd, "x");
        });
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_INT32: {
      std::vector<std::pair<std::string, uint64_t>> values = {
          {"0", 0},
          {"-1 / max", ~0ULL},
          {"INT64_MIN", 1ULL << 63},
          {"INT64_MAX", (1ULL << 63) - 1},
          {"INT32_MIN", static_cast<uint64_t>(static_cast<int64_t>(INT32_MIN))},
          {"INT32_MAX", INT32_MAX},
          {"2^32", 1ULL << 32}};
      if (IsIdField(f)) {
        // The same low bits as a real id, in another tenant (ids carry the tenant on top).
        values.push_back({"an id of another tenant", (foreign_tenant_ << 40) | 1});
        values.push_back({"an id of tenant 0", 12345});
      }
      for (const auto& [what, v] : values) {
        uint64_t value = v;
        add(what, [value](Message& h, const FieldDescriptor* fd) {
          const Reflection* r = h.GetReflection();
          switch (fd->cpp_type()) {
            case FieldDescriptor::CPPTYPE_UINT64:
              fd->is_repeated() ? r->AddUInt64(&h, fd, value) : r->SetUInt64(&h, fd, value);
              break;
            case FieldDescriptor::CPPTYPE_INT64:
              fd->is_repeated() ? r->AddInt64(&h, fd, static_cast<int64_t>(value))
                                : r->SetInt64(&h, fd, static_cast<int64_t>(value));
              break;
            case FieldDescriptor::CPPTYPE_UINT32:
              fd->is_repeated() ? r->AddUInt32(&h, fd, static_cast<uint32_t>(value))
                                : r->SetUInt32(&h, fd, static_cast<uint32_t>(value));
              break;
            default:
              fd->is_repeated() ? r->AddInt32(&h, fd, static_cast<int32_t>(value))
                                : r->SetInt32(&h, fd, static_cast<int32_t>(value));
          }
        });
      }
      if (f->is_repeated()) {
        add("100,000 elements", [](Message& h, const FieldDescriptor* fd) {
          const Reflection* r = h.GetReflection();
          for (int i = 0; i < 100'000; ++i) {
            switch (fd->cpp_type()) {
              case FieldDescriptor::CPPTYPE_UINT64:
                r->AddUInt64(&h, fd, i + 1);
                break;
              case FieldDescriptor::CPPTYPE_INT64:
                r->AddInt64(&h, fd, i + 1);
                break;
              case FieldDescriptor::CPPTYPE_UINT32:
                r->AddUInt32(&h, fd, i + 1);
                break;
              default:
                r->AddInt32(&h, fd, i + 1);
            }
          }
        });
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      for (int v : {0, 999, -7, 2'000'000'000}) {
        add("enum value " + std::to_string(v), [v](Message& h, const FieldDescriptor* fd) {
          fd->is_repeated() ? h.GetReflection()->AddEnumValue(&h, fd, v)
                            : h.GetReflection()->SetEnumValue(&h, fd, v);
        });
      }
      if (f->is_repeated()) {
        add("100,000 elements", [](Message& h, const FieldDescriptor* fd) {
          for (int i = 0; i < 100'000; ++i) h.GetReflection()->AddEnumValue(&h, fd, 1);
        });
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!f->is_repeated()) {
        add("true", [](Message& h, const FieldDescriptor* fd) {
          h.GetReflection()->SetBool(&h, fd, true);
        });
      }
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      if (!f->is_repeated()) {
        for (double v : {std::nan(""), std::numeric_limits<double>::infinity(), -1e308}) {
          add(std::to_string(v), [v](Message& h, const FieldDescriptor* fd) {
            if (fd->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
              h.GetReflection()->SetDouble(&h, fd, v);
            } else {
              h.GetReflection()->SetFloat(&h, fd, static_cast<float>(v));
            }
          });
        }
      }
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (f->is_repeated()) {
        add("10,000 empty elements", [](Message& h, const FieldDescriptor* fd) {
          for (int i = 0; i < 10'000; ++i) h.GetReflection()->AddMessage(&h, fd);
        });
      }
      add("an empty message", [](Message& h, const FieldDescriptor* fd) {
        if (!fd->is_repeated()) h.GetReflection()->MutableMessage(&h, fd);
      });
      return;
  }
}

void RequestForge::Collect(const Message& prototype, const std::string& path,
                           std::vector<const FieldDescriptor*>& chain, int depth,
                           std::vector<Mutation>& out) {
  const Descriptor* d = prototype.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    chain.push_back(f);
    std::string p = path.empty() ? f->name() : path + "." + f->name();
    AddFieldMutations(p, chain, out);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsTimestamp(f) && !IsFieldMask(f) &&
        depth < 2) {
      Collect(
          *google::protobuf::MessageFactory::generated_factory()->GetPrototype(f->message_type()),
          p, chain, depth + 1, out);
    }
    chain.pop_back();
  }
}

ForgedRequest RequestForge::Apply(const Message& base,
                                  const std::vector<const Mutation*>& mutations) {
  std::unique_ptr<Message> msg(base.New());
  msg->CopyFrom(base);
  const FieldDescriptor* rid = msg->GetDescriptor()->FindFieldByName("request_id");
  if (rid && rid->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !rid->is_repeated()) {
    msg->GetReflection()->SetString(msg.get(), rid, FreshRequestId());
  }
  ForgedRequest out;
  for (const Mutation* mu : mutations) {
    mu->apply(*msg);
    out.description += (out.description.empty() ? "" : "; ") + mu->description;
  }
  out.bytes = msg->SerializeAsString();
  for (const Mutation* mu : mutations) {
    if (mu->marker.empty()) continue;
    auto at = out.bytes.find(mu->marker);
    if (at != std::string::npos) out.bytes.replace(at, mu->marker.size(), mu->raw);
  }
  return out;
}

std::vector<ForgedRequest> RequestForge::Hostile(const MethodDescriptor& m, const Message& base) {
  std::vector<Mutation> mutations;
  std::vector<const FieldDescriptor*> chain;
  Collect(base, "", chain, 0, mutations);
  std::vector<ForgedRequest> out;
  for (const auto& mu : mutations) out.push_back(Apply(base, {&mu}));
  // Whole-message damage: truncation, garbage, an unknown field, a field of the wrong wire type.
  std::string bytes = Apply(base, {}).bytes;
  if (bytes.size() > 1)
    out.push_back({"truncated in the middle", bytes.substr(0, bytes.size() / 2)});
  for (int i = 0; i < 3; ++i) {
    std::string garbage(1 + rng_() % 300, '\0');
    for (auto& c : garbage) c = static_cast<char>(rng_());
    out.push_back({"random bytes", garbage});
  }
  out.push_back({"unknown field 9999", bytes + std::string("\xf8\xf0\x04\x01", 4)});
  out.push_back({"field 1 as a 1 MB length-delimited blob",
                 std::string("\x0a\x80\x80\x40", 4) + std::string(1 << 20, 'z')});
  out.push_back({"length prefix past the end", std::string("\x0a\xff\xff\xff\x0f"
                                                           "abc",
                                                           8)});
  out.push_back({"100 levels of nesting", [] {
                   std::string s;
                   for (int i = 0; i < 100; ++i)
                     s = "\x0a" + std::string(1, static_cast<char>(s.size())) + s;
                   return s;
                 }()});
  return out;
}

std::vector<ForgedRequest> RequestForge::Combined(const MethodDescriptor& m, const Message& base,
                                                  int count) {
  std::vector<Mutation> mutations;
  std::vector<const FieldDescriptor*> chain;
  Collect(base, "", chain, 0, mutations);
  std::vector<ForgedRequest> out;
  if (mutations.empty()) return out;
  for (int i = 0; i < count; ++i) {
    std::vector<const Mutation*> pick;
    int n = 2 + static_cast<int>(rng_() % 3);
    for (int k = 0; k < n; ++k) pick.push_back(&mutations[rng_() % mutations.size()]);
    out.push_back(Apply(base, pick));
  }
  return out;
}

}  // namespace branchline::testing
