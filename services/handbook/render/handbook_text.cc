#include "services/handbook/render/handbook_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "services/attendance/attendance_csv.h"

namespace branchline::handbook {

namespace {

using attendance::LocalTimeText;
using attendance::PercentText;
using attendance::StatusLabel;
using attendance::TypeLabel;

constexpr char kDash[] = "—";
constexpr char kWithheld[] = "无权查阅，未列入";

// ---- Numbers, dates and times ----

std::string Count(int64_t n) { return std::to_string(n); }

// One decimal, rounded half up (四舍五入) like PercentText: scores arrive rounded to two
// decimals, so 87.25 must print 87.3, not printf's 87.2. The nudge only undoes a double's
// representation error.
std::string OneDecimal(double value) {
  if (value < 0) return "-" + OneDecimal(-value);
  const auto tenths = static_cast<long long>(std::floor(value * 10.0 + 0.5 + 1e-7));
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

// part / whole as a percentage; a dash when there is nothing to divide by (0 % would claim
// that everybody missed).
std::string Rate(int64_t part, int64_t whole) {
  return whole > 0 ? PercentText(static_cast<double>(part) / static_cast<double>(whole)) : kDash;
}

std::string DateText(const v1::LocalDate& date) {
  if (date.year() == 0) return "";
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year(), date.month(), date.day());
  return text;
}

std::string PeriodText(const v1::LocalDate& from, const v1::LocalDate& to) {
  if (from.year() == 0 && to.year() == 0) return kDash;
  return DateText(from) + " 至 " + DateText(to);
}

int64_t Micros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1'000'000 + time.nanos() / 1000;
}

// Times are shown in the organisation's local time: its offset from UTC in minutes.
using Offset = int32_t;

std::string TimeText(const google::protobuf::Timestamp& time, Offset offset) {
  return LocalTimeText(Micros(time), offset);
}

std::string DayText(const google::protobuf::Timestamp& time, Offset offset) {
  return TimeText(time, offset).substr(0, 10);
}

// ---- Labels ----

std::string RoleLabel(v1::Role role) {
  switch (role) {
    case v1::ROLE_SECRETARY:
      return "支部书记";
    case v1::ROLE_COMMITTEE_MEMBER:
      return "支委委员";
    case v1::ROLE_FULL_MEMBER:
      return "正式党员";
    case v1::ROLE_PROBATIONARY_MEMBER:
      return "预备党员";
    case v1::ROLE_ACTIVIST:
      return "入党积极分子";
    case v1::ROLE_EMPLOYEE:
      return "群众职工";
    default:
      return kDash;
  }
}

std::string LedgerTypeLabel(v1::LedgerEntryType type) {
  switch (type) {
    case v1::LEDGER_ENTRY_TYPE_TALK:
      return "谈心谈话";
    case v1::LEDGER_ENTRY_TYPE_VISIT:
      return "走访慰问";
    case v1::LEDGER_ENTRY_TYPE_VOLUNTEER:
      return "志愿服务";
    case v1::LEDGER_ENTRY_TYPE_PAIRING:
      return "结对帮扶";
    case v1::LEDGER_ENTRY_TYPE_HARDSHIP:
      return "困难职工档案";
    case v1::LEDGER_ENTRY_TYPE_PROJECT:
      return "攻坚项目";
    default:
      return kDash;
  }
}

std::string TalkLevelLabel(v1::TalkLevel level) {
  switch (level) {
    case v1::TALK_LEVEL_SECRETARY_MEMBER:
      return "书记与党员";
    case v1::TALK_LEVEL_MEMBER_MEMBER:
      return "党员之间";
    case v1::TALK_LEVEL_MEMBER_STAFF:
      return "党员与职工";
    default:
      return "";
  }
}

std::string PeriodStateLabel(v1::PeriodState state) {
  switch (state) {
    case v1::PERIOD_STATE_MET:
      return "已落实";
    case v1::PERIOD_STATE_MISSED:
      return "缺项";
    case v1::PERIOD_STATE_DUE:
      return "进行中";
    default:
      return kDash;
  }
}

std::string CategoryLabel(v1::LetterCategory category) {
  switch (category) {
    case v1::LETTER_CATEGORY_DIFFICULTY:
      return "困难求助";
    case v1::LETTER_CATEGORY_SUGGESTION:
      return "意见建议";
    case v1::LETTER_CATEGORY_CRITICISM:
      return "批评";
    case v1::LETTER_CATEGORY_MISCONDUCT:
      return "违纪举报";
    case v1::LETTER_CATEGORY_INNOVATION:
      return "创新建议";
    default:
      return kDash;
  }
}

std::string ProblemStatusLabel(v1::ProblemStatus status) {
  return status == v1::PROBLEM_STATUS_FIXED ? "已整改" : "待整改";
}

// Section numbers as a Chinese document writes them: 一、二、… 十、十一、…
std::string ChineseNumber(int n) {
  static const char* const kDigits[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  if (n < 10) return kDigits[n];
  return std::string(n >= 20 ? kDigits[n / 10] : "") + "十" + kDigits[n % 10];
}

// ---- Building blocks ----

// Adds the next numbered section ("三、会议记录与出勤"), has `fill` add its blocks, and makes a
// section that got none say kNoRecords.
template <typename Fill>
void AddSection(Document& document, const std::string& name, const Fill& fill) {
  const int number = static_cast<int>(document.sections.size()) + 1;
  document.sections.push_back({ChineseNumber(number) + "、" + name, {}});
  Section& section = document.sections.back();
  fill(section);
  if (section.blocks.empty()) section.blocks.push_back(Paragraph{kNoRecords});
}

void AddParagraph(Section& section, std::string text, bool emphasis = false) {
  section.blocks.push_back(Paragraph{std::move(text), emphasis});
}

// Adds `table`, or says that it has nothing, so that no table is ever empty.
void AddTable(Section& section, Table table) {
  if (table.rows.empty()) {
    AddParagraph(section, table.title.empty() ? kNoRecords : table.title + "：" + kNoRecords);
    return;
  }
  section.blocks.push_back(std::move(table));
}

// A table of 项目 / 内容 pairs for figures that are one each.
Table KeyValueTable(std::string title, std::vector<std::vector<std::string>> rows) {
  return Table{std::move(title), {"项目", "内容"}, std::move(rows)};
}

int32_t Attended(const v1::StatusCounts& counts) {
  return counts.present() + counts.late() + counts.remote();
}

std::string Joined(const std::vector<std::string>& parts, const char* separator) {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += separator;
    text += parts[i];
  }
  return text;
}

// ---- The branch handbook ----

using Names = std::unordered_map<uint64_t, std::string>;

std::string NameOf(const Names& names, uint64_t person_id) {
  if (person_id == 0) return "";
  auto it = names.find(person_id);
  // Someone who has since left the branch is not among its members; their id still tells an
  // inspector that the problem had an owner.
  return it != names.end() ? it->second : "人员编号 " + std::to_string(person_id);
}

void AddBranchBasics(Section& section, const v1::BranchHandbook& handbook) {
  std::vector<std::pair<v1::Role, int>> by_role;
  for (const auto& member : handbook.members()) {
    auto it = std::find_if(by_role.begin(), by_role.end(),
                           [&](const auto& entry) { return entry.first == member.role(); });
    if (it == by_role.end()) {
      by_role.emplace_back(member.role(), 1);
    } else {
      ++it->second;
    }
  }
  std::sort(by_role.begin(), by_role.end());
  std::vector<std::string> make_up;
  for (const auto& [role, count] : by_role) make_up.push_back(RoleLabel(role) + " " + Count(count));
  int with_minutes = 0;
  for (const auto& meeting : handbook.meetings()) with_minutes += meeting.has_minutes();
  AddTable(section,
           KeyValueTable("", {{"党组织", handbook.organization_name()},
                              {"统计期间", PeriodText(handbook.from_date(), handbook.to_date())},
                              {"人数", Count(handbook.members_size()) + " 人"},
                              {"人员构成", make_up.empty() ? kDash : Joined(make_up, "，")},
                              {"召开会议", Count(handbook.meetings_size()) + " 次"},
                              {"有会议记录", Count(with_minutes) + " 次"}}));
}

void AddMembers(Section& section, const v1::BranchHandbook& handbook) {
  Table table{"", {"序号", "姓名", "身份", "工号"}, {}};
  int number = 0;
  for (const auto& member : handbook.members()) {
    table.rows.push_back({Count(++number), member.display_name(), RoleLabel(member.role()),
                          member.employee_number()});
  }
  AddTable(section, std::move(table));
}

std::vector<std::string> MeetingRow(const v1::HandbookMeeting& held, Offset offset) {
  const auto& counts = held.attendance();
  int fixed = 0;
  for (const auto& problem : held.minutes().problems()) {
    fixed += problem.status() == v1::PROBLEM_STATUS_FIXED;
  }
  return {TimeText(held.meeting().start_time(), offset),
          held.meeting().title(),
          TypeLabel(held.meeting().type()),
          Count(counts.expected()),
          Count(Attended(counts)),
          Count(counts.excused()),
          Count(counts.made_up()),
          Count(counts.absent()),
          Rate(Attended(counts), counts.expected()),
          held.has_minutes() ? "有" : "无",
          Count(held.minutes().problems_size()),
          Count(fixed),
          Count(held.attachments())};
}

std::string MeetingName(const v1::HandbookMeeting& held, Offset offset) {
  return TimeText(held.meeting().start_time(), offset) + " " + TypeLabel(held.meeting().type()) +
         " " + held.meeting().title();
}

// The minutes of one meeting: a line naming the meeting, the minutes, who spoke, the
// resolutions and the problems with who fixes them by when.
void AddMinutes(Section& section, const v1::HandbookMeeting& held, const Names& names,
                Offset offset) {
  const auto& record = held.minutes();
  std::string heading = "会议记录：" + MeetingName(held, offset);
  if (record.locked()) heading += "（已签字确认，第 " + Count(record.revision()) + " 版）";
  AddParagraph(section, std::move(heading), /*emphasis=*/true);
  AddParagraph(section, record.minutes());
  std::vector<std::string> speakers;
  for (const auto& speaker : record.speakers()) {
    speakers.push_back(speaker.person_id() ? NameOf(names, speaker.person_id()) : speaker.name());
  }
  if (!speakers.empty()) AddParagraph(section, "发言人：" + Joined(speakers, "、"));
  int number = 0;
  for (const auto& resolution : record.resolutions()) {
    AddParagraph(section, "决议 " + Count(++number) + "：" + resolution);
  }
  if (record.problems_size() == 0) return;
  Table problems{
      "查摆问题及整改", {"序号", "问题", "整改责任人", "整改期限", "状态", "整改情况"}, {}};
  for (const auto& problem : record.problems()) {
    std::string fix = problem.fix().text();
    if (problem.fix().has_fix_time()) fix = DayText(problem.fix().fix_time(), offset) + " " + fix;
    problems.rows.push_back({Count(problem.id()), problem.description(),
                             NameOf(names, problem.owner_id()), DateText(problem.due_date()),
                             ProblemStatusLabel(problem.status()), fix});
  }
  AddTable(section, std::move(problems));
}

// The photos of one meeting, named in one line (the PDF shows them too). A meeting without
// minutes gets a line naming it first, so that its photos are not read as the previous one's.
void AddPhotos(Section& section, const v1::HandbookMeeting& held, Offset offset) {
  if (held.photos_size() == 0) return;
  Photos photos;
  if (!held.has_minutes()) photos.heading = "会议照片：" + MeetingName(held, offset);
  std::vector<std::string> names;
  for (const auto& file : held.photos()) {
    photos.photos.push_back({file.id(), file.file_name()});
    names.push_back(file.file_name());
  }
  photos.caption = "照片：" + Joined(names, "、");
  section.blocks.push_back(std::move(photos));
}

void AddMeetings(Section& section, const v1::BranchHandbook& handbook, const Names& names,
                 Offset offset) {
  Table table{"",
              {"时间", "会议名称", "类型", "应到", "实到", "请假", "补课", "缺席", "出勤率", "记录",
               "问题", "已整改", "附件"},
              {}};
  for (const auto& held : handbook.meetings()) table.rows.push_back(MeetingRow(held, offset));
  AddTable(section, std::move(table));
  for (const auto& held : handbook.meetings()) {
    if (held.has_minutes()) AddMinutes(section, held, names, offset);
    AddPhotos(section, held, offset);
  }
}

std::vector<std::string> RatesRow(std::string name, int32_t meetings,
                                  const v1::AttendanceRates& rates) {
  const auto& counts = rates.counts();
  const int32_t completed = Attended(counts) + counts.excused() + counts.made_up();
  return {std::move(name),
          Count(meetings),
          Count(counts.expected()),
          Count(Attended(counts)),
          Count(counts.excused()),
          Count(counts.made_up()),
          Count(counts.absent()),
          Rate(Attended(counts), counts.expected()),
          Rate(completed, counts.expected())};
}

void AddAttendance(Section& section, const v1::AttendanceReport& report) {
  if (report.meetings() == 0 && report.total().counts().expected() == 0) return;
  Table by_type{
      "按会议类型",
      {"会议类型", "会议次数", "应到人次", "实到人次", "请假", "补课", "缺席", "出勤率", "完成率"},
      {}};
  for (const auto& type : report.by_type()) {
    by_type.rows.push_back(RatesRow(TypeLabel(type.type()), type.meetings(), type.rates()));
  }
  by_type.rows.push_back(RatesRow("合计", report.meetings(), report.total()));
  AddTable(section, std::move(by_type));
  // Only a branch with teams below it has these rows; a lone branch would show one row
  // repeating the total.
  if (report.by_team_size() > 1) {
    Table by_team{
        "按班组",
        {"班组", "会议次数", "应到人次", "实到人次", "请假", "补课", "缺席", "出勤率", "完成率"},
        {}};
    for (const auto& team : report.by_team()) {
      by_team.rows.push_back(RatesRow(team.name(), team.meetings(), team.rates()));
    }
    AddTable(section, std::move(by_team));
  }
  AddParagraph(section, "出勤率 = 实到人次（含迟到、远程参会）÷ 应到人次；完成率另计请假和补课。");
}

void AddCompliance(Section& section, const v1::BranchCompliance& compliance) {
  if (compliance.periods_size() == 0) return;
  if (compliance.compliant()) {
    AddParagraph(section, "会议制度全部落实，无缺项。");
  } else {
    std::vector<std::string> missing;
    for (const auto& period : compliance.missing()) {
      missing.push_back(TypeLabel(period.type()) + " " + period.period());
    }
    AddParagraph(section,
                 "缺项 " + Count(compliance.missing_size()) + " 个：" + Joined(missing, "、"));
  }
  Table table{"", {"会议类型", "周期", "应开", "已开", "落实情况"}, {}};
  for (const auto& period : compliance.periods()) {
    table.rows.push_back({TypeLabel(period.type()), period.period(), Count(period.required()),
                          Count(period.held()), PeriodStateLabel(period.state())});
  }
  AddTable(section, std::move(table));
}

void AddStudyReport(Section& section, const v1::StudyReport& study) {
  if (study.people() == 0 && study.plans_size() == 0 && study.total_minutes() == 0) return;
  AddTable(section, KeyValueTable(Count(study.year()) + " 年度学习概况",
                                  {{"参学人数", Count(study.people()) + " 人"},
                                   {"进度落后", Count(study.people_behind()) + " 人"},
                                   {"学习时长", Count(study.total_minutes()) + " 分钟"},
                                   {"学习笔记", Count(study.notes_chars()) + " 字"},
                                   {"笔记达到年度要求", Count(study.notes_quota_met()) + " 人"}}));
  Table plans{
      "学习计划", {"学习计划", "适用人数", "完成人数", "应学(分钟)", "已学(分钟)", "完成率"}, {}};
  for (const auto& plan : study.plans()) {
    plans.rows.push_back({plan.title(), Count(plan.people()), Count(plan.people_complete()),
                          Count(plan.required_minutes()), Count(plan.done_minutes()),
                          Rate(plan.done_minutes(), plan.required_minutes())});
  }
  AddTable(section, std::move(plans));
  Table behind{"进度落后人员", {"姓名", "落后项目数"}, {}};
  for (const auto& person : study.behind()) {
    behind.rows.push_back({person.display_name(), Count(person.items_behind())});
  }
  AddTable(section, std::move(behind));
  // The service lists at most max_behind people; the count says how many there are in all.
  if (study.people_behind() > study.behind_size()) {
    AddParagraph(section, "进度落后共 " + Count(study.people_behind()) + " 人，上表列出前 " +
                              Count(study.behind_size()) + " 人。");
  }
}

void AddLedgerReport(Section& section, const v1::LedgerReport& ledger) {
  if (ledger.entries() == 0 && ledger.items_size() == 0) return;
  AddParagraph(section, "共 " + Count(ledger.entries()) + " 条，志愿服务 " +
                            OneDecimal(ledger.volunteer_hours()) + " 小时。");
  if (ledger.hardship_hidden()) AddParagraph(section, "困难职工档案未列入（仅管理者可查阅）。");
  Table items{"按台账项目", {"编号", "项目", "条数", "志愿服务(小时)"}, {}};
  for (const auto& item : ledger.items()) {
    items.rows.push_back({item.code(), item.code().empty() ? "未归入项目" : item.title(),
                          Count(item.entries()), OneDecimal(item.volunteer_hours())});
  }
  AddTable(section, std::move(items));
  Table types{"按活动类型", {"类型", "条数"}, {}};
  for (const auto& type : ledger.types()) {
    types.rows.push_back({LedgerTypeLabel(type.type()), Count(type.entries())});
  }
  AddTable(section, std::move(types));
}

// Seconds as hours or days with one decimal; a dash when no letter got that far (the service
// reports 0 then, which would read as "at once").
std::string Duration(int64_t seconds, int64_t letters, double unit_seconds, const char* unit) {
  if (letters == 0) return kDash;
  return OneDecimal(static_cast<double>(seconds) / unit_seconds) + " " + unit;
}

void AddMailbox(Section& section, const v1::FeedbackFigures& mailbox) {
  if (mailbox.letter_count() == 0 && mailbox.acknowledged_count() == 0 &&
      mailbox.resolved_count() == 0 && mailbox.overdue_count() == 0) {
    return;
  }
  AddTable(
      section,
      KeyValueTable(
          "", {{"来信", Count(mailbox.letter_count()) + " 件"},
               {"已受理", Count(mailbox.acknowledged_count()) + " 件"},
               {"受理用时（中位数）", Duration(mailbox.acknowledge_median_seconds(),
                                               mailbox.acknowledged_count(), 3600.0, "小时")},
               {"已办结", Count(mailbox.resolved_count()) + " 件"},
               {"办结用时（中位数）", Duration(mailbox.resolve_median_seconds(),
                                               mailbox.resolved_count(), 86400.0, "天")},
               {"按期办结率",
                mailbox.resolved_count() ? PercentText(mailbox.resolved_in_time_share()) : kDash},
               {"评价", Count(mailbox.rated_count()) + " 件"},
               {"平均评分", mailbox.rated_count() ? OneDecimal(mailbox.average_rating()) : kDash},
               {"超期未办结", Count(mailbox.overdue_count()) + " 件"}}));
  Table categories{"按类别", {"类别", "件数"}, {}};
  for (const auto& category : mailbox.by_category()) {
    categories.rows.push_back({CategoryLabel(category.category()), Count(category.count())});
  }
  if (!categories.rows.empty()) AddTable(section, std::move(categories));
}

// Score cells of an evaluation result: a dash for a score not given, so a missing overall
// mark is not read as a mark of 0.
std::string SelfScore(const v1::SubjectResult& result) {
  return result.has_self_score() ? OneDecimal(result.self_score()) : kDash;
}
std::string RaterScore(const v1::SubjectResult& result) {
  if (result.too_few_ratings()) return "人数不足";
  return result.raters() > 0 ? OneDecimal(result.rater_score()) : kDash;
}
std::string OverallMark(const v1::SubjectResult& result) {
  return result.has_overall_mark() ? OneDecimal(result.overall_mark()) : kDash;
}
std::string FinalScore(const v1::SubjectResult& result) {
  return result.final_grade().empty() ? kDash : OneDecimal(result.final_score());
}
std::string FinalGrade(const v1::SubjectResult& result) {
  return result.final_grade().empty() ? "未评定" : result.final_grade();
}

std::string RoundName(const v1::EvaluationRound& round) {
  return round.period_label().empty() ? round.title()
                                      : round.title() + "（" + round.period_label() + "）";
}

void AddRound(Section& section, const v1::RoundResults& results) {
  AddParagraph(section, RoundName(results.round()), /*emphasis=*/true);
  AddParagraph(section, "参评率 " + Count(results.participation_percent()) + "%（应参评 " +
                            Count(results.eligible_raters()) + " 人，实际参评 " +
                            Count(results.participating_raters()) + " 人）");
  Table table{"", {"评议对象", "测评人数", "自评", "测评得分", "综合评定", "最终得分", "等级"}, {}};
  for (const auto& subject : results.subjects()) {
    table.rows.push_back({subject.subject_name(), Count(subject.raters()), SelfScore(subject),
                          RaterScore(subject), OverallMark(subject), FinalScore(subject),
                          FinalGrade(subject)});
  }
  AddTable(section, std::move(table));
}

std::string GenerateTimeLine(const google::protobuf::Timestamp& time, Offset offset) {
  return std::string("生成时间：") + (Micros(time) == 0 ? kDash : TimeText(time, offset));
}

// ---- The member handbook ----

// The sections withheld from a handbook (withheld_sections), named as its document names them.
class Withheld {
 public:
  // `names`: each withheld_sections value of the handbook's message and its section's name.
  Withheld(const google::protobuf::RepeatedPtrField<std::string>& fields,
           std::map<std::string, std::string> names)
      : fields_(fields.begin(), fields.end()), names_(std::move(names)) {}

