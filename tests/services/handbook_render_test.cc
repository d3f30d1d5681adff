#include "services/handbook/render/handbook_render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "services/handbook/render/handbook_text.h"
#include "tests/services/sample_images.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace branchline::handbook {
namespace {

using testing::GradientJpeg;

using branchline::testing::RunCommand;
using branchline::testing::TempDir;

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr int64_t kBeijing = 8 * 3600;  // the branch's UTC offset, in seconds

google::protobuf::Timestamp Utc(int64_t seconds) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return time;
}

// Seconds since the epoch of a Beijing wall-clock time.
int64_t Beijing(int year, int month, int day, int hour, int minute) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return static_cast<int64_t>(timegm(&tm)) - kBeijing;
}

void SetDate(v1::LocalDate* date, int year, int month, int day) {
  date->set_year(year);
  date->set_month(month);
  date->set_day(day);
}

void AddMember(v1::BranchHandbook& handbook, uint64_t id, const std::string& name, v1::Role role,
               const std::string& employee_number) {
  auto* member = handbook.add_members();
  member->set_person_id(id);
  member->set_display_name(name);
  member->set_role(role);
  member->set_employee_number(employee_number);
}

void SetCounts(v1::StatusCounts* counts, int expected, int present, int late, int excused,
               int absent) {
  counts->set_expected(expected);
  counts->set_present(present);
  counts->set_late(late);
  counts->set_excused(excused);
  counts->set_absent(absent);
}

// Compliance periods start at the branch's local midnight.
void AddQuarter(v1::BranchCompliance* compliance, const char* label, int month, int held,
                v1::PeriodState state) {
  auto* period = compliance->add_periods();
  period->set_type(v1::MEETING_TYPE_GENERAL_MEETING);
  period->set_period(label);
  *period->mutable_period_start() = Utc(Beijing(2026, month, 1, 0, 0));
  *period->mutable_period_end() = Utc(Beijing(2026, month + 3, 1, 0, 0));
  period->set_required(1);
  period->set_held(held);
  period->set_state(state);
  if (state == v1::PERIOD_STATE_MISSED) *compliance->add_missing() = *period;
}

