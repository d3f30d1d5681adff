#include "clients/branchctl/people_import.h"

#include <cctype>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "clients/branchctl/csv.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/session.h"

namespace branchline::ctl {
namespace {

enum class Column { kName, kPhone, kEmployeeNumber, kRole, kOrganization, kPassword };

const std::map<std::string, Column>& ColumnNames() {
  static const std::map<std::string, Column> names = {{"name", Column::kName},
                                                      {"display_name", Column::kName},
                                                      {"phone", Column::kPhone},
                                                      {"employee_number", Column::kEmployeeNumber},
                                                      {"role", Column::kRole},
                                                      {"organization_id", Column::kOrganization},
                                                      {"org", Column::kOrganization},
                                                      {"password", Column::kPassword},
                                                      {"initial_password", Column::kPassword}};
  return names;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

}  // namespace

ImportPlan PlanImport(const std::string& csv_text, uint64_t default_org) {
  std::vector<CsvRecord> records;
  try {
    records = ParseCsv(csv_text);
  } catch (const std::invalid_argument& e) {
    throw CtlError(kExitUsage, std::string("import file: ") + e.what());
  }
  if (records.empty()) throw CtlError(kExitUsage, "import file: empty (a header line is needed)");
  std::vector<Column> columns;
  bool has_name = false;
  for (std::string header : records[0].fields) {
    header = Trim(header);
    for (char& c : header) c = static_cast<char>(std::tolower(c));
    auto it = ColumnNames().find(header);
    if (it == ColumnNames().end()) {
      throw CtlError(kExitUsage, "import file: unknown column '" + header +
                                     "' (use name, phone, employee_number, role, "
                                     "organization_id, password)");
    }
    has_name = has_name || it->second == Column::kName;
    columns.push_back(it->second);
  }
  if (!has_name) throw CtlError(kExitUsage, "import file: a 'name' column is required");

  ImportPlan plan;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    v1::ImportPersonRow row;
    v1::Person* person = row.mutable_person();
    person->set_organization_id(default_org);
    person->set_role(v1::ROLE_EMPLOYEE);
    std::string local_error;
    for (size_t i = 0; i < columns.size() && i < record.fields.size(); ++i) {
      std::string value = Trim(record.fields[i]);
      switch (columns[i]) {
        case Column::kName:
          person->set_display_name(value);
          break;
        case Column::kPhone:
          person->set_phone(value);
          break;
        case Column::kEmployeeNumber:
          person->set_employee_number(value);
          break;
        case Column::kRole:
          if (value.empty()) break;
          try {
            person->set_role(
                static_cast<v1::Role>(ParseEnum(v1::Role_descriptor(), value, "role")));
          } catch (const CtlError& e) {
            local_error = e.what();
          }
          break;
        case Column::kOrganization:
          if (value.empty()) break;
          try {
            size_t used = 0;
            person->set_organization_id(std::stoull(value, &used));
            if (used != value.size()) throw std::invalid_argument(value);
          } catch (const std::exception&) {
            local_error = "organization_id: '" + value + "' is not an id";
          }
          break;
        case Column::kPassword:
          row.set_initial_password(value);
          break;
      }
    }
    if (record.fields.size() > columns.size()) {
      local_error = "the line has " + std::to_string(record.fields.size()) +
                    " fields, the header " + std::to_string(columns.size());
    }
    if (!local_error.empty()) {
      plan.local_failures.push_back({record.line, person->display_name(), false, 0, local_error});
      continue;
    }
    plan.rows.push_back(std::move(row));
    plan.row_lines.push_back(record.line);
  }
  return plan;
}

std::string ImportRequestId(const std::string& csv_text, size_t chunk) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a: stable across builds and machines
  for (unsigned char c : csv_text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "import-%016llx-%zu", static_cast<unsigned long long>(hash),
                chunk);
  return buffer;
}

}  // namespace branchline::ctl