  // Says that a part was withheld; true when it was, so the caller adds nothing else.
  bool Note(Section& section, const std::string& field) const {
    if (std::find(fields_.begin(), fields_.end(), field) == fields_.end()) return false;
    AddParagraph(section, Name(field) + "：" + kWithheld);
    return true;
  }

  std::string Line() const {
    std::vector<std::string> names;
    for (const auto& field : fields_) names.push_back(Name(field));
    return "未列入（无权查阅）：" + Joined(names, "、");
  }

  bool empty() const { return fields_.empty(); }

 private:
  std::string Name(const std::string& field) const {
    auto it = names_.find(field);
    return it == names_.end() ? field : it->second;
  }

  std::vector<std::string> fields_;
  std::map<std::string, std::string> names_;
};

void AddMemberBasics(Section& section, const v1::MemberHandbook& handbook) {
  const auto& member = handbook.member();
  AddTable(section,
           KeyValueTable("", {{"姓名", member.display_name()},
                              {"身份", RoleLabel(member.role())},
                              {"工号", member.employee_number()},
                              {"所在党组织", handbook.organization_name()},
                              {"统计期间", PeriodText(handbook.from_date(), handbook.to_date())}}));
}

std::string HistoryStatus(const v1::HistoryEntry& entry) {
  std::string status = StatusLabel(entry.status());
  if (!entry.absence_label().empty()) status += "（" + entry.absence_label() + "）";
  return status;
}

void AddMemberAttendance(Section& section, const v1::AttendanceHistory& history, Offset offset) {
  Table entries{"", {"时间", "会议名称", "类型", "出勤情况"}, {}};
  for (const auto& entry : history.entries()) {
    entries.rows.push_back({TimeText(entry.meeting().start_time(), offset), entry.meeting().title(),
                            TypeLabel(entry.meeting().type()), HistoryStatus(entry)});
  }
  AddTable(section, std::move(entries));
  if (history.entries_size() == 0) return;
  const auto& counts = history.rates().counts();
  AddTable(section,
           Table{"出勤统计",
                 {"应参会", "出席", "迟到", "远程参会", "请假", "补课", "缺席", "出勤率", "完成率"},
                 {{Count(counts.expected()), Count(counts.present()), Count(counts.late()),
                   Count(counts.remote()), Count(counts.excused()), Count(counts.made_up()),
                   Count(counts.absent()), PercentText(history.rates().attendance_rate()),
                   PercentText(history.rates().completion_rate())}}});
}

void AddStudyProgress(Section& section, const v1::StudyProgress& study) {
  if (study.year() == 0 && study.total_minutes() == 0 && study.items_size() == 0) {
    AddParagraph(section, std::string("学习进度：") + kNoRecords);
    return;
  }
  const std::string notes = Count(study.notes_chars()) + " 字 / 年度要求 " +
                            Count(study.notes_quota_chars()) + " 字（" +
                            (study.notes_quota_met() ? "已达标" : "未达标") + "）";
  AddTable(section, KeyValueTable(Count(study.year()) + " 年度学习进度",
                                  {{"学习时长", Count(study.total_minutes()) + " 分钟"},
                                   {"学习天数", Count(study.study_days()) + " 天"},
                                   {"学习笔记", notes},
                                   {"当前连续学习", Count(study.current_streak_days()) + " 天"},
                                   {"最长连续学习", Count(study.longest_streak_days()) + " 天"},
                                   {"积分", Count(study.points())},
                                   {"通过测验", Count(study.quizzes_passed()) + " 次"}}));
  Table items{"学习计划完成情况", {"学习内容", "应学(分钟)", "已学(分钟)", "截止日期", "状态"}, {}};
  for (const auto& item : study.items()) {
    const char* state = item.complete()          ? "已完成"
                        : item.behind_schedule() ? "逾期未完成"
                                                 : "进行中";
    items.rows.push_back({item.title(), Count(item.required_minutes()), Count(item.done_minutes()),
                          item.due_date(), state});
  }
  if (!items.rows.empty()) AddTable(section, std::move(items));
}

void AddStudyRecords(Section& section, const v1::MemberHandbook& handbook) {
  Table records{"学习记录", {"日期", "时长(分钟)", "笔记"}, {}};
  for (const auto& record : handbook.study_records()) {
    records.rows.push_back({record.local_date(), Count(record.minutes()), record.notes()});
  }
  AddTable(section, std::move(records));
}

void AddCommitments(Section& section, const v1::MemberHandbook& handbook) {
  Table table{"", {"期间", "承诺内容", "岗位", "践诺情况"}, {}};
  for (const auto& commitment : handbook.commitments()) {
    std::vector<std::string> progress;
    for (const auto& report : commitment.progress()) {
      progress.push_back(Count(static_cast<int64_t>(progress.size()) + 1) + ". " + report.text());
    }
    table.rows.push_back({commitment.period_label(), commitment.text(), commitment.post(),
                          progress.empty() ? "尚未报告" : Joined(progress, "\n")});
  }
  AddTable(section, std::move(table));
}

std::string LedgerEntryType(const v1::LedgerEntry& entry) {
  const std::string level = TalkLevelLabel(entry.talk_level());
  return level.empty() ? LedgerTypeLabel(entry.type())
                       : LedgerTypeLabel(entry.type()) + "（" + level + "）";
}

void AddLedgerEntries(Section& section,
                      const google::protobuf::RepeatedPtrField<v1::LedgerEntry>& entries) {
  Table table{"台账记录", {"日期", "类型", "地点", "内容", "志愿服务(小时)"}, {}};
  for (const auto& entry : entries) {
    const bool volunteer = entry.type() == v1::LEDGER_ENTRY_TYPE_VOLUNTEER;
    table.rows.push_back({DateText(entry.date()), LedgerEntryType(entry), entry.place(),
                          entry.text(), volunteer ? OneDecimal(entry.volunteer_hours()) : ""});
  }
  AddTable(section, std::move(table));
}

void AddMemberEvaluations(Section& section, const v1::MemberHandbook& handbook) {
  Table table{"", {"评议名称", "自评", "测评得分", "综合评定", "最终得分", "等级"}, {}};
  for (const auto& evaluation : handbook.evaluations()) {
    const auto& result = evaluation.result();
    table.rows.push_back({RoundName(evaluation.round()), SelfScore(result), RaterScore(result),
                          OverallMark(result), FinalScore(result), FinalGrade(result)});
  }
  AddTable(section, std::move(table));
}

void AddHonours(Section& section, const v1::MemberHandbook& handbook) {
  Table table{"", {"荣誉称号", "期间", "事由"}, {}};
  for (const auto& honour : handbook.honours()) {
    table.rows.push_back({honour.title(), honour.period_label(), honour.reason()});
  }
  AddTable(section, std::move(table));
}

}  // namespace