v1::BranchHandbook SampleBranch() {
  v1::BranchHandbook handbook;
  handbook.set_organization_id(7);
  handbook.set_organization_name("收费站第一党支部");
  handbook.set_utc_offset_minutes(kBeijing / 60);
  SetDate(handbook.mutable_from_date(), 2026, 1, 1);
  SetDate(handbook.mutable_to_date(), 2026, 6, 30);
  *handbook.mutable_generate_time() = Utc(Beijing(2026, 7, 1, 9, 0));
  AddMember(handbook, 1, "王建国", v1::ROLE_SECRETARY, "0001");
  AddMember(handbook, 2, "李秀英", v1::ROLE_COMMITTEE_MEMBER, "0002");
  AddMember(handbook, 3, "张伟", v1::ROLE_FULL_MEMBER, "");

  auto* party_day = handbook.add_meetings();
  party_day->mutable_meeting()->set_id(11);
  party_day->mutable_meeting()->set_type(v1::MEETING_TYPE_THEME_PARTY_DAY);
  party_day->mutable_meeting()->set_title("学习贯彻主题党日");
  *party_day->mutable_meeting()->mutable_start_time() = Utc(Beijing(2026, 3, 5, 9, 30));
  SetCounts(party_day->mutable_attendance(), 3, 2, 0, 1, 0);
  party_day->set_attachments(2);
  auto* minutes = party_day->mutable_minutes();
  minutes->set_minutes("会议传达了上级精神，查摆了问题。");
  minutes->add_resolutions("开展“学雷锋”志愿服务");
  minutes->add_speakers()->set_person_id(1);
  minutes->add_speakers()->set_name("赵老师");
  auto* fixed = minutes->add_problems();
  fixed->set_id(1);
  fixed->set_description("台账记录不及时");
  fixed->set_owner_id(2);
  SetDate(fixed->mutable_due_date(), 2026, 3, 31);
  fixed->set_status(v1::PROBLEM_STATUS_FIXED);
  fixed->mutable_fix()->set_text("已补齐台账");
  *fixed->mutable_fix()->mutable_fix_time() = Utc(Beijing(2026, 3, 20, 10, 0));
  auto* open = minutes->add_problems();
  open->set_id(2);
  open->set_description("学习笔记字数不足");
  open->set_owner_id(3);
  SetDate(open->mutable_due_date(), 2026, 4, 15);
  open->set_status(v1::PROBLEM_STATUS_OPEN);

  auto* general = handbook.add_meetings();
  general->mutable_meeting()->set_id(12);
  general->mutable_meeting()->set_type(v1::MEETING_TYPE_GENERAL_MEETING);
  general->mutable_meeting()->set_title("第二季度支部党员大会");
  *general->mutable_meeting()->mutable_start_time() = Utc(Beijing(2026, 4, 10, 14, 0));
  SetCounts(general->mutable_attendance(), 3, 1, 1, 0, 1);

  auto* attendance = handbook.mutable_attendance();
  attendance->set_meetings(2);
  SetCounts(attendance->mutable_total()->mutable_counts(), 6, 3, 1, 1, 1);
  attendance->mutable_total()->set_attendance_rate(4.0 / 6);
  auto* by_type = attendance->add_by_type();
  by_type->set_type(v1::MEETING_TYPE_THEME_PARTY_DAY);
  by_type->set_meetings(1);
  SetCounts(by_type->mutable_rates()->mutable_counts(), 3, 2, 0, 1, 0);

  auto* compliance = handbook.mutable_compliance();
  compliance->set_organization_id(7);
  AddQuarter(compliance, "2026-Q1", 1, 1, v1::PERIOD_STATE_MET);
  AddQuarter(compliance, "2026-Q2", 4, 0, v1::PERIOD_STATE_MISSED);

  auto* ledger = handbook.mutable_ledger();
  auto* talks = ledger->add_items();
  talks->set_code("1");
  talks->set_title("谈心谈话");
  talks->set_entries(3);
  auto* volunteering = ledger->add_items();
  volunteering->set_code("2");
  volunteering->set_title("志愿服务");
  volunteering->set_entries(1);
  volunteering->set_volunteer_hours(4.5);
  auto* talk_type = ledger->add_types();
  talk_type->set_type(v1::LEDGER_ENTRY_TYPE_TALK);
  talk_type->set_entries(3);
  ledger->set_entries(4);
  ledger->set_volunteer_hours(4.5);

  auto* mailbox = handbook.mutable_mailbox();
  mailbox->set_letter_count(5);
  mailbox->set_acknowledged_count(5);
  mailbox->set_acknowledge_median_seconds(7200);
  mailbox->set_resolved_count(4);
  mailbox->set_resolve_median_seconds(2 * 86400);
  mailbox->set_resolved_in_time_share(0.75);
  mailbox->set_rated_count(2);
  mailbox->set_average_rating(4.5);
  mailbox->set_overdue_count(1);

  auto* round = handbook.add_evaluations();
  round->mutable_round()->set_title("2026年度民主评议党员");
  round->mutable_round()->set_period_label("2026");
  round->set_closed(true);
  round->set_eligible_raters(3);
  round->set_participating_raters(3);
  round->set_participation_percent(100);
  auto* best = round->add_subjects();
  best->set_subject_name("王建国");
  best->set_raters(3);
  best->set_has_self_score(true);
  best->set_self_score(90);
  best->set_rater_score(91.5);
  best->set_has_overall_mark(true);
  best->set_overall_mark(92.25);
  best->set_final_score(92.25);
  best->set_final_grade("优秀");
  auto* few = round->add_subjects();
  few->set_subject_name("张伟");
  few->set_raters(1);
  few->set_too_few_ratings(true);
  return handbook;
}

v1::MemberHandbook SampleMember() {
  v1::MemberHandbook handbook;
  auto* member = handbook.mutable_member();
  member->set_person_id(1);
  member->set_display_name("王建国");
  member->set_role(v1::ROLE_SECRETARY);
  member->set_employee_number("0001");
  handbook.set_organization_name("收费站第一党支部");
  handbook.set_utc_offset_minutes(kBeijing / 60);
  SetDate(handbook.mutable_from_date(), 2026, 1, 1);
  SetDate(handbook.mutable_to_date(), 2026, 6, 30);
  *handbook.mutable_generate_time() = Utc(Beijing(2026, 7, 1, 9, 0));

  auto* attendance = handbook.mutable_attendance();
  auto* present = attendance->add_entries();
  present->mutable_meeting()->set_title("学习贯彻主题党日");
  present->mutable_meeting()->set_type(v1::MEETING_TYPE_THEME_PARTY_DAY);
  *present->mutable_meeting()->mutable_start_time() = Utc(Beijing(2026, 3, 5, 9, 30));
  present->set_status(v1::ATTENDANCE_STATUS_PRESENT);
  auto* away = attendance->add_entries();
  away->mutable_meeting()->set_title("第二季度支部党员大会");
  away->mutable_meeting()->set_type(v1::MEETING_TYPE_GENERAL_MEETING);
  *away->mutable_meeting()->mutable_start_time() = Utc(Beijing(2026, 4, 10, 14, 0));
  away->set_status(v1::ATTENDANCE_STATUS_EXCUSED);
  away->set_absence_label("出差 04-08 至 04-12");
  SetCounts(attendance->mutable_rates()->mutable_counts(), 2, 1, 0, 1, 0);
  attendance->mutable_rates()->set_attendance_rate(0.5);
  attendance->mutable_rates()->set_completion_rate(1.0);

  auto* study = handbook.mutable_study();
  study->set_year(2026);
  study->set_total_minutes(1260);
  study->set_study_days(42);
  study->set_notes_chars(5200);
  study->set_notes_quota_chars(5000);
  study->set_notes_quota_met(true);
  study->set_points(168);
  auto* record = handbook.add_study_records();
  record->set_local_date("2026-03-02");
  record->set_minutes(45);
  record->set_notes("学习党章第一章，体会：要把规矩挺在前面。");

  auto* commitment = handbook.add_commitments();
  commitment->set_period_label("2026");
  commitment->set_text("全年收费零差错");
  commitment->set_post("收费班长");
  commitment->add_progress()->set_text("一季度零差错");
  commitment->add_progress()->set_text("二季度零差错");

  auto* evaluation = handbook.add_evaluations();
  evaluation->mutable_round()->set_title("2026年度民主评议党员");
  evaluation->mutable_round()->set_period_label("2026");
  auto* result = evaluation->mutable_result();
  result->set_raters(3);
  result->set_has_self_score(true);
  result->set_self_score(90);
  result->set_rater_score(91.5);
  result->set_has_overall_mark(true);
  result->set_overall_mark(92.25);
  result->set_final_score(92.25);
  result->set_final_grade("优秀");

  auto* honour = handbook.add_honours();
  honour->set_title("优秀党员");
  honour->set_period_label("2026");
  honour->set_reason("带头攻坚ETC改造");

  handbook.add_withheld_sections("ledger_entries");
  return handbook;
}

