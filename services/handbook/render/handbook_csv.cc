#include <string>
#include <variant>

#include "services/attendance/attendance_csv.h"
#include "services/handbook/render/handbook_render.h"
#include "services/handbook/render/handbook_text.h"

namespace branchline::handbook {

namespace {

using attendance::CsvLine;

// The document as one sheet: the title and subtitle lines, then each section's heading line
// and its blocks. A paragraph, and each line naming a meeting's photos, is a one-column row; a
// table is its title line (when it has one), its header row, its rows and a blank line. A
// section that ends with a paragraph gets the blank line too, so sections stay apart when a
// spreadsheet shows them.
std::string DocumentCsv(const Document& document) {
  std::string csv(attendance::kUtf8Bom);
  csv += CsvLine({FullTitle(document)});
  for (const auto& line : document.subtitle_lines) csv += CsvLine({line});
  csv += "\r\n";
  for (const auto& section : document.sections) {
    csv += CsvLine({section.heading});
    bool ended_with_table = false;
    for (const auto& block : section.blocks) {
      if (const auto* paragraph = std::get_if<Paragraph>(&block)) {
        csv += CsvLine({paragraph->text});
        ended_with_table = false;
        continue;
      }
      if (const auto* photos = std::get_if<Photos>(&block)) {
        if (!photos->heading.empty()) csv += CsvLine({photos->heading});
        csv += CsvLine({photos->caption});
        ended_with_table = false;
        continue;
      }
      const auto& table = std::get<Table>(block);
      if (!table.title.empty()) csv += CsvLine({table.title});
      csv += CsvLine(table.header);
      for (const auto& row : table.rows) csv += CsvLine(row);
      csv += "\r\n";
      ended_with_table = true;
    }
    if (!ended_with_table) csv += "\r\n";
  }
  return csv;
}

}  // namespace

std::string BranchHandbookCsv(const v1::BranchHandbook& handbook) {
  return DocumentCsv(BranchHandbookDocument(handbook));
}

std::string MemberHandbookCsv(const v1::MemberHandbook& handbook) {
  return DocumentCsv(MemberHandbookDocument(handbook));
}

}  // namespace branchline::handbook