std::string FullTitle(const Document& document) {
  return document.subject.empty() ? document.title : document.subject + " " + document.title;
}

Document BranchHandbookDocument(const v1::BranchHandbook& handbook) {
  const Offset offset = handbook.utc_offset_minutes();
  Names names;
  for (const auto& member : handbook.members()) {
    names.emplace(member.person_id(), member.display_name());
  }
  Document document;
  document.title = "支部工作手册";
  document.subject = handbook.organization_name();
  document.subtitle_lines = {"统计期间：" + PeriodText(handbook.from_date(), handbook.to_date()),
                             GenerateTimeLine(handbook.generate_time(), offset)};
  const Withheld withheld(handbook.withheld_sections(), {{"members", "党员名册"},
                                                         {"meetings", "会议记录与出勤"},
                                                         {"attendance", "出勤统计"},
                                                         {"compliance", "会议制度落实情况"},
                                                         {"study", "学习情况"},
                                                         {"ledger", "活动台账"},
                                                         {"mailbox", "职工信箱"},
                                                         {"evaluations", "民主评议"}});
  if (!withheld.empty()) document.subtitle_lines.push_back(withheld.Line());
  AddSection(document, "基本情况", [&](Section& s) { AddBranchBasics(s, handbook); });
  AddSection(document, "党员名册", [&](Section& s) {
    if (!withheld.Note(s, "members")) AddMembers(s, handbook);
  });
  AddSection(document, "会议记录与出勤", [&](Section& s) {
    if (!withheld.Note(s, "meetings")) AddMeetings(s, handbook, names, offset);
  });
  AddSection(document, "出勤统计", [&](Section& s) {
    if (!withheld.Note(s, "attendance")) AddAttendance(s, handbook.attendance());
  });
  AddSection(document, "会议制度落实情况", [&](Section& s) {
    if (!withheld.Note(s, "compliance")) AddCompliance(s, handbook.compliance());
  });
  AddSection(document, "学习情况", [&](Section& s) {
    if (!withheld.Note(s, "study")) AddStudyReport(s, handbook.study());
  });
  AddSection(document, "活动台账", [&](Section& s) {
    if (withheld.Note(s, "ledger")) return;
    AddLedgerReport(s, handbook.ledger());
    // An empty ledger says 本期无记录 once, like every other section, not once per table.
    if (handbook.ledger_entries_size() > 0) AddLedgerEntries(s, handbook.ledger_entries());
  });
  AddSection(document, "职工信箱", [&](Section& s) {
    if (!withheld.Note(s, "mailbox")) AddMailbox(s, handbook.mailbox());
  });
  AddSection(document, "民主评议", [&](Section& s) {
    if (withheld.Note(s, "evaluations")) return;
    for (const auto& results : handbook.evaluations()) AddRound(s, results);
  });
  return document;
}