// ---- Reading a PDF back with poppler-utils ----

class PdfFile {
 public:
  explicit PdfFile(const std::string& pdf) : path_(dir_.Sub("handbook.pdf")) {
    std::ofstream(path_, std::ios::binary) << pdf;
  }

  // pdftotext -layout of pages first..last (all when 0).
  std::string Text(int first = 0, int last = 0) const {
    std::string range;
    if (first > 0) range = " -f " + std::to_string(first) + " -l " + std::to_string(last);
    return Run("pdftotext -layout" + range + " " + path_ + " -");
  }
  std::string Info() const { return Run("pdfinfo " + path_); }
  std::string Fonts() const { return Run("pdffonts " + path_); }

  // The images drawn on its pages, as pdfimages -list lists them.
  struct Image {
    int page = 0;
    std::string type;  // "image", "smask", ...
    int width = 0, height = 0;
    std::string encoding;  // "jpeg" for a DCTDecode stream, "image" for raw pixels
  };
  std::vector<Image> Images() const {
    std::vector<Image> images;
    std::istringstream lines(Run("pdfimages -list " + path_));
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      Image image;
      int num = 0;
      std::string color, comp, bpc;
      if (!(fields >> image.page >> num >> image.type >> image.width >> image.height >> color >>
            comp >> bpc >> image.encoding)) {
        continue;  // the header lines
      }
      images.push_back(image);
    }
    return images;
  }

  int Pages() const {
    std::smatch match;
    const std::string info = Info();
    if (!std::regex_search(info, match, std::regex(R"(Pages:\s+(\d+))"))) return 0;
    return std::stoi(match[1]);
  }

 private:
  static std::string Run(const std::string& command) {
    int exit_code = -1;
    std::string output = RunCommand(command, &exit_code);
    EXPECT_EQ(exit_code, 0) << command << "\n" << output;
    return output;
  }

  TempDir dir_;
  std::string path_;
};

// pdftotext drops the spaces between Chinese characters and digits ("第 1 页" comes out as
// "第1页": Pango draws no glyph for a space and the gap is too narrow for pdftotext), so
// expectations are compared without spaces.
std::string Squeezed(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  return text;
}

