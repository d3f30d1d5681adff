#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "branchline/v1/people.pb.h"

namespace branchline::ctl {

// The outcome of one data line of an import file.
struct ImportLineResult {
  int line = 0;  // line in the file (the header is line 1)
  std::string name;
  bool created = false;
  uint64_t person_id = 0;
  std::string error;  // "field: why" when it failed
};

// The rows to send and what is already known about the lines that cannot be sent.
struct ImportPlan {
  std::vector<v1::ImportPersonRow> rows;
  std::vector<int> row_lines;                    // file line of each row
  std::vector<ImportLineResult> local_failures;  // lines refused before sending (e.g. a role)
};

// Reads a CSV file with a header line. Columns (any order, case-insensitive): name (or
// display_name, required), phone, employee_number, role, organization_id (default
// `default_org`), password. An unknown column or a missing name column throws
// CtlError(kExitUsage), since a typo there would otherwise fail every row.
ImportPlan PlanImport(const std::string& csv_text, uint64_t default_org);

// A stable idempotency key for a chunk of a file: importing the same file again is a retry,
// and creates nobody twice.
std::string ImportRequestId(const std::string& csv_text, size_t chunk);

}  // namespace branchline::ctl
