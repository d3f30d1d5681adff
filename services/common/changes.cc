#include "services/common/changes.h"

#include <openssl/rand.h>

#include <algorithm>

#include "storage/keys.h"

namespace branchline {

namespace {
void AddUnique(std::vector<uint64_t>& ids, uint64_t id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}
}  // namespace

void Addressees::Add(const v1::Audience& audience, uint64_t owner_id) {
  if (audience.person_ids_size() > 0) {
    for (uint64_t p : audience.person_ids()) AddUnique(people, p);
  } else {
    members_only = (organizations.empty() || members_only) && audience.members_only();
    AddUnique(organizations, audience.organization_id() ? audience.organization_id() : owner_id);
  }
}

void Addressees::AddPerson(uint64_t person_id) {
  if (person_id != 0) AddUnique(people, person_id);
}

void Addressees::Merge(const Addressees& other) {
  if (!other.organizations.empty()) {
    members_only = (organizations.empty() || members_only) && other.members_only;
  }
  for (uint64_t p : other.people) AddUnique(people, p);
  for (uint64_t o : other.organizations) AddUnique(organizations, o);
}

void RecordAudienceChange(storage::WriteSet& writes, std::string_view kind, uint64_t record_id,
                          uint64_t organization_id, std::string_view action, const Addressees& to) {
  auto change = MakeChange(kind, record_id, organization_id, action, to.people);
  const auto& orgs = to.organizations;
  change.set_members_see(organization_id != 0 && !orgs.empty());
  change.set_members_only(change.members_see() && to.members_only);
  // Named unless the whole organisation is the audience and nobody is named besides (readers
  // take a member-visible change that names people but no audience organisation for a
  // change addressed to those people only: so were person-addressed notices logged once).
  if (std::find(orgs.begin(), orgs.end(), organization_id) == orgs.end() || !to.people.empty()) {
    for (uint64_t o : orgs) change.add_audience_organization_ids(o);
  }
  writes.AddChange(storage::TenantOfId(record_id), std::move(change));
}

void RecordChangeLater(storage::WriteSet& writes, std::string_view kind, uint64_t record_id,
                       uint64_t organization_id, std::string_view action,
                       int64_t publish_after_micros, const std::vector<uint64_t>& person_ids) {
  // The nonce spreads one day's deferred changes in random order (keys sort by it after the
  // publication time), so their order says nothing about the order they were made in.
  uint64_t nonce = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&nonce), sizeof nonce) != 1) nonce = record_id;
  writes.PutMessage(storage::Cf::kIndex,
                    storage::DeferredChangeKey(record_id, publish_after_micros, nonce),
                    MakeChange(kind, record_id, organization_id, action, person_ids));
}

}  // namespace branchline
