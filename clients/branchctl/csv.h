#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace branchline::ctl {

// One record of a CSV file and the line it starts on (1-based, the header is line 1), so a
// report can point at the line a person would fix in a spreadsheet or editor.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// RFC 4180: comma separated, "quoted" fields with "" for a quote and embedded newlines, CRLF
// or LF. A UTF-8 byte order mark (Excel writes one) is dropped; blank lines are skipped.
// An unterminated quote throws std::invalid_argument naming its line.
std::vector<CsvRecord> ParseCsv(std::string_view text);

// One field, quoted when it holds a comma, quote or newline. A field a spreadsheet would run
// as a formula (it begins with =, +, -, @, a tab or a carriage return and is not a number:
// "=HYPERLINK(…)", "@SUM(A1)", "-x"; "-3.5" and "+1" stay) gets a leading apostrophe, which
// spreadsheets read as "text follows", as the server's CSV does.
std::string CsvField(std::string_view value);
// A whole line (fields joined with commas, CRLF ended as RFC 4180 and Excel expect).
std::string CsvLine(const std::vector<std::string>& fields);

// The UTF-8 byte order mark, so spreadsheet programs read Chinese text correctly.
inline constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

}  // namespace branchline::ctl
