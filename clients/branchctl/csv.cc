#include "clients/branchctl/csv.h"

#include <cstdlib>
#include <stdexcept>

namespace branchline::ctl {
namespace {

// A cell a spreadsheet would run as a formula when opened: a person's name or a letter's text
// that begins "=HYPERLINK(…" or "@SUM(…" (CSV injection). Signed numbers ("-3.5") and a lone
// dash stay what they are. The server's rule (services/attendance/attendance_csv.cc), so a
// file from branchctl and one from the server show a cell alike.
bool LooksLikeFormula(std::string_view value) {
  if (value.size() < 2 || std::string_view("=+-@\t\r").find(value[0]) == std::string_view::npos) {
    return false;
  }
  const std::string f(value);  // strtod needs the terminating NUL
  char* end = nullptr;
  std::strtod(f.c_str(), &end);
  return *end != '\0';
}

}  // namespace

std::vector<CsvRecord> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == kUtf8Bom) text.remove_prefix(3);
  std::vector<CsvRecord> records;
  CsvRecord current;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1;
  current.line = 1;
  auto end_field = [&] {
    current.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    bool blank = current.fields.size() == 1 && current.fields[0].empty();
    if (!blank) records.push_back(std::move(current));
    current = CsvRecord{};
    current.line = line;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      ++line;
      end_record();
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) {
    throw std::invalid_argument("unterminated quoted field starting on line " +
                                std::to_string(current.line));
  }
  if (field_started || !current.fields.empty()) end_record();
  return records;
}

std::string CsvField(std::string_view value) {
  // The apostrophe spreadsheets read as "text follows", so the cell shows as typed.
  const std::string f = LooksLikeFormula(value) ? "'" + std::string(value) : std::string(value);
  if (f.find_first_of(",\"\r\n") == std::string::npos) return f;
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ",";
    line += CsvField(fields[i]);
  }
  return line + "\r\n";
}

}  // namespace branchline::ctl
