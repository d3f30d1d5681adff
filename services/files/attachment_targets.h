#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "branchline/v1/files.pb.h"
#include "services/auth/caller.h"

namespace branchline {

// The records files are attached to, each with the rules of the service that owns it: who
// reads the record (and so its files) and who changes its attachments. The owners register
// them when the server is put together (server/server.cc), so the file service depends on
// none of them: meetings (MeetingRecords), ledger entries (Ledger), letters (Mailbox), study
// records (StudyJournal) and notices (Notices). Register before serving; lookups are then
// read-only and thread-safe.
struct AttachmentRules {
  // OK when `caller` may read record `object_id`; NOT_FOUND naming `field` when the caller's
  // tenant has no such record, PERMISSION_DENIED when they may not.
  std::function<absl::Status(const Caller& caller, uint64_t object_id, std::string_view field)>
      may_read;
  // The same for attaching files to it and removing them.
  std::function<absl::Status(const Caller& caller, uint64_t object_id, std::string_view field)>
      may_change;
};

class AttachmentTargets {
 public:
  void Register(v1::AttachmentTarget target, AttachmentRules rules) {
    rules_[target] = std::move(rules);
  }
  // Null for a target nobody registered.
  const AttachmentRules* Find(v1::AttachmentTarget target) const {
    auto it = rules_.find(target);
    return it == rules_.end() ? nullptr : &it->second;
  }

  // The registered kinds as an error names them: "MEETING, LEDGER_ENTRY, ...".
  std::string Names() const {
    std::string names;
    for (const auto& [target, rules] : rules_) {
      if (!names.empty()) names += ", ";
      names += v1::AttachmentTarget_Name(target).substr(sizeof("ATTACHMENT_TARGET_") - 1);
    }
    return names;
  }

 private:
  std::map<v1::AttachmentTarget, AttachmentRules> rules_;
};

}  // namespace branchline