Document MemberHandbookDocument(const v1::MemberHandbook& handbook) {
  const Withheld withheld(handbook.withheld_sections(), {{"attendance", "会议出勤"},
                                                         {"study", "学习进度"},
                                                         {"study_records", "学习记录"},
                                                         {"commitments", "承诺践诺"},
                                                         {"ledger_entries", "活动台账"},
                                                         {"evaluations", "民主评议"},
                                                         {"honours", "表彰"}});
  Document document;
  document.title = "党员活动手册";
  document.subject = handbook.member().display_name();
  if (!handbook.organization_name().empty()) {
    document.subject += document.subject.empty() ? handbook.organization_name()
                                                 : "（" + handbook.organization_name() + "）";
  }
  document.subtitle_lines = {
      "统计期间：" + PeriodText(handbook.from_date(), handbook.to_date()),
      GenerateTimeLine(handbook.generate_time(), handbook.utc_offset_minutes())};
  if (!withheld.empty()) document.subtitle_lines.push_back(withheld.Line());
  AddSection(document, "基本情况", [&](Section& s) { AddMemberBasics(s, handbook); });
  AddSection(document, "会议出勤", [&](Section& s) {
    if (!withheld.Note(s, "attendance"))
      AddMemberAttendance(s, handbook.attendance(), handbook.utc_offset_minutes());
  });
  AddSection(document, "学习情况", [&](Section& s) {
    if (!withheld.Note(s, "study")) AddStudyProgress(s, handbook.study());
    if (!withheld.Note(s, "study_records")) AddStudyRecords(s, handbook);
  });
  AddSection(document, "承诺践诺", [&](Section& s) {
    if (!withheld.Note(s, "commitments")) AddCommitments(s, handbook);
  });
  AddSection(document, "活动台账", [&](Section& s) {
    if (!withheld.Note(s, "ledger_entries")) AddLedgerEntries(s, handbook.ledger_entries());
  });
  AddSection(document, "民主评议", [&](Section& s) {
    if (!withheld.Note(s, "evaluations")) AddMemberEvaluations(s, handbook);
  });
  AddSection(document, "表彰", [&](Section& s) {
    if (!withheld.Note(s, "honours")) AddHonours(s, handbook);
  });
  return document;
}

}  // namespace branchline::handbook
