#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "branchline/v1/handbook.pb.h"

namespace branchline::handbook {

// The content of a handbook as a document, declared once so that the PDF and the CSV show the
// same sections, headers, rows and wording: the renderers decide only how it looks. Every
// label is Chinese, as a branch files the handbook for inspection. Pure functions of the
// message; thread-safe.

// What an empty section or table says instead of disappearing: an inspector must see that
// nothing was recorded, not wonder whether the section was forgotten.
inline constexpr char kNoRecords[] = "本期无记录";

// Running text. `emphasis` marks a line that introduces what follows (a meeting's minutes, an
// evaluation round), set in bold in the PDF.
struct Paragraph {
  std::string text;
  bool emphasis = false;
};

// A table; every row has header.size() cells. `title` may be empty. A table is never empty:
// a list with nothing in it becomes a Paragraph saying kNoRecords.
struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// A photo of a meeting: the attached file (a thumbnail the PDF may show) and its name.
struct Photo {
  uint64_t file_id = 0;
  std::string file_name;
};

// The photos of one meeting, after its minutes: `heading` names the meeting when it has no
// minutes ("会议照片：…", else empty) and `caption` names the photos ("照片：a.jpg、b.jpg").
// The CSV writes them as lines; the PDF writes them and shows the thumbnails below, kept on
// one page with them (handbook_render.h says how many). `photos` is never empty.
struct Photos {
  std::string heading;
  std::string caption;
  std::vector<Photo> photos;
};

// Paragraphs, tables and photos in reading order: the minutes of a meeting follow the table
// of meetings, so they cannot be kept in separate lists.
using Block = std::variant<Paragraph, Table, Photos>;

// A numbered section ("三、会议记录与出勤"); it always has at least one block.
struct Section {
  std::string heading;
  std::vector<Block> blocks;
};

struct Document {
  // The kind of handbook: "支部工作手册" or "党员活动手册".
  std::string title;
  // Whose it is: the organisation's name, or the member's name and organisation ("" when the
  // message does not say).
  std::string subject;
  // The period, when it was made and, in a member's handbook, the sections withheld.
  std::vector<std::string> subtitle_lines;
  std::vector<Section> sections;
};

// subject and title in one line ("收费站第一党支部 支部工作手册"), for the PDF's metadata
// title, its page footers and the CSV's first line.
std::string FullTitle(const Document& document);

// The branch handbook: 基本情况, 党员名册, 会议记录与出勤 (with each meeting's minutes and
// photos), 出勤统计, 会议制度落实情况, 学习情况, 活动台账, 职工信箱, 民主评议.
//
// Times are in the organisation's local time (BranchHandbook.utc_offset_minutes).
Document BranchHandbookDocument(const v1::BranchHandbook& handbook);

// A member's handbook: 基本情况, 会议出勤, 学习情况, 承诺践诺, 活动台账, 民主评议, 表彰. A withheld
// section says so (and the subtitle names them all) instead of kNoRecords, so that a reader
// does not take "not shown to you" for "nothing happened". Times are in the member's
// organisation's local time (MemberHandbook.utc_offset_minutes).
Document MemberHandbookDocument(const v1::MemberHandbook& handbook);

}  // namespace branchline::handbook
