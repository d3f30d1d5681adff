#pragma once

#include <cstdint>

namespace branchline::storage {

// Secondary indexes, all in column family kIndex under [tenant][index id u16].
// NEVER renumber: the numbers are on disk. Add new ones with a new number.
// Ranges by area, so areas can add indexes independently:
//   1-99 organisations, people, auth   100-199 attendance   200-299 study
//   300-399 feedback                   400-499 sync and notices
enum class Index : uint16_t {
  kOrgChildren = 1,     // [parent id][child id]
  kOrgDescendants = 2,  // [ancestor id][org id]   for every proper ancestor
  kPersonByOrg = 3,     // [org id][person id]
  kPersonByLogin = 4,   // [login string]           value: person id (u64 BE); unique

  // Study (200-299).
  kMaterialByOrg = 200,        // [owner org id][kind u8][material id]
  kMaterialBySubtree = 201,    // [owner or ancestor org id][kind u8][material id]
  kStudyPlanByOrg = 202,       // [owner org id][year u32][plan id]      one plan per org and year
  kStudyPlanBySubtree = 203,   // [owner or ancestor org id][year u32][plan id]
  kStudyRecordByPerson = 204,  // [person id][device time i64][record id]
  kQuizByOrg = 205,            // [owner org id][quiz id]
  kQuizAttemptByPerson = 206,  // [person id][quiz id][attempt id]
};

}  // namespace branchline::storage
