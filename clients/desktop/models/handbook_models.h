#pragma once

#include <QString>
#include <string>
#include <vector>

#include "branchline/v1/handbook.pb.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// The branch handbook (两本台账, docs/handbook.md) as the desktop previews it: a few lines per
// section, enough to check the period's work before the file is saved. Pure functions, tested
// without a server; the file itself is the server's (PDF, CSV or JSON), never redrawn here.

// "支部书记 Secretary", ...; "—" when not set.
QString RoleLabel(v1::Role role);

// The label of a section the server names in `withheld_sections` ("mailbox" → "职工信箱
// Mailbox"); a name this client does not know yet is shown as it came, so a newer server's
// withheld section is still named rather than dropped.
QString HandbookSectionTitle(const std::string& key);

// "未显示（无权限） Not shown, no permission: 职工信箱 Mailbox、台账 Ledger"; empty when nothing
// was withheld. A handbook with a hole that looks complete would be filed as complete, so the
// preview says it on a line of its own.
QString WithheldSectionsText(const v1::BranchHandbook& handbook);

// One line of the preview: a label and what it says.
struct HandbookLine {
  QString label;
  QString detail;
};

// One section of the preview, in the handbook's order.
struct HandbookSection {
  std::string key;  // the server's name ("meetings"), empty for the overview
  QString title;    // "会议 Meetings"
  QString summary;  // beside the title: the section's figures, or that it was withheld
  std::vector<HandbookLine> lines;
  bool withheld = false;
};

// The overview, then members, meetings, attendance, schedule compliance, study, ledger,
// mailbox and evaluations. A withheld section keeps its place with no figures, so that zeros
// are never shown for what the reader may not see.
std::vector<HandbookSection> BranchHandbookSections(const v1::BranchHandbook& handbook);

// The export format a file name asks for by its suffix (.pdf, .csv, .json, any case), or
// HANDBOOK_FORMAT_UNSPECIFIED for any other name.
v1::HandbookFormat HandbookFormatOfPath(const QString& path);
// "pdf", "csv", "json"; empty for UNSPECIFIED.
QString HandbookSuffix(v1::HandbookFormat format);

}  // namespace branchline::desk
