#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/index_ids.h"
#include "storage/key_codec.h"

namespace branchline::storage {

// Named key layouts of the indexes and side tables (see the diagram in key_codec.h).
// Every function returns the full key; *Prefix functions return the scan prefix.

inline KeyBuilder IndexKey(uint32_t tenant, Index index) {
  return std::move(KeyBuilder(tenant).U16(static_cast<uint16_t>(index)));
}

inline std::string OrgChildKey(uint64_t parent, uint64_t child) {
  return IndexKey(TenantOfId(parent), Index::kOrgChildren).U64(parent).U64(child).key();
}
inline std::string OrgChildPrefix(uint64_t parent) {
  return IndexKey(TenantOfId(parent), Index::kOrgChildren).U64(parent).key();
}
inline std::string OrgDescendantKey(uint64_t ancestor, uint64_t org) {
  return IndexKey(TenantOfId(ancestor), Index::kOrgDescendants).U64(ancestor).U64(org).key();
}
inline std::string OrgDescendantPrefix(uint64_t ancestor) {
  return IndexKey(TenantOfId(ancestor), Index::kOrgDescendants).U64(ancestor).key();
}
inline std::string PersonByOrgKey(uint64_t org, uint64_t person) {
  return IndexKey(TenantOfId(org), Index::kPersonByOrg).U64(org).U64(person).key();
}
inline std::string PersonByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kPersonByOrg).U64(org).key();
}
inline std::string LoginKey(uint32_t tenant, std::string_view login) {
  return IndexKey(tenant, Index::kPersonByLogin).Str(login).key();
}
inline std::string SessionKey(uint64_t person, uint64_t session) {
  return KeyBuilder(TenantOfId(person)).U64(person).U64(session).key();
}
inline std::string SessionPrefix(uint64_t person) {
  return KeyBuilder(TenantOfId(person)).U64(person).key();
}
inline std::string IdempotencyKey(uint32_t tenant, uint64_t caller, std::string_view request_id) {
  return KeyBuilder(tenant).U64(caller).Str(request_id).key();
}
inline std::string ChangeKey(uint32_t tenant, uint64_t sequence) {
  return KeyBuilder(tenant).U64(sequence).key();
}

// ---- Study (services/study) ----
// Materials, plans and quizzes are indexed under their owner and (for subtree listings)
// under the owner and every ancestor; `org` is the indexed organisation, not the owner.
inline std::string MaterialByOrgKey(uint64_t org, uint8_t kind, uint64_t material) {
  return IndexKey(TenantOfId(org), Index::kMaterialByOrg).U64(org).U8(kind).U64(material).key();
}
inline std::string MaterialBySubtreeKey(uint64_t org, uint8_t kind, uint64_t material) {
  return IndexKey(TenantOfId(org), Index::kMaterialBySubtree).U64(org).U8(kind).U64(material).key();
}
// Prefix of a material index (kMaterialByOrg or kMaterialBySubtree); kind 0: every kind.
inline std::string MaterialPrefix(Index index, uint64_t org, uint8_t kind) {
  auto b = IndexKey(TenantOfId(org), index).U64(org);
  if (kind != 0) b.U8(kind);
  return std::move(b).key();
}
inline std::string StudyPlanKey(Index index, uint64_t org, uint32_t year, uint64_t plan) {
  return IndexKey(TenantOfId(org), index).U64(org).U32(year).U64(plan).key();
}
inline std::string StudyPlanPrefix(Index index, uint64_t org, uint32_t year) {
  return IndexKey(TenantOfId(org), index).U64(org).U32(year).key();
}
inline std::string StudyRecordByPersonKey(uint64_t person, int64_t device_micros, uint64_t record) {
  return IndexKey(TenantOfId(person), Index::kStudyRecordByPerson)
      .U64(person)
      .I64(device_micros)
      .U64(record)
      .key();
}
inline std::string StudyRecordByPersonPrefix(uint64_t person) {
  return IndexKey(TenantOfId(person), Index::kStudyRecordByPerson).U64(person).key();
}
inline std::string QuizByOrgKey(uint64_t org, uint64_t quiz) {
  return IndexKey(TenantOfId(org), Index::kQuizByOrg).U64(org).U64(quiz).key();
}
inline std::string QuizByOrgPrefix(uint64_t org) {
  return IndexKey(TenantOfId(org), Index::kQuizByOrg).U64(org).key();
}
inline std::string QuizAttemptKey(uint64_t person, uint64_t quiz, uint64_t attempt) {
  return IndexKey(TenantOfId(person), Index::kQuizAttemptByPerson)
      .U64(person)
      .U64(quiz)
      .U64(attempt)
      .key();
}
// Attempts of a person (quiz 0: at every quiz).
inline std::string QuizAttemptPrefix(uint64_t person, uint64_t quiz) {
  auto b = IndexKey(TenantOfId(person), Index::kQuizAttemptByPerson).U64(person);
  if (quiz != 0) b.U64(quiz);
  return std::move(b).key();
}
// Side records: an organisation's own study settings (Cf::kStudyPlans) and the running
// progress of a person in a local year (Cf::kStudyRecords). The string tag keeps them apart
// from the [tenant][id] record keys in the same families.
inline std::string StudySettingsKey(uint64_t org) {
  return KeyBuilder(TenantOfId(org)).Str("settings").U64(org).key();
}
inline std::string StudyProgressKey(uint64_t person, int32_t year) {
  return KeyBuilder(TenantOfId(person))
      .Str("progress")
      .U64(person)
      .U32(static_cast<uint32_t>(year))
      .key();
}

// The record id at the end of an index key (every index key ends with one).
inline uint64_t TrailingId(std::string_view key) {
  KeyReader r(key.substr(key.size() - 8));
  return r.U64().value_or(0);
}

}  // namespace branchline::storage