bool Shows(const std::string& pdf_text, const std::string& expected) {
  return Squeezed(pdf_text).find(Squeezed(expected)) != std::string::npos;
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// ---- Photos ----

v1::File* AddPhoto(v1::HandbookMeeting* meeting, uint64_t id, const std::string& name) {
  v1::File* photo = meeting->add_photos();
  photo->set_id(id);
  photo->set_file_name(name);
  photo->set_content_type("image/jpeg");
  photo->set_has_thumbnail(true);
  meeting->set_attachments(meeting->attachments() + 1);
  return photo;
}

size_t ImagesOfType(const std::vector<PdfFile::Image>& images, const std::string& type) {
  return std::count_if(images.begin(), images.end(),
                       [&](const auto& image) { return image.type == type; });
}

// ---- The document model ----

TEST(HandbookDocument, BranchSectionsAreNumberedAndNeverEmpty) {
  const Document document = BranchHandbookDocument(v1::BranchHandbook());
  std::vector<std::string> headings;
  for (const auto& section : document.sections) {
    headings.push_back(section.heading);
    ASSERT_FALSE(section.blocks.empty()) << section.heading;
  }
  EXPECT_EQ(headings,
            (std::vector<std::string>{"一、基本情况", "二、党员名册", "三、会议记录与出勤",
                                      "四、出勤统计", "五、会议制度落实情况", "六、学习情况",
                                      "七、活动台账", "八、职工信箱", "九、民主评议"}));
  EXPECT_EQ(FullTitle(document), "支部工作手册");
}

TEST(HandbookDocument, ShowsTimesInTheOrganisationsOffset) {
  v1::BranchHandbook handbook = SampleBranch();
  const std::string local = BranchHandbookCsv(handbook);
  EXPECT_NE(local.find("生成时间：2026-07-01 09:00\r\n"), std::string::npos);
  EXPECT_NE(local.find("\r\n时间,会议名称,"), std::string::npos);
  EXPECT_NE(local.find("\r\n2026-03-05 09:30,学习贯彻主题党日,"), std::string::npos);

  handbook.set_utc_offset_minutes(0);
  const std::string utc = BranchHandbookCsv(handbook);
  EXPECT_NE(utc.find("\r\n2026-03-05 01:30,学习贯彻主题党日,"), std::string::npos);
  EXPECT_NE(utc.find("生成时间：2026-07-01 01:00\r\n"), std::string::npos);
}

TEST(HandbookDocument, NamesTheWithheldSectionsOfABranchAndListsItsLedger) {
  v1::BranchHandbook handbook = SampleBranch();
  auto* entry = handbook.add_ledger_entries();
  entry->set_type(v1::LEDGER_ENTRY_TYPE_VISIT);
  entry->mutable_date()->set_year(2026);
  entry->mutable_date()->set_month(3);
  entry->mutable_date()->set_day(2);
  entry->set_place("职工家中");
  entry->set_text("走访困难职工李师傅");
  std::string csv = BranchHandbookCsv(handbook);
  EXPECT_NE(csv.find("\r\n2026-03-02,走访慰问,职工家中,走访困难职工李师傅,\r\n"), std::string::npos)
      << csv;
  EXPECT_EQ(csv.find("无权查阅"), std::string::npos);

  handbook.add_withheld_sections("mailbox");
  csv = BranchHandbookCsv(handbook);
  EXPECT_NE(csv.find("\r\n未列入（无权查阅）：职工信箱\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("八、职工信箱\r\n职工信箱：无权查阅，未列入\r\n"), std::string::npos) << csv;
}

// ---- CSV ----

TEST(BranchHandbookCsv, HoldsEverySectionAndTheExactRows) {
  const std::string csv = BranchHandbookCsv(SampleBranch());
  ASSERT_EQ(csv.rfind(kBom, 0), 0u);
  EXPECT_EQ(csv.find("收费站第一党支部 支部工作手册\r\n统计期间：2026-01-01 至 2026-06-30\r\n"),
            std::strlen(kBom));
  for (const char* heading :
       {"一、基本情况", "二、党员名册", "三、会议记录与出勤", "四、出勤统计",
        "五、会议制度落实情况", "六、学习情况", "七、活动台账", "八、职工信箱", "九、民主评议"}) {
    EXPECT_NE(csv.find(std::string("\r\n") + heading + "\r\n"), std::string::npos) << heading;
  }
  EXPECT_NE(csv.find("序号,姓名,身份,工号\r\n"
                     "1,王建国,支部书记,0001\r\n"
                     "2,李秀英,支委委员,0002\r\n"
                     "3,张伟,正式党员,\r\n"
                     "\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find("时间,会议名称,类型,应到,实到,请假,补课,缺席,出勤率,记录,问题,已整改,附件\r\n"
                     "2026-03-05 09:30,学习贯彻主题党日,主题党日,3,2,1,0,0,66.7%,有,2,1,2\r\n"
                     "2026-04-10 14:00,第二季度支部党员大会,支部党员大会,3,2,0,0,1,66.7%,无,0,0,0"
                     "\r\n"),
            std::string::npos);
  // The minutes follow the meetings table.
  EXPECT_NE(csv.find("会议记录：2026-03-05 09:30 主题党日 学习贯彻主题党日\r\n"
                     "会议传达了上级精神，查摆了问题。\r\n"
                     "发言人：王建国、赵老师\r\n"
                     "决议 1：开展“学雷锋”志愿服务\r\n"
                     "查摆问题及整改\r\n"
                     "序号,问题,整改责任人,整改期限,状态,整改情况\r\n"
                     "1,台账记录不及时,李秀英,2026-03-31,已整改,2026-03-20 已补齐台账\r\n"
                     "2,学习笔记字数不足,张伟,2026-04-15,待整改,\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find("主题党日,1,3,2,1,0,0,66.7%,100.0%\r\n合计,2,6,4,1,0,1,66.7%,83.3%\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find("缺项 1 个：支部党员大会 2026-Q2\r\n"), std::string::npos);
  EXPECT_NE(csv.find("支部党员大会,2026-Q2,1,0,缺项\r\n"), std::string::npos);
  EXPECT_NE(csv.find("六、学习情况\r\n本期无记录\r\n"), std::string::npos);
  EXPECT_NE(csv.find("1,谈心谈话,3,0.0\r\n2,志愿服务,1,4.5\r\n"), std::string::npos);
  EXPECT_NE(csv.find("受理用时（中位数）,2.0 小时\r\n"), std::string::npos);
  EXPECT_NE(csv.find("办结用时（中位数）,2.0 天\r\n"), std::string::npos);
  EXPECT_NE(csv.find("平均评分,4.5\r\n超期未办结,1 件\r\n"), std::string::npos);
  EXPECT_NE(csv.find("参评率 100%（应参评 3 人，实际参评 3 人）\r\n"), std::string::npos);
  // 92.25 rounds half up to 92.3; a subject with too few raters has no score or grade yet.
  EXPECT_NE(csv.find("王建国,3,90.0,91.5,92.3,92.3,优秀\r\n"), std::string::npos);
  EXPECT_NE(csv.find("张伟,1,—,人数不足,—,—,未评定\r\n"), std::string::npos);
}

TEST(BranchHandbookCsv, NamesEachMeetingsPhotosAfterItsMinutes) {
  v1::BranchHandbook handbook = SampleBranch();
  AddPhoto(handbook.mutable_meetings(0), 501, "会场.jpg");
  AddPhoto(handbook.mutable_meetings(0), 502, "合影,全体.jpg");
  AddPhoto(handbook.mutable_meetings(1), 503, "签到表.jpg");  // a meeting without minutes
  const std::string csv = BranchHandbookCsv(handbook);
  EXPECT_NE(csv.find("2,学习笔记字数不足,张伟,2026-04-15,待整改,\r\n"
                     "\r\n"
                     "\"照片：会场.jpg、合影,全体.jpg\"\r\n"
                     "会议照片：2026-04-10 14:00 支部党员大会 第二季度支部党员大会\r\n"
                     "照片：签到表.jpg\r\n"),
            std::string::npos)
      << csv;
  // The meetings table counts them among the attachments.
  EXPECT_NE(csv.find("\r\n2026-03-05 09:30,学习贯彻主题党日,主题党日,3,2,1,0,0,66.7%,有,2,1,4\r\n"),
            std::string::npos)
      << csv;
  EXPECT_EQ(csv.find("另有"), std::string::npos);  // the CSV names every photo

  // Without photos nothing is said about them.
  EXPECT_EQ(BranchHandbookCsv(SampleBranch()).find("照片"), std::string::npos);
}

TEST(MemberHandbookCsv, NamesWithheldSectionsAndListsTheRest) {
  const std::string csv = MemberHandbookCsv(SampleMember());
  ASSERT_EQ(csv.rfind(kBom, 0), 0u);
  EXPECT_EQ(csv.find("王建国（收费站第一党支部） 党员活动手册\r\n"), std::strlen(kBom));
  EXPECT_NE(csv.find("\r\n未列入（无权查阅）：活动台账\r\n"), std::string::npos);
  EXPECT_NE(csv.find("五、活动台账\r\n活动台账：无权查阅，未列入\r\n"), std::string::npos);
  EXPECT_NE(
      csv.find("时间,会议名称,类型,出勤情况\r\n"
               "2026-03-05 09:30,学习贯彻主题党日,主题党日,出席\r\n"
               "2026-04-10 14:00,第二季度支部党员大会,支部党员大会,请假（出差 04-08 至 04-12）"
               "\r\n"),
      std::string::npos);
  EXPECT_NE(csv.find("2,1,0,0,1,0,0,50.0%,100.0%\r\n"), std::string::npos);
  EXPECT_NE(csv.find("学习笔记,5200 字 / 年度要求 5000 字（已达标）\r\n"), std::string::npos);
  EXPECT_NE(csv.find("2026-03-02,45,学习党章第一章，体会：要把规矩挺在前面。\r\n"),
            std::string::npos);
  // Several progress reports in one cell: quoted, one per line.
  EXPECT_NE(csv.find("2026,全年收费零差错,收费班长,\"1. 一季度零差错\n2. 二季度零差错\"\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("2026年度民主评议党员（2026）,90.0,91.5,92.3,92.3,优秀\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find("优秀党员,2026,带头攻坚ETC改造\r\n"), std::string::npos);
}

TEST(HandbookCsv, AnEmptyHandbookSaysNoRecordsInEverySection) {
  const std::string branch = BranchHandbookCsv(v1::BranchHandbook());
  ASSERT_EQ(branch.rfind(kBom, 0), 0u);
  // Members, meetings, attendance, compliance, study, ledger, mailbox, evaluations.
  EXPECT_EQ(Occurrences(branch, "\r\n本期无记录\r\n"), 8u) << branch;
  const std::string member = MemberHandbookCsv(v1::MemberHandbook());
  ASSERT_EQ(member.rfind(kBom, 0), 0u);
  EXPECT_NE(member.find("四、承诺践诺\r\n本期无记录\r\n"), std::string::npos) << member;
  EXPECT_NE(member.find("学习进度：本期无记录\r\n学习记录：本期无记录\r\n"), std::string::npos);
  EXPECT_EQ(member.find("无权查阅"), std::string::npos);
}

// ---- PDF ----

TEST(BranchHandbookPdf, ShowsTheHandbookInNotoSansCjk) {
  auto pdf = BranchHandbookPdf(SampleBranch());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  ASSERT_EQ(pdf->rfind("%PDF-", 0), 0u);
  PdfFile file(*pdf);
  const std::string text = file.Text();
  for (const char* expected :
       {"支部工作手册", "收费站第一党支部", "王建国", "李秀英", "张伟", "学习贯彻主题党日",
        "第二季度支部党员大会", "66.7%", "台账记录不及时", "本期无记录", "第 1 页"}) {
    EXPECT_TRUE(Shows(text, expected)) << expected << "\n" << text;
  }
  const std::string info = file.Info();
  EXPECT_GE(file.Pages(), 1);
  EXPECT_TRUE(std::regex_search(info, std::regex("Title:\\s+收费站第一党支部 支部工作手册\n")))
      << info;
  EXPECT_TRUE(std::regex_search(info, std::regex("Creator:\\s+Branchline\n"))) << info;
  const std::string fonts = file.Fonts();
  EXPECT_TRUE(std::regex_search(fonts, std::regex(R"(NotoSansCJK\S*\s.*Identity-H\s+yes)")))
      << fonts;
  const int pages = file.Pages();
  EXPECT_TRUE(Shows(text, "第 1 页 / 共 " + std::to_string(pages) + " 页"));
}

TEST(BranchHandbookPdf, ALongMemberListRunsOverPagesUnderItsHeader) {
  v1::BranchHandbook handbook = SampleBranch();
  handbook.clear_members();
  for (int i = 1; i <= 300; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "党员%03d", i);
    AddMember(handbook, 100 + i, name, v1::ROLE_FULL_MEMBER, "T" + std::to_string(1000 + i));
  }
  const auto start = std::chrono::steady_clock::now();
  auto pdf = BranchHandbookPdf(handbook);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  std::cout << "300-member branch handbook: " << pdf->size() << " bytes in " << elapsed.count()
            << " ms\n";
  ::testing::Test::RecordProperty("render_ms", static_cast<int>(elapsed.count()));

  PdfFile file(*pdf);
  EXPECT_GT(file.Pages(), 1);
  const std::string page_two = file.Text(2, 2);
  EXPECT_NE(page_two.find("序号"), std::string::npos) << page_two;
  EXPECT_NE(page_two.find("工号"), std::string::npos) << page_two;
  EXPECT_TRUE(Shows(page_two, "第 2 页")) << page_two;
  EXPECT_TRUE(Shows(page_two, "收费站第一党支部 支部工作手册"));  // running head
  const std::string text = file.Text();
  // Every member exactly once: no row lost or drawn twice at a page break.
  for (int i : {1, 57, 150, 299, 300}) {
    char name[32];
    std::snprintf(name, sizeof name, "党员%03d", i);
    EXPECT_EQ(Occurrences(text, name), 1u) << name;
  }
}

TEST(MemberHandbookPdf, ShowsTheMemberAndNamesWithheldSections) {
  auto pdf = MemberHandbookPdf(SampleMember());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  PdfFile file(*pdf);
  const std::string text = file.Text();
  for (const char* expected :
       {"党员活动手册", "王建国", "收费站第一党支部", "学习贯彻主题党日",
        "未列入（无权查阅）：活动台账", "全年收费零差错", "优秀党员", "第 1 页"}) {
    EXPECT_TRUE(Shows(text, expected)) << expected << "\n" << text;
  }
  EXPECT_TRUE(std::regex_search(file.Info(),
                                std::regex("Title:\\s+王建国（收费站第一党支部） 党员活动手册\n")));
}

TEST(HandbookPdf, EmptyHandbooksRenderAndSayNoRecords) {
  auto branch = BranchHandbookPdf(v1::BranchHandbook());
  ASSERT_TRUE(branch.ok()) << branch.status();
  EXPECT_NE(PdfFile(*branch).Text().find("本期无记录"), std::string::npos);
  auto member = MemberHandbookPdf(v1::MemberHandbook());
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_NE(PdfFile(*member).Text().find("本期无记录"), std::string::npos);
}

TEST(BranchHandbookPdf, ShowsTheThumbnailsOfAMeetingsPhotosAsJpeg) {
  v1::BranchHandbook handbook = SampleBranch();
  AddPhoto(handbook.mutable_meetings(0), 501, "会场.jpg");
  AddPhoto(handbook.mutable_meetings(0), 502, "合影.jpg");
  const Thumbnails thumbnails = {{501, GradientJpeg(64, 48)}, {502, GradientJpeg(30, 40)}};
  auto pdf = BranchHandbookPdf(handbook, thumbnails);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  PdfFile file(*pdf);
  const auto images = file.Images();
  ASSERT_EQ(images.size(), 2u) << *pdf;
  // The JPEGs themselves (DCTDecode), in their own pixel sizes, with no soft mask.
  EXPECT_EQ(images[0].type, "image");
  EXPECT_EQ(images[0].encoding, "jpeg");
  EXPECT_EQ(images[0].width, 64);
  EXPECT_EQ(images[0].height, 48);
  EXPECT_EQ(images[1].encoding, "jpeg");
  EXPECT_EQ(images[1].width, 30);
  EXPECT_EQ(images[1].height, 40);
  EXPECT_NE(pdf->find(thumbnails.at(501)), std::string::npos);  // embedded byte for byte
  const std::string text = file.Text();
  EXPECT_TRUE(Shows(text, "照片：会场.jpg、合影.jpg")) << text;
  EXPECT_FALSE(Shows(text, "另有")) << text;

  // The same handbook without thumbnails names the photos and says they are not shown.
  auto bare = BranchHandbookPdf(handbook);
  ASSERT_TRUE(bare.ok()) << bare.status();
  PdfFile bare_file(*bare);
  EXPECT_TRUE(bare_file.Images().empty());
  EXPECT_TRUE(Shows(bare_file.Text(), "照片：会场.jpg、合影.jpg"));
  EXPECT_TRUE(Shows(bare_file.Text(), "另有 2 张照片未显示"));
}

TEST(BranchHandbookPdf, APhotoOnTwoMeetingsIsEmbeddedOnce) {
  v1::BranchHandbook handbook = SampleBranch();
  AddPhoto(handbook.mutable_meetings(0), 501, "会场.jpg");
  AddPhoto(handbook.mutable_meetings(1), 501, "会场.jpg");
  const Thumbnails thumbnails = {{501, GradientJpeg(64, 48)}};
  auto pdf = BranchHandbookPdf(handbook, thumbnails);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(Occurrences(*pdf, thumbnails.at(501)), 1u);
  EXPECT_EQ(PdfFile(*pdf).Images().size(), 2u);  // drawn twice
}

TEST(BranchHandbookPdf, LeavesOutAThumbnailThatIsMissingOrDoesNotDecode) {
  v1::BranchHandbook handbook = SampleBranch();
  auto* meeting = handbook.mutable_meetings(1);  // no minutes
  for (uint64_t id : {601, 602, 603, 604, 605}) {
    AddPhoto(meeting, id, "照片" + std::to_string(id) + ".jpg");
  }
  const std::string good = GradientJpeg(40, 30);
  const Thumbnails thumbnails = {
      {601, "not a JPEG at all"},
      {602, good.substr(0, good.size() / 2)},  // truncated
      {603, ""},
      {605, good},  // 604 could not be read
  };
  auto pdf = BranchHandbookPdf(handbook, thumbnails);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  PdfFile file(*pdf);
  const auto images = file.Images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].width, 40);
  EXPECT_EQ(images[0].encoding, "jpeg");
  const std::string text = file.Text();
  EXPECT_TRUE(Shows(text, "会议照片：2026-04-10 14:00 支部党员大会 第二季度支部党员大会")) << text;
  EXPECT_TRUE(Shows(text, "另有 4 张照片未显示")) << text;
}

TEST(BranchHandbookPdf, ShowsAtMostSixPhotosAMeetingAnd120InAll) {
  v1::BranchHandbook handbook = SampleBranch();
  handbook.clear_meetings();
  Thumbnails thumbnails;
  uint64_t id = 1000;
  // Meetings of 8, 3 and then 21 × 6 photos: 6 + 3 + 18 × 6 = 117 shown up to the 20th
  // meeting, 3 of the 21st's, none of the last two's.
  for (int m = 0; m < 23; ++m) {
    auto* meeting = handbook.add_meetings();
    meeting->mutable_meeting()->set_id(100 + m);
    meeting->mutable_meeting()->set_title("例会" + std::to_string(m));
    *meeting->mutable_meeting()->mutable_start_time() = Utc(Beijing(2026, 1, 5 + m, 9, 0));
    for (int p = 0; p < (m == 0 ? 8 : m == 1 ? 3 : 6); ++p, ++id) {
      AddPhoto(meeting, id, std::to_string(id) + ".jpg");
      thumbnails[id] = GradientJpeg(32 + p, 24);
    }
  }
  const auto start = std::chrono::steady_clock::now();
  auto pdf = BranchHandbookPdf(handbook, thumbnails);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  std::cout << "137 photos, 120 shown: " << pdf->size() << " bytes in " << elapsed.count()
            << " ms\n";
  PdfFile file(*pdf);
  const auto images = file.Images();
  EXPECT_EQ(ImagesOfType(images, "image"), 120u);
  const std::string text = Squeezed(file.Text());
  EXPECT_EQ(Occurrences(text, "另有2张照片未显示\n"), 1u) << text;  // the first meeting
  EXPECT_EQ(Occurrences(text, "另有3张照片未显示（全册最多显示120张照片）"), 1u) << text;
  EXPECT_EQ(Occurrences(text, "另有6张照片未显示（全册最多显示120张照片）"), 2u) << text;
  EXPECT_EQ(Occurrences(text, "全册最多显示"), 3u);
  EXPECT_NE(text.find("1136.jpg"), std::string::npos) << text;  // the last photo is still named
}

// Each thumbnail adds its JPEG and an image object's few hundred bytes, not its pixels.
TEST(BranchHandbookPdf, TwentyPhotosAddAboutTheirJpegsToTheFile) {
  v1::BranchHandbook handbook = SampleBranch();
  Thumbnails thumbnails;
  size_t jpeg_bytes = 0;
  for (uint64_t id = 700; id < 720; ++id) {
    AddPhoto(handbook.mutable_meetings(id % 4 == 0 ? 0 : 1), id, std::to_string(id) + ".jpg");
    thumbnails[id] = GradientJpeg(320 - static_cast<int>(id % 7), 240);
    jpeg_bytes += thumbnails[id].size();
  }
  // 20 photos: 5 on one meeting, all shown, and 15 on the other, 6 shown.
  auto without = BranchHandbookPdf(handbook);
  auto with = BranchHandbookPdf(handbook, thumbnails);
  ASSERT_TRUE(without.ok() && with.ok());
  std::cout << "20 photos (5 + 15): " << without->size() << " bytes without thumbnails, "
            << with->size() << " with 11 shown; the 20 JPEGs are " << jpeg_bytes << " bytes\n";
  EXPECT_EQ(PdfFile(*with).Images().size(), 11u);
  size_t shown_bytes = 0;
  for (uint64_t id : {700, 704, 708, 712, 716, 701, 702, 703, 705, 706, 707}) {
    shown_bytes += thumbnails[id].size();
  }
  EXPECT_GT(with->size(), without->size() + shown_bytes);
  EXPECT_LT(with->size(), without->size() + shown_bytes + 11 * 1024);
}

// Texts longer than a page are broken between lines and continued, in a table cell as in the
// minutes; text set in code that is not UTF-8 still prints.
TEST(HandbookPdf, TextLongerThanAPageContinuesOnTheNextPages) {
  v1::MemberHandbook member = SampleMember();
  member.clear_withheld_sections();
  member.mutable_member()->set_display_name("王建\xff国");
  auto* entry = member.add_ledger_entries();
  entry->set_type(v1::LEDGER_ENTRY_TYPE_VISIT);
  SetDate(entry->mutable_date(), 2026, 5, 1);
  // Single characters that appear nowhere else: a word could be split by a line break.
  std::string long_text = "甲";
  for (int i = 0; i < 500; ++i) long_text += "走访困难职工家庭，了解生活情况。";
  long_text += "乙";
  entry->set_text(long_text);
  auto pdf = MemberHandbookPdf(member);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  PdfFile file(*pdf);
  EXPECT_GE(file.Pages(), 3);
  const std::string text = file.Text();
  EXPECT_EQ(Occurrences(text, "甲"), 1u);
  EXPECT_EQ(Occurrences(text, "乙"), 1u);
  EXPECT_EQ(Occurrences(text, "庭"), 500u);  // no line lost or drawn twice between pages
  EXPECT_NE(file.Text(3, 3).find("内容"), std::string::npos);  // the header, repeated

  v1::BranchHandbook branch = SampleBranch();
  std::string minutes;
  for (int i = 0; i < 1000; ++i) minutes += "第" + std::to_string(i) + "项议程已讨论。";
  branch.mutable_meetings(0)->mutable_minutes()->set_minutes(minutes);
  auto branch_pdf = BranchHandbookPdf(branch);
  ASSERT_TRUE(branch_pdf.ok()) << branch_pdf.status();
  PdfFile branch_file(*branch_pdf);
  EXPECT_GT(branch_file.Pages(), 2);
  EXPECT_EQ(Occurrences(branch_file.Text(), "讨"), 1000u);
}

// The server renders on several threads at once; each call has its own Pango context.
TEST(HandbookPdf, RendersOnSeveralThreadsAtOnce) {
  v1::BranchHandbook handbook = SampleBranch();
  AddPhoto(handbook.mutable_meetings(0), 501, "会场.jpg");
  const Thumbnails thumbnails = {{501, GradientJpeg(64, 48)}};
  auto reference = BranchHandbookPdf(handbook, thumbnails);
  ASSERT_TRUE(reference.ok()) << reference.status();
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&handbook, &thumbnails, &result] {
      auto pdf = BranchHandbookPdf(handbook, thumbnails);
      result = pdf.ok() ? *pdf : std::string(pdf.status().message());
    });
  }
  for (auto& thread : threads) thread.join();
  // Same handbook, same bytes: nothing in the file depends on the clock or on the thread.
  for (const auto& result : results) EXPECT_TRUE(result == *reference);
}

}  // namespace
}  // namespace branchline::handbook
