// Builds requests for any Branchline RPC from its descriptor, with no per-RPC code: a
// plausible request (ids of records that exist, unique request ids, times in the near
// future), and from it every hostile variant of one field at a time. The malformed-input
// campaign sends them through the server with a generic stub.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace branchline::testing {

// Ids and codes of records that exist, learned from the server's answers.
class KnownRecords {
 public:
  // Remembers every record id (a message's `id` field, by message type) and every
  // receipt / check-in code in `answer`.
  void Learn(const google::protobuf::Message& answer);
  // The latest id of a record of `type` ("Meeting"), or 0.
  uint64_t Id(const std::string& type) const;
  std::string Code(const std::string& field) const;
  void SetTenant(uint64_t tenant) { tenant_ = tenant; }
  uint64_t tenant() const { return tenant_; }

 private:
  std::map<std::string, uint64_t> ids_;
  std::map<std::string, std::string> codes_;
  uint64_t tenant_ = 0;
};

// One request to send: the serialized bytes and what was done to them.
struct ForgedRequest {
  std::string description;  // "meeting.title = 100,000 characters"
  std::string bytes;        // the wire bytes (may not parse, on purpose)
};

class RequestForge {
 public:
  RequestForge(const KnownRecords& known, uint64_t foreign_tenant, uint32_t seed);

  // A request for `method` filled with plausible values.
  std::unique_ptr<google::protobuf::Message> Plausible(const google::protobuf::MethodDescriptor& m);

  // Every hostile variant of `base` (one field changed each, down to nested messages), plus
  // whole-message garbage. Each has a fresh request id so none is an idempotent replay.
  std::vector<ForgedRequest> Hostile(const google::protobuf::MethodDescriptor& m,
                                     const google::protobuf::Message& base);

  // `count` random variants each with two to four hostile fields at once (the long run).
  std::vector<ForgedRequest> Combined(const google::protobuf::MethodDescriptor& m,
                                      const google::protobuf::Message& base, int count);

 private:
  struct Mutation {
    std::string description;
    // Changes one message in place; may return raw bytes to substitute for a marker string.
    std::function<void(google::protobuf::Message&)> apply;
    std::string marker, raw;  // when set: replace `marker` in the wire bytes by `raw`
  };
  void Fill(const google::protobuf::MethodDescriptor& m, google::protobuf::Message& msg, int depth);
  void Collect(const google::protobuf::Message& prototype, const std::string& path,
               std::vector<const google::protobuf::FieldDescriptor*>& chain, int depth,
               std::vector<Mutation>& out);
  void AddFieldMutations(const std::string& path,
                         const std::vector<const google::protobuf::FieldDescriptor*>& chain,
                         std::vector<Mutation>& out);
  ForgedRequest Apply(const google::protobuf::Message& base,
                      const std::vector<const Mutation*>& mutations);
  std::string FreshRequestId();

  const KnownRecords& known_;
  uint64_t foreign_tenant_;
  std::mt19937_64 rng_;
  uint64_t counter_ = 0;
  std::string current_method_;
  std::string current_service_;
};

}  // namespace branchline::testing
