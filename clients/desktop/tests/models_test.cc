#include <gtest/gtest.h>
#include <locale.h>

#include <QApplication>
#include <QBrush>
#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QFont>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChartView>

#include "clients/desktop/api/error_text.h"
#include "clients/desktop/models/attendance_models.h"
#include "clients/desktop/models/calendar_models.h"
#include "clients/desktop/models/evaluation_models.h"
#include "clients/desktop/models/feedback_models.h"
#include "clients/desktop/models/formatting.h"
#include "clients/desktop/models/handbook_models.h"
#include "clients/desktop/models/org_tree.h"
#include "clients/desktop/models/photo_models.h"
#include "clients/desktop/models/qr_image.h"
#include "clients/desktop/models/records_models.h"
#include "clients/desktop/models/study_models.h"
#include "clients/desktop/models/table_export.h"
#include "clients/desktop/views/evaluation_view.h"
#include "clients/desktop/views/handbook_view.h"
#include "clients/desktop/views/meeting_dialog.h"
#include "clients/desktop/views/minutes_dialog.h"
#include "clients/desktop/views/records_view.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace branchline::desk {
namespace {

// The text of a CSV file a tab exported: it must open and start with the UTF-8 BOM that
// spreadsheet programs need to read the Chinese names.
QString CsvFileText(const QString& path) {
  QFile file(path);
  EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << path.toStdString();
  const QByteArray bytes = file.readAll();
  EXPECT_TRUE(bytes.startsWith("\xEF\xBB\xBF"));
  return QString::fromUtf8(bytes.mid(3));
}

TEST(Formatting, PercentCountdownAndCounts) {
  EXPECT_EQ(FormatPercent(0.875), QStringLiteral("87.5%"));
  EXPECT_EQ(FormatPercent(0), QStringLiteral("0.0%"));
  // Half up (四舍五入): 9 of 16 is 56.3 %, also where the double is just below the half.
  EXPECT_EQ(FormatPercent(9.0 / 16), QStringLiteral("56.3%"));
  EXPECT_EQ(FormatPercent(247.0 / 2000), QStringLiteral("12.4%"));
  EXPECT_DOUBLE_EQ(PercentRoundedHalfUp(9.0 / 16), 56.3);
  EXPECT_EQ(FormatCountdown(42), QStringLiteral("0:42"));
  EXPECT_EQ(FormatCountdown(75), QStringLiteral("1:15"));
  EXPECT_EQ(FormatCountdown(-3), QStringLiteral("0:00"));
  v1::StatusCounts counts;
  counts.set_expected(5);
  counts.set_present(2);
  counts.set_late(1);
  counts.set_excused(1);
  const QString text = FormatCounts(counts);
  EXPECT_TRUE(text.contains(QStringLiteral("3 / 5"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("excused 1"))) << text.toStdString();
}

TEST(Formatting, TimestampsRoundTripAndUnsetIsEmpty) {
  const QDateTime t = QDateTime::fromMSecsSinceEpoch(1'763'700'000'123);
  EXPECT_EQ(ToDateTime(ToTimestamp(t)), t);
  EXPECT_EQ(FormatTime(google::protobuf::Timestamp()), QString());
  EXPECT_EQ(FormatTime(ToTimestamp(t)), t.toString(QStringLiteral("yyyy-MM-dd HH:mm")));
}

TEST(Formatting, LabelsAreBilingual) {
  EXPECT_TRUE(AttendanceStatusLabel(v1::ATTENDANCE_STATUS_LATE).contains(QStringLiteral("迟到")));
  EXPECT_TRUE(LetterStateLabel(v1::LETTER_STATE_RESOLVED).contains(QStringLiteral("Resolved")));
  EXPECT_TRUE(
      AttendanceStatusLabel(v1::ATTENDANCE_STATUS_UNSPECIFIED).contains(QStringLiteral("Not yet")));
}

TEST(ErrorText, UnreachableAndRefusedAreToldApart) {
  const QString down = DescribeError(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connect failed"),
                                     "10.0.0.5:50051");
  EXPECT_TRUE(down.contains(QStringLiteral("10.0.0.5:50051"))) << down.toStdString();
  EXPECT_TRUE(down.contains(QStringLiteral("Cannot reach"))) << down.toStdString();
  const QString denied =
      DescribeError(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not a manager of 7"), "x:1");
  EXPECT_TRUE(denied.contains(QStringLiteral("refused"))) << denied.toStdString();
  EXPECT_TRUE(denied.contains(QStringLiteral("not a manager of 7")));
  const QString invalid = DescribeError(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "meeting.title: is required"), "x:1");
  EXPECT_TRUE(invalid.contains(QStringLiteral("meeting.title")));
  // The server's localized message is shown instead of the developer message.
  google::rpc::Status rpc;
  rpc.set_code(grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::LocalizedMessage localized;
  localized.set_locale("zh-CN");
  localized.set_message("您距会场 312 米，超出了 200 米的签到范围。");
  rpc.add_details()->PackFrom(localized);
  const QString far =
      DescribeError(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                 "location: You are 312 m away", rpc.SerializeAsString()),
                    "x:1");
  EXPECT_TRUE(far.contains(QStringLiteral("您距会场 312 米"))) << far.toStdString();
  EXPECT_FALSE(far.contains(QStringLiteral("You are"))) << far.toStdString();
}

TEST(RosterModel, ShowsNamesStatusesAndColours) {
  RosterModel model;
  std::vector<v1::RosterEntry> entries(2);
  entries[0].set_display_name("张伟");
  entries[0].set_status(v1::ATTENDANCE_STATUS_PRESENT);
  entries[0].mutable_record()->mutable_server_time()->set_seconds(1'763'700'000);
  entries[1].set_display_name("王芳");
  entries[1].set_status(v1::ATTENDANCE_STATUS_ABSENT);
  model.SetRows(entries);
  ASSERT_EQ(model.rowCount(), 2);
  ASSERT_EQ(model.columnCount(), 3);
  EXPECT_EQ(model.data(model.index(0, 0)).toString(), QStringLiteral("张伟"));
  EXPECT_TRUE(model.data(model.index(1, 1)).toString().contains(QStringLiteral("缺席")));
  EXPECT_TRUE(model.data(model.index(1, 1), Qt::BackgroundRole).canConvert<QBrush>());
  EXPECT_FALSE(model.data(model.index(0, 2)).toString().isEmpty());  // checked in at
  EXPECT_TRUE(model.data(model.index(1, 2)).toString().isEmpty());   // no check-in, no time
  EXPECT_FALSE(model.data(model.index(5, 0)).isValid());             // out of range
  EXPECT_EQ(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("姓名 Name"));

  // An approved absence over dates is named in the status.
  entries[1].set_status(v1::ATTENDANCE_STATUS_EXCUSED);
  entries[1].set_absence_label("出差 12-01 至 12-07");
  model.SetRows(entries);
  EXPECT_TRUE(
      model.data(model.index(1, 1)).toString().endsWith(QStringLiteral("（出差 12-01 至 12-07）")))
      << model.data(model.index(1, 1)).toString().toStdString();
}

TEST(InboxModel, OverdueHighlightedAndAnonymousNeverNamed) {
  NameLookup names;
  names.Set(11, QStringLiteral("李娜"));
  InboxModel model(&names);
  std::vector<v1::Letter> letters(3);
  letters[0].set_subject("夜班太多");
  letters[0].set_anonymous(true);
  letters[0].set_author_person_id(11);  // even if a server ever sent it, it is not shown
  letters[0].set_overdue(true);
  letters[1].set_subject("建议增设休息室");
  letters[1].set_author_person_id(11);
  letters[2].set_subject("食堂");
  letters[2].set_author_person_id(99);
  model.SetRows(letters);
  EXPECT_EQ(model.OverdueCount(), 1);
  EXPECT_TRUE(model.data(model.index(0, 0), Qt::BackgroundRole).canConvert<QBrush>());
  EXPECT_FALSE(model.data(model.index(1, 0), Qt::BackgroundRole).isValid());
  const QString anonymous = model.data(model.index(0, 4)).toString();
  EXPECT_TRUE(anonymous.contains(QStringLiteral("匿名")));
  EXPECT_FALSE(anonymous.contains(QStringLiteral("李娜")));
  EXPECT_TRUE(model.data(model.index(0, 4), Qt::FontRole).value<QFont>().italic());
  EXPECT_EQ(model.data(model.index(1, 4)).toString(), QStringLiteral("李娜"));
  EXPECT_EQ(model.data(model.index(2, 4)).toString(), QStringLiteral("#99"));
}

TEST(ThreadHtml, InternalNotesMarkedAndTextEscaped) {
  NameLookup names;
  names.Set(5, QStringLiteral("王书记"));
  v1::Letter letter;
  letter.set_subject("<b>夜班</b>");
  letter.set_anonymous(true);
  std::vector<v1::LetterEvent> events(3);
  events[0].set_kind(v1::LETTER_EVENT_KIND_SUBMITTED);
  events[1].set_kind(v1::LETTER_EVENT_KIND_REPLY);
  events[1].set_person_id(5);
  events[1].set_text("已收到 <script>x</script>");
  events[2].set_kind(v1::LETTER_EVENT_KIND_INTERNAL_NOTE);
  events[2].set_person_id(5);
  events[2].set_text("排班表需调整");
  const QString html = RenderThreadHtml(letter, events, names);
  EXPECT_TRUE(html.contains(QStringLiteral("&lt;script&gt;")));
  EXPECT_FALSE(html.contains(QStringLiteral("<script>")));
  EXPECT_TRUE(html.contains(QStringLiteral("&lt;b&gt;夜班")));
  EXPECT_TRUE(html.contains(QStringLiteral("internal, not shown to the author")));
  EXPECT_TRUE(html.contains(QStringLiteral("排班表需调整")));
  EXPECT_TRUE(html.contains(QStringLiteral("匿名")));
  EXPECT_EQ(html.count(QStringLiteral("internal, not shown")), 1);
}

TEST(TableExport, CsvQuotesWhatNeedsQuotingAndKeepsChinese) {
  SubOrgStudyModel model;
  std::vector<v1::SubOrganizationReport> rows(2);
  rows[0].set_name("一班组, 早班");
  rows[0].set_people(4);
  rows[0].set_people_complete(1);
  rows[1].set_name("说 \"好\"\n二班");
  model.SetRows(rows);
  const QString csv = TableToCsv(model);
  const QStringList lines = csv.split(QStringLiteral("\r\n"));
  ASSERT_GE(lines.size(), 3);
  EXPECT_TRUE(lines[0].startsWith(QStringLiteral("组织 Organisation,")));
  EXPECT_TRUE(lines[1].startsWith(QStringLiteral("\"一班组, 早班\",4,1,0,25.0%,0")))
      << lines[1].toStdString();
  EXPECT_TRUE(csv.contains(QStringLiteral("\"说 \"\"好\"\"\n二班\""))) << csv.toStdString();
  const QString html = TableToHtml(model, QStringLiteral("A<B"));
  EXPECT_TRUE(html.contains(QStringLiteral("A&lt;B")));
  EXPECT_EQ(html.count(QStringLiteral("<tr>")), 3);
}

TEST(TableExport, CsvWritesFormulasAsTextAndNumbersAsNumbers) {
  // The server's rule (attendance_csv.cc): a cell a spreadsheet would run gets an apostrophe.
  QStandardItemModel model(1, 9);
  const QStringList cells = {QStringLiteral("=HYPERLINK(\"http://x\",\"点我\")"),
                             QStringLiteral("@SUM(A1)"),
                             QStringLiteral("+1"),
                             QStringLiteral("-3.5"),
                             QStringLiteral("-"),
                             QStringLiteral("-x"),
                             QStringLiteral("-3"),
                             QStringLiteral("\t=1"),
                             QStringLiteral("张=三")};
  for (int c = 0; c < cells.size(); ++c) {
    model.setHeaderData(c, Qt::Horizontal, QStringLiteral("h%1").arg(c));
    model.setItem(0, c, new QStandardItem(cells[c]));
  }
  model.setHeaderData(0, Qt::Horizontal, QStringLiteral("=姓名"));
  const QString expected_row = QStringLiteral(
      "\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",'@SUM(A1),+1,-3.5,-,'-x,-3,'\t=1,张=三\r\n");
  QString csv = TableToCsv(model);
  EXPECT_TRUE(csv.startsWith(QStringLiteral("'=姓名,h1,"))) << csv.toStdString();
  EXPECT_TRUE(csv.endsWith(expected_row)) << csv.toStdString();
  // Numbers are read as the server reads them, whatever the desktop's locale: where the
  // decimal point is a comma, "-3.5" is still a number (when such a locale is installed).
  const std::string numeric = setlocale(LC_NUMERIC, nullptr);
  if (setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr) {
    csv = TableToCsv(model);
    setlocale(LC_NUMERIC, numeric.c_str());
    EXPECT_TRUE(csv.endsWith(expected_row)) << csv.toStdString();
  }
}

TEST(OrgTree, NestsChildrenAndKeepsOrphans) {
  std::vector<v1::Organization> orgs(4);
  orgs[0].set_id(1);
  orgs[0].set_name("公司");
  orgs[1].set_id(2);
  orgs[1].set_parent_id(1);
  orgs[1].set_name("收费站党支部");
  orgs[1].set_kind(v1::ORGANIZATION_KIND_BRANCH);
  orgs[2].set_id(3);
  orgs[2].set_parent_id(2);
  orgs[2].set_name("一班组");
  orgs[3].set_id(9);
  orgs[3].set_parent_id(42);  // parent not loaded
  orgs[3].set_name("孤立组");
  auto model = BuildOrgTree(orgs);
  ASSERT_EQ(model->rowCount(), 2);  // the root and the orphan
  QStandardItem* company = nullptr;
  for (int r = 0; r < 2; ++r) {
    if (model->item(r)->data(kOrgIdRole).toULongLong() == 1) company = model->item(r);
  }
  ASSERT_NE(company, nullptr);
  ASSERT_EQ(company->rowCount(), 1);
  QStandardItem* branch = company->child(0);
  EXPECT_TRUE(branch->text().startsWith(QStringLiteral("收费站党支部")));
  EXPECT_TRUE(branch->text().contains(QStringLiteral("支部")));
  ASSERT_EQ(branch->rowCount(), 1);
  EXPECT_EQ(branch->child(0)->data(kOrgIdRole).toULongLong(), 3u);
}

TEST(StudyModels, CompletionOverTimeCapsEachPersonsItemAndSkipsStrangers) {
  v1::StudyPlan plan;
  plan.add_items()->set_id(101);
  plan.mutable_items(0)->set_required_minutes(60);
  plan.add_items()->set_id(102);
  plan.mutable_items(1)->set_required_minutes(30);
  auto record = [](uint64_t person, uint64_t item, int minutes, const char* day) {
    v1::StudyRecord r;
    r.set_person_id(person);
    r.set_plan_item_id(item);
    r.set_minutes(minutes);
    r.set_local_date(day);
    return r;
  };
  const std::vector<v1::StudyRecord> records = {
      record(1, 101, 30, "2026-11-18"), record(2, 102, 20, "2026-11-18"),
      record(1, 101, 40, "2026-11-21"),   // 70 of 60 required: counts 30 more, not 40
      record(1, 999, 100, "2026-11-21"),  // not an item of the plans
      record(2, 101, 10, "garbage")};
  // Two people × (60 + 30) minutes = 180 required.
  const auto points = CompletionByDay(records, {plan}, 2);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_DOUBLE_EQ(points.at(QDate(2026, 11, 18)), 50.0 / 180.0);
  EXPECT_DOUBLE_EQ(points.at(QDate(2026, 11, 21)), 80.0 / 180.0);
  EXPECT_TRUE(CompletionByDay(records, {plan}, 0).empty());
  EXPECT_TRUE(CompletionByDay(records, {}, 2).empty());
}

TEST(StudyModels, SubOrganisationCompletionAndProgressStates) {
  v1::SubOrganizationReport empty;
  EXPECT_EQ(CompletionShare(empty), 0.0);
  empty.set_people(4);
  empty.set_people_complete(1);
  EXPECT_DOUBLE_EQ(CompletionShare(empty), 0.25);
  ProgressModel progress;
  v1::ItemProgress behind;
  behind.set_behind_schedule(true);
  progress.SetRows(std::vector<v1::ItemProgress>{behind});
  EXPECT_TRUE(progress.data(progress.index(0, 3)).toString().contains(QStringLiteral("Behind")));
}

TEST(QrImage, DrawsModulesWithQuietZone) {
  EXPECT_TRUE(RenderQrCode(QString(), 4).isNull());
  const QImage image = RenderQrCode(QStringLiteral("branchline:checkin:123:456789"), 4);
  ASSERT_FALSE(image.isNull());
  EXPECT_EQ(image.width(), image.height());
  EXPECT_EQ(image.width() % 4, 0);
  EXPECT_EQ(image.pixelColor(1, 1), QColor(Qt::white));                  // quiet zone
  EXPECT_EQ(image.pixelColor(4 * 4 + 1, 4 * 4 + 1), QColor(Qt::black));  // finder pattern
}

TEST(MeetingDialog, ResultHasEndFromDurationAndEditedFields) {
  v1::Meeting meeting;
  meeting.set_id(77);
  meeting.set_title("旧标题");
  MeetingDialog dialog(meeting);
  dialog.title_edit()->setText(QStringLiteral("  周一安全例会 "));
  const QDateTime start(QDate(2026, 12, 1), QTime(9, 0));
  dialog.start_edit()->setDateTime(start);
  const v1::Meeting result = dialog.Result();
  EXPECT_EQ(result.id(), 77u);
  EXPECT_EQ(result.title(), "周一安全例会");
  EXPECT_EQ(ToDateTime(result.start_time()), start);
  EXPECT_EQ(ToDateTime(result.end_time()), start.addSecs(90 * 60));
  EXPECT_EQ(MeetingDialog::EditedPaths().size(), 7u);
  EXPECT_FALSE(result.audience().members_only());
}

TEST(MeetingDialog, PartyMembersOnlyIsKeptAndALiteralListCannotBeNarrowed) {
  v1::Meeting party;
  party.set_id(5);
  party.mutable_audience()->set_organization_id(9);
  party.mutable_audience()->set_members_only(true);
  MeetingDialog members(party);
  EXPECT_TRUE(members.members_only_box()->isChecked());
  members.members_only_box()->setChecked(false);
  EXPECT_FALSE(members.Result().audience().members_only());
  EXPECT_EQ(members.Result().audience().organization_id(), 9u);

  v1::Meeting listed;
  listed.mutable_audience()->add_person_ids(3);
  MeetingDialog people(listed);
  EXPECT_FALSE(people.members_only_box()->isEnabled());
  people.members_only_box()->setChecked(true);
  EXPECT_FALSE(people.Result().audience().members_only());
}

TEST(Recurrence, RulesOfTheRepeatChoices) {
  const QDate monday(2027, 1, 4);
  RepeatChoice none;
  EXPECT_EQ(RecurrenceRule(none, monday), "");
  RepeatChoice weekly;
  weekly.kind = RepeatChoice::Kind::kWeekly;
  weekly.count = 8;
  EXPECT_EQ(RecurrenceRule(weekly, monday), "FREQ=WEEKLY;BYDAY=MO;COUNT=8");  // the first's day
  weekly.weekdays = {5, 3, 3};  // Wednesday and Friday (003), repeated and unsorted
  weekly.interval = 2;
  weekly.until = QDate(2027, 3, 31);
  EXPECT_EQ(RecurrenceRule(weekly, monday), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,FR;UNTIL=20270331");
  RepeatChoice monthly;
  monthly.kind = RepeatChoice::Kind::kMonthly;
  monthly.interval = 3;  // only weekly series take an interval
  monthly.count = 12;
  EXPECT_EQ(RecurrenceRule(monthly, QDate(2027, 1, 31)), "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=12");
  monthly.count = 0;
  EXPECT_EQ(RecurrenceRule(monthly, monday), "FREQ=MONTHLY;BYMONTHDAY=4");  // until ended
}

TEST(MeetingDialog, ANewMeetingRepeatsAsASeriesAnEditedOneNever) {
  v1::Meeting blank;
  MeetingDialog dialog(blank);
  dialog.start_edit()->setDateTime(QDateTime(QDate(2027, 1, 4), QTime(7, 30)));
  EXPECT_EQ(dialog.RepeatRule(), "");         // once, by default
  dialog.repeat_combo()->setCurrentIndex(1);  // weekly
  EXPECT_TRUE(dialog.interval_spin()->isEnabled());
  dialog.weekday_box(3)->setChecked(true);
  dialog.weekday_box(5)->setChecked(true);
  dialog.end_combo()->setCurrentIndex(1);  // a number of times
  dialog.count_spin()->setValue(8);
  EXPECT_FALSE(dialog.until_edit()->isEnabled());
  // The start's weekday was ticked when the dialog opened (tomorrow's), so untick the others.
  for (int d : {1, 2, 4, 6, 7}) dialog.weekday_box(d)->setChecked(false);
  EXPECT_EQ(dialog.RepeatRule(), "FREQ=WEEKLY;BYDAY=WE,FR;COUNT=8");
  dialog.repeat_combo()->setCurrentIndex(2);  // monthly on the 4th
  EXPECT_FALSE(dialog.interval_spin()->isEnabled());
  EXPECT_EQ(dialog.RepeatRule(), "FREQ=MONTHLY;BYMONTHDAY=4;COUNT=8");
  dialog.end_combo()->setCurrentIndex(0);
  dialog.until_edit()->setDate(QDate(2027, 6, 30));
  EXPECT_EQ(dialog.RepeatRule(), "FREQ=MONTHLY;BYMONTHDAY=4;UNTIL=20270630");

  v1::Meeting existing;
  existing.set_id(5);
  MeetingDialog edit(existing);
  EXPECT_EQ(edit.repeat_combo(), nullptr);
  EXPECT_EQ(edit.RepeatRule(), "");
}

TEST(AbsencesModel, NamesTypesDatesAndPendingStandsOut) {
  NameLookup names;
  names.Set(7, QStringLiteral("李师傅"));
  AbsencesModel model(&names);
  v1::AbsenceRequest a;
  a.set_id(1);
  a.set_person_id(7);
  a.set_type(v1::ABSENCE_TYPE_DUTY_RUN);
  *a.mutable_from_date() = ToLocalDate(QDate(2026, 12, 1));
  *a.mutable_to_date() = ToLocalDate(QDate(2026, 12, 7));
  a.set_reason("长途出车");
  a.set_state(v1::ABSENCE_STATE_PENDING);
  v1::AbsenceRequest b = a;
  b.set_id(2);
  b.set_state(v1::ABSENCE_STATE_APPROVED);
  model.SetRows(std::vector<v1::AbsenceRequest>{a, b});
  ASSERT_EQ(model.rowCount(), 2);
  EXPECT_EQ(model.data(model.index(0, 0)).toString(), QStringLiteral("李师傅"));
  EXPECT_EQ(model.data(model.index(0, 1)).toString(), QStringLiteral("出车 Duty run"));
  EXPECT_EQ(model.data(model.index(0, 2)).toString(), QStringLiteral("2026-12-01 至 2026-12-07"));
  EXPECT_EQ(model.data(model.index(0, 3)).toString(), QStringLiteral("长途出车"));
  EXPECT_EQ(model.data(model.index(0, 4)).toString(), QStringLiteral("待审批 Pending"));
  EXPECT_TRUE(model.data(model.index(0, 4), Qt::BackgroundRole).isValid());
  EXPECT_EQ(model.data(model.index(1, 4)).toString(), QStringLiteral("已批准 Approved"));
  EXPECT_FALSE(model.data(model.index(1, 4), Qt::BackgroundRole).isValid());
  EXPECT_EQ(FormatLocalDate(v1::LocalDate()), QString());
}

v1::SubjectResult Subject(uint64_t id, const std::string& name, int raters) {
  v1::SubjectResult s;
  s.set_subject_id(id);
  s.set_subject_name(name);
  s.set_raters(raters);
  return s;
}

// Three subjects as the server answers a round with min_raters 5: one rated by enough raters,
// one withheld, one withheld whose overall mark still gives a final grade.
std::vector<v1::SubjectResult> ThreeSubjects() {
  v1::SubjectResult rated = Subject(11, "张三", 6);
  rated.set_rater_score(87.5);
  rated.set_final_score(91.25);
  rated.set_has_overall_mark(true);
  rated.set_overall_mark(91.25);
  rated.set_final_grade("优秀");
  v1::SubjectResult withheld = Subject(12, "李四", 2);
  withheld.set_too_few_ratings(true);
  withheld.set_has_self_score(true);
  withheld.set_self_score(95);
  v1::SubjectResult marked = Subject(13, "王五", 3);
  marked.set_too_few_ratings(true);
  marked.set_has_overall_mark(true);
  marked.set_overall_mark(76);
  marked.set_final_score(76);
  marked.set_final_grade("合格");
  return {rated, withheld, marked};
}

TEST(EvaluationModels, ParticipationCountsRatersOrBallotsRoundedHalfUp) {
  v1::RoundResults results;
  results.set_eligible_raters(16);
  results.set_participating_raters(9);
  results.set_closed(true);
  const QString named = ParticipationText(results);
  EXPECT_TRUE(named.contains(QStringLiteral("已评 Rated 9 / 16"))) << named.toStdString();
  EXPECT_TRUE(named.contains(QStringLiteral("56.3%"))) << named.toStdString();
  EXPECT_TRUE(named.contains(QStringLiteral("已结束 closed"))) << named.toStdString();
  // Anonymous rounds count ballots taken: the server cannot know who rated.
  results.mutable_round()->set_anonymous(true);
  results.set_closed(false);
  const QString anonymous = ParticipationText(results);
  EXPECT_TRUE(anonymous.contains(QStringLiteral("已领选票 Ballots taken 9 / 16")))
      << anonymous.toStdString();
  EXPECT_TRUE(anonymous.contains(QStringLiteral("未结束 not closed")));
  // Nobody to rate: no division by zero, no "nan%".
  const QString empty = ParticipationText(v1::RoundResults());
  EXPECT_TRUE(empty.contains(QStringLiteral("0 / 0"))) << empty.toStdString();
  EXPECT_TRUE(empty.contains(QStringLiteral("participation —"))) << empty.toStdString();
  EXPECT_FALSE(empty.contains(QStringLiteral("nan")));
}

TEST(EvaluationModels, WithheldFiguresSayTooFewRatingsAndNeverShowZero) {
  SubjectResultsModel model;
  model.SetRows(ThreeSubjects());
  ASSERT_EQ(model.rowCount(), 3);
  ASSERT_EQ(model.columnCount(), 7);
  auto cell = [&](int row, int column) {
    return model.data(model.index(row, column)).toString().toStdString();
  };
  EXPECT_EQ(cell(0, 0), "张三");
  EXPECT_EQ(cell(0, 1), "6");
  EXPECT_EQ(cell(0, 2), "87.50");
  EXPECT_EQ(cell(0, 3), "—");
  EXPECT_EQ(cell(0, 4), "91.25");
  EXPECT_EQ(cell(0, 5), "91.25");
  EXPECT_EQ(cell(0, 6), "优秀 Excellent");
  // Withheld: the count of raters still shows, the score and grade say why they are missing.
  EXPECT_EQ(cell(1, 1), "2");
  EXPECT_EQ(cell(1, 2), "评价人数不足 too few ratings");
  EXPECT_EQ(cell(1, 3), "95.00");
  EXPECT_EQ(cell(1, 5), "—");
  EXPECT_EQ(cell(1, 6), "评价人数不足 too few ratings");
  // The overall mark gives a final grade even when the raters' figures are withheld.
  EXPECT_EQ(cell(2, 2), "评价人数不足 too few ratings");
  EXPECT_EQ(cell(2, 5), "76.00");
  EXPECT_EQ(cell(2, 6), "合格 Qualified");
  EXPECT_FALSE(model.data(model.index(0, 2), Qt::BackgroundRole).isValid());
  EXPECT_TRUE(model.data(model.index(1, 2), Qt::BackgroundRole).isValid());
  EXPECT_EQ(model.TooFewCount(), 2);
  EXPECT_EQ(model.headerData(2, Qt::Horizontal).toString(),
            QStringLiteral("评价得分 Raters' score"));

  // The chart leaves out the subject without a final score rather than drawing a 0.
  const ScoreBars bars = FinalScoreBars(ThreeSubjects());
  EXPECT_EQ(bars.subjects, (QStringList{QStringLiteral("张三"), QStringLiteral("王五")}));
  EXPECT_EQ(bars.scores, (QList<qreal>{91.25, 76.0}));
}

TEST(EvaluationModels, GradesStatesAndKinds) {
  EXPECT_EQ(GradeLabel("基本合格"), QStringLiteral("基本合格 Basically qualified"));
  EXPECT_EQ(GradeLabel("不合格"), QStringLiteral("不合格 Not qualified"));
  EXPECT_EQ(GradeLabel("五星"), QStringLiteral("五星"));  // a round's own band, as it is
  // No grade and not withheld: the overall mark has not been given yet.
  EXPECT_EQ(FinalGradeText(Subject(1, "x", 7)), QStringLiteral("未评定 Not graded yet"));
  EXPECT_EQ(FormatScore(100), QStringLiteral("100.00"));

  const QDateTime now(QDate(2026, 12, 3), QTime(10, 0));
  v1::EvaluationRound round;
  *round.mutable_open_time() = ToTimestamp(now.addDays(-1));
  *round.mutable_close_time() = ToTimestamp(now.addDays(13));
  EXPECT_EQ(RoundStateLabel(round, now), QStringLiteral("进行中 Open"));
  EXPECT_EQ(RoundStateLabel(round, now.addDays(-2)), QStringLiteral("未开始 Not open yet"));
  EXPECT_EQ(RoundStateLabel(round, now.addDays(13)), QStringLiteral("已结束 Closed"));
  *round.mutable_closed_time() = ToTimestamp(now.addSecs(-60));  // closed early by a manager
  EXPECT_EQ(RoundStateLabel(round, now), QStringLiteral("已结束 Closed"));

  EXPECT_EQ(EvaluationTemplateLabel(v1::EVALUATION_TEMPLATE_FIVE_COMPARISONS_QUARTERLY),
            QStringLiteral("五比五看 Five comparisons"));
  EXPECT_EQ(EvaluationTemplateLabel(v1::EVALUATION_TEMPLATE_UNSPECIFIED),
            QStringLiteral("自定义 Custom"));
}

TEST(EvaluationModels, RoundsAndHonoursTables) {
  RoundsModel rounds;
  rounds.SetRows(std::vector<v1::EvaluationRound>{});
  EXPECT_EQ(rounds.rowCount(), 0);
  EXPECT_EQ(rounds.columnCount(), 7);
  v1::EvaluationRound round;
  round.set_id(4);
  round.set_title("2026年度民主评议党员");
  round.set_period_label("2026");
  round.set_template_kind(v1::EVALUATION_TEMPLATE_MEMBER_DEMOCRATIC_YEARLY);
  round.set_anonymous(true);
  round.add_subject_ids(11);
  round.add_subject_ids(12);
  rounds.SetRows(std::vector<v1::EvaluationRound>{round});
  ASSERT_EQ(rounds.rowCount(), 1);
  EXPECT_EQ(rounds.data(rounds.index(0, 2)).toString(),
            QStringLiteral("民主评议党员 Democratic evaluation"));
  EXPECT_EQ(rounds.data(rounds.index(0, 3)).toString(), QStringLiteral("2"));
  EXPECT_EQ(rounds.data(rounds.index(0, 4)).toString(), QStringLiteral("匿名 Anonymous"));

  NameLookup people;
  people.Set(11, QStringLiteral("张三"));
  NameLookup orgs;
  orgs.Set(3, QStringLiteral("第一党支部"));
  NameLookup round_titles;
  round_titles.Set(4, QStringLiteral("2026年度民主评议党员"));
  v1::Commendation c;
  c.set_title("优秀党员");
  c.set_period_label("2026");
  c.add_person_ids(11);
  c.add_person_ids(99);  // outside the loaded subtree
  c.add_honoured_organization_ids(3);
  c.set_reason("带头践诺");
  c.set_round_id(4);
  EXPECT_EQ(HonouredText(c, people, orgs), QStringLiteral("张三、#99、第一党支部"));
  HonoursModel honours(&people, &orgs, &round_titles);
  honours.SetRows(std::vector<v1::Commendation>{});
  EXPECT_EQ(honours.rowCount(), 0);
  v1::Commendation without_round = c;
  without_round.set_round_id(0);
  honours.SetRows(std::vector<v1::Commendation>{c, without_round});
  ASSERT_EQ(honours.rowCount(), 2);
  EXPECT_EQ(honours.data(honours.index(0, 0)).toString(), QStringLiteral("优秀党员"));
  EXPECT_EQ(honours.data(honours.index(0, 2)).toString(), QStringLiteral("张三、#99、第一党支部"));
  EXPECT_EQ(honours.data(honours.index(0, 5)).toString(), QStringLiteral("2026年度民主评议党员"));
  EXPECT_EQ(honours.data(honours.index(1, 5)).toString(), QString());
}

TEST(EvaluationView, ResultsChartExportAndEmptyLists) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));  // nothing listens: the answers come from here
  NameLookup people;
  NameLookup orgs;
  EvaluationView view(&api, &people, &orgs);

  v1::RoundResults results;
  results.mutable_round()->set_title("2026Q4 五比五看");
  results.mutable_round()->set_min_raters(5);
  results.set_eligible_raters(8);
  results.set_participating_raters(6);
  for (const auto& s : ThreeSubjects()) *results.add_subjects() = s;
  view.ShowResults(results);
  EXPECT_EQ(view.results_model()->rowCount(), 3);
  EXPECT_TRUE(view.participation_text().contains(QStringLiteral("6 / 8")));
  EXPECT_TRUE(view.participation_text().contains(QStringLiteral("75.0%")));
  EXPECT_TRUE(view.participation_text().contains(QStringLiteral("2 人评价人数不足")))
      << view.participation_text().toStdString();
  ASSERT_NE(view.chart()->chart(), nullptr);
  ASSERT_EQ(view.chart()->chart()->series().size(), 1);
  auto* bars = qobject_cast<QBarSeries*>(view.chart()->chart()->series().front());
  ASSERT_NE(bars, nullptr);
  ASSERT_EQ(bars->barSets().size(), 1);
  EXPECT_EQ(bars->barSets().front()->count(), 2);
  EXPECT_DOUBLE_EQ(bars->barSets().front()->at(1), 76.0);

  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  const QString path = dir.filePath(QStringLiteral("results.csv"));
  QString error;
  ASSERT_TRUE(view.ExportCsv(path, &error)) << error.toStdString();
  const QString csv = CsvFileText(path);
  EXPECT_TRUE(csv.startsWith(QStringLiteral("评价对象 Subject,评价人数 Raters,")))
      << csv.toStdString();
  EXPECT_TRUE(csv.contains(QStringLiteral("李四,2,评价人数不足 too few ratings,95.00,—,—,")))
      << csv.toStdString();
  EXPECT_FALSE(view.ExportCsv(dir.filePath(QStringLiteral("missing/x.csv")), &error));
  EXPECT_FALSE(error.isEmpty());

  // The board names a round by its title once the rounds are known.
  v1::ListHonoursResponse board;
  auto* c = board.add_commendations();
  c->set_title("优秀党员");
  c->set_round_id(7);
  view.ShowHonours(board);
  EXPECT_EQ(view.honours_model()->data(view.honours_model()->index(0, 5)).toString(),
            QStringLiteral("#7"));
  v1::ListRoundsResponse rounds;
  rounds.add_rounds()->set_id(8);
  rounds.mutable_rounds(0)->set_title("2026H2 职工评议支部");
  rounds.add_rounds()->set_id(7);
  rounds.mutable_rounds(1)->set_title("2026Q4 五比五看");
  view.ShowRounds(rounds);
  EXPECT_EQ(view.rounds_model()->rowCount(), 2);
  EXPECT_EQ(view.round_id(), 8u);  // the newest is shown first
  EXPECT_EQ(view.honours_model()->data(view.honours_model()->index(0, 5)).toString(),
            QStringLiteral("2026Q4 五比五看"));

  // An organisation without rounds or commendations: empty tables, an empty chart, and words.
  view.ShowRounds(v1::ListRoundsResponse());
  view.ShowHonours(v1::ListHonoursResponse());
  EXPECT_EQ(view.rounds_model()->rowCount(), 0);
  EXPECT_EQ(view.results_model()->rowCount(), 0);
  EXPECT_EQ(view.honours_model()->rowCount(), 0);
  EXPECT_EQ(view.round_id(), 0u);
  EXPECT_EQ(view.participation_text(), QStringLiteral("尚无评议 No rounds yet"));
  bars = qobject_cast<QBarSeries*>(view.chart()->chart()->series().front());
  ASSERT_NE(bars, nullptr);
  EXPECT_EQ(bars->barSets().front()->count(), 0);
}

TEST(RecordsModels, EntryLabelsDetailsPeopleAndItems) {
  EXPECT_EQ(LedgerEntryTypeLabel(v1::LEDGER_ENTRY_TYPE_TALK), QStringLiteral("谈心谈话 Talk"));
  EXPECT_EQ(LedgerEntryTypeLabel(v1::LEDGER_ENTRY_TYPE_HARDSHIP),
            QStringLiteral("困难职工档案 Hardship file"));
  EXPECT_EQ(LedgerEntryTypeLabel(v1::LEDGER_ENTRY_TYPE_UNSPECIFIED), QStringLiteral("—"));
  EXPECT_EQ(FormatHours(3.5), QStringLiteral("3.5"));
  EXPECT_EQ(FormatHours(12), QStringLiteral("12.0"));

  NameLookup people;
  people.Set(1, QStringLiteral("张三"));
  people.Set(2, QStringLiteral("李四"));
  v1::LedgerEntry talk;
  talk.set_type(v1::LEDGER_ENTRY_TYPE_TALK);
  talk.set_talk_level(v1::TALK_LEVEL_SECRETARY_MEMBER);
  talk.add_person_ids(1);
  talk.add_person_ids(99);
  talk.add_people_names("王师傅");
  EXPECT_EQ(EntryDetailText(talk, people), QStringLiteral("书记与党员 Secretary–member"));
  EXPECT_EQ(EntryPeopleText(talk, people), QStringLiteral("张三、#99、王师傅"));
  v1::LedgerEntry volunteer;
  volunteer.set_type(v1::LEDGER_ENTRY_TYPE_VOLUNTEER);
  volunteer.set_volunteer_hours(2.5);
  EXPECT_EQ(EntryDetailText(volunteer, people), QStringLiteral("2.5 小时 h"));
  EXPECT_EQ(EntryPeopleText(volunteer, people), QString());  // nobody named: empty, not "、"
  v1::LedgerEntry hardship;
  hardship.set_type(v1::LEDGER_ENTRY_TYPE_HARDSHIP);
  hardship.mutable_hardship()->set_worker_id(2);
  EXPECT_EQ(EntryDetailText(hardship, people), QStringLiteral("李四"));
  hardship.mutable_hardship()->set_worker_id(0);
  hardship.mutable_hardship()->set_worker_name("赵师傅");
  EXPECT_EQ(EntryDetailText(hardship, people), QStringLiteral("赵师傅"));
  v1::LedgerEntry visit;
  visit.set_type(v1::LEDGER_ENTRY_TYPE_VISIT);
  EXPECT_EQ(EntryDetailText(visit, people), QString());

  v1::LedgerItems items;
  auto* major = items.add_majors();
  major->set_code("3");
  major->set_title("谈心谈话");
  auto* minor = major->add_minors();
  minor->set_code("3.2");
  minor->set_title("书记谈话");
  auto* alone = items.add_majors();
  alone->set_code("9");
  alone->set_title("志愿服务");
  const auto titles = LedgerItemTitles(items);
  EXPECT_EQ(ItemText("3.2", titles), QStringLiteral("3.2 谈心谈话 / 书记谈话"));
  EXPECT_EQ(ItemText("9", titles), QStringLiteral("9 志愿服务"));
  EXPECT_EQ(ItemText("7.1", titles), QStringLiteral("7.1"));  // taken off the list since
  EXPECT_EQ(ItemText("", titles), QStringLiteral("—"));
  EXPECT_TRUE(LedgerItemTitles(v1::LedgerItems()).isEmpty());
}

TEST(RecordsModels, ReportPeriodAndTotals) {
  EXPECT_EQ(ReportPeriodProblem(QDate(2026, 1, 1), QDate(2026, 12, 31)), QString());
  // 2024 is a leap year: 2024-01-01 .. 2025-01-01 is exactly 366 days, the server's limit.
  EXPECT_EQ(ReportPeriodProblem(QDate(2024, 1, 1), QDate(2025, 1, 1)), QString());
  EXPECT_EQ(ReportPeriodProblem(QDate(2026, 3, 1), QDate(2026, 3, 1)), QString());
  EXPECT_TRUE(
      ReportPeriodProblem(QDate(2024, 1, 1), QDate(2025, 1, 2)).contains(QStringLiteral("366")));
  EXPECT_TRUE(
      ReportPeriodProblem(QDate(2026, 3, 2), QDate(2026, 3, 1)).contains(QStringLiteral("before")));
  EXPECT_FALSE(ReportPeriodProblem(QDate(), QDate(2026, 3, 1)).isEmpty());

  v1::LedgerReport report;
  *report.mutable_from_date() = ToLocalDate(QDate(2026, 1, 1));
  *report.mutable_to_date() = ToLocalDate(QDate(2026, 12, 31));
  report.set_entries(12);
  report.set_volunteer_hours(35.5);
  EXPECT_EQ(
      LedgerTotalsText(report),
      QStringLiteral("2026-01-01 至 2026-12-31 · 条目 Entries 12 · 志愿服务 Volunteer hours 35.5"));
  report.set_hardship_hidden(true);
  EXPECT_TRUE(LedgerTotalsText(report).contains(QStringLiteral("困难职工档案未计入")));
}

TEST(RecordsModels, LedgerTablesShowNamesItemsAndVoidedEntries) {
  NameLookup people;
  people.Set(1, QStringLiteral("张三"));
  NameLookup orgs;
  orgs.Set(7, QStringLiteral("第一党支部"));
  QHash<QString, QString> titles;
  LedgerEntriesModel entries(&people, &orgs, &titles);
  EXPECT_EQ(entries.rowCount(), 0);
  EXPECT_EQ(entries.columnCount(), 8);
  v1::LedgerEntry e;
  e.set_organization_id(7);
  e.set_type(v1::LEDGER_ENTRY_TYPE_VISIT);
  *e.mutable_date() = ToLocalDate(QDate(2026, 11, 20));
  e.set_place("职工家中");
  e.add_person_ids(1);
  e.set_text("慰问退休职工");
  e.set_item_code("4.1");
  v1::LedgerEntry voided = e;
  voided.set_voided(true);
  voided.set_void_reason("重复登记");
  entries.SetRows(std::vector<v1::LedgerEntry>{e, voided});
  ASSERT_EQ(entries.rowCount(), 2);
  EXPECT_EQ(entries.data(entries.index(0, 0)).toString(), QStringLiteral("2026-11-20"));
  EXPECT_EQ(entries.data(entries.index(0, 1)).toString(), QStringLiteral("走访慰问 Visit"));
  EXPECT_EQ(entries.data(entries.index(0, 3)).toString(), QStringLiteral("4.1"));
  titles.insert(QStringLiteral("4.1"), QStringLiteral("走访慰问 / 退休职工"));
  EXPECT_EQ(entries.data(entries.index(0, 3)).toString(),
            QStringLiteral("4.1 走访慰问 / 退休职工"));
  EXPECT_EQ(entries.data(entries.index(0, 4)).toString(), QStringLiteral("第一党支部"));
  EXPECT_EQ(entries.data(entries.index(0, 6)).toString(), QStringLiteral("张三"));
  EXPECT_EQ(entries.data(entries.index(0, 7)).toString(), QStringLiteral("慰问退休职工"));
  EXPECT_FALSE(entries.data(entries.index(0, 7), Qt::BackgroundRole).isValid());
  EXPECT_EQ(entries.data(entries.index(1, 7)).toString(),
            QStringLiteral("[已作废 Voided: 重复登记] 慰问退休职工"));
  EXPECT_TRUE(entries.data(entries.index(1, 0), Qt::BackgroundRole).isValid());

  LedgerItemCountsModel items;
  v1::LedgerReport report;
  auto* counted = report.add_items();
  counted->set_code("3.2");
  counted->set_title("谈心谈话 / 书记谈话");
  counted->set_entries(4);
  auto* zero = report.add_items();
  zero->set_code("9");
  zero->set_title("志愿服务");
  auto* none = report.add_items();
  none->set_entries(1);
  none->set_volunteer_hours(1.5);
  items.SetRows(report.items());
  ASSERT_EQ(items.rowCount(), 3);
  EXPECT_EQ(items.data(items.index(0, 1)).toString(), QStringLiteral("谈心谈话 / 书记谈话"));
  EXPECT_EQ(items.data(items.index(0, 2)).toString(), QStringLiteral("4"));
  EXPECT_EQ(items.data(items.index(1, 2)).toString(), QStringLiteral("0"));  // zero counts kept
  EXPECT_EQ(items.data(items.index(2, 0)).toString(), QStringLiteral("—"));
  EXPECT_EQ(items.data(items.index(2, 1)).toString(), QStringLiteral("未归项 No item"));
  EXPECT_EQ(items.data(items.index(2, 3)).toString(), QStringLiteral("1.5"));
  LedgerTypeCountsModel types;
  auto* type = report.add_types();
  type->set_type(v1::LEDGER_ENTRY_TYPE_VOLUNTEER);
  type->set_entries(3);
  types.SetRows(report.types());
  ASSERT_EQ(types.rowCount(), 1);
  EXPECT_EQ(types.data(types.index(0, 0)).toString(), QStringLiteral("志愿服务 Volunteer service"));
  EXPECT_EQ(types.data(types.index(0, 1)).toString(), QStringLiteral("3"));
  types.SetRows(v1::LedgerReport().types());
  EXPECT_EQ(types.rowCount(), 0);
}

// A record with one open overdue problem, one open in the future and one fixed.
v1::MeetingRecord RecordWithProblems() {
  v1::MeetingRecord r;
  r.set_meeting_id(42);
  r.set_minutes("# 组织生活会\n\n学习了**党章**。");
  r.add_resolutions("按月开展谈心谈话");
  r.add_resolutions("年底前完成整改");
  r.set_revision(1);
  r.set_version(3);
  r.set_recorded_by(1);
  auto* overdue = r.add_problems();
  overdue->set_id(1);
  overdue->set_description("学习笔记不全");
  overdue->set_owner_id(2);
  *overdue->mutable_due_date() = ToLocalDate(QDate(2020, 1, 31));
  overdue->set_status(v1::PROBLEM_STATUS_OPEN);
  auto* later = r.add_problems();
  later->set_id(2);
  later->set_description("台账不规范");
  later->set_owner_id(99);
  *later->mutable_due_date() = ToLocalDate(QDate(2099, 12, 31));
  later->set_status(v1::PROBLEM_STATUS_OPEN);
  auto* fixed = r.add_problems();
  fixed->set_id(3);
  fixed->set_description("党费迟交");
  fixed->set_owner_id(2);
  *fixed->mutable_due_date() = ToLocalDate(QDate(2020, 1, 31));
  fixed->set_status(v1::PROBLEM_STATUS_FIXED);
  fixed->mutable_fix()->set_fixed_by(1);
  fixed->mutable_fix()->set_text("已补交");
  return r;
}

TEST(RecordsModels, ProblemsStatusFixAndRecordState) {
  NameLookup people;
  people.Set(1, QStringLiteral("张三"));
  people.Set(2, QStringLiteral("李四"));
  const v1::MeetingRecord record = RecordWithProblems();
  const QDate today(2026, 12, 3);
  EXPECT_EQ(ProblemStatusText(record.problems(0), today),
            QStringLiteral("未整改 Open · 已逾期 overdue"));
  EXPECT_EQ(ProblemStatusText(record.problems(1), today), QStringLiteral("未整改 Open"));
  // Fixed after its due date: fixed is all that counts.
  EXPECT_EQ(ProblemStatusText(record.problems(2), today), QStringLiteral("已整改 Fixed"));
  EXPECT_EQ(ProblemStatusText(v1::Problem(), today), QStringLiteral("未整改 Open"));
  EXPECT_EQ(ProblemFixText(record.problems(0), people), QString());
  EXPECT_TRUE(
      ProblemFixText(record.problems(2), people).startsWith(QStringLiteral("已补交 (张三")));

  const QString draft = RecordStateText(record, people);
  EXPECT_TRUE(draft.contains(QStringLiteral("草稿 Draft"))) << draft.toStdString();
  EXPECT_TRUE(draft.contains(QStringLiteral("Revision 1"))) << draft.toStdString();
  EXPECT_FALSE(draft.contains(QStringLiteral("Reason")));
  v1::MeetingRecord locked = record;
  locked.set_locked(true);
  locked.set_locked_by(2);
  locked.set_revision(2);
  locked.set_reason("补充发言");
  const QString signed_off = RecordStateText(locked, people);
  EXPECT_TRUE(signed_off.contains(QStringLiteral("Locked by 李四"))) << signed_off.toStdString();
  EXPECT_TRUE(signed_off.contains(QStringLiteral("第 2 版 Revision 2")));
  EXPECT_TRUE(signed_off.contains(QStringLiteral("Reason: 补充发言")));

  EXPECT_EQ(ResolutionsText(record), QStringLiteral("1. 按月开展谈心谈话\n2. 年底前完成整改"));
  EXPECT_EQ(ResolutionsText(v1::MeetingRecord()), QStringLiteral("无 None"));

  ProblemsModel problems(&people);
  problems.SetRows(record.problems());
  ASSERT_EQ(problems.rowCount(), 3);
  EXPECT_EQ(problems.data(problems.index(0, 2)).toString(), QStringLiteral("李四"));
  EXPECT_EQ(problems.data(problems.index(1, 2)).toString(), QStringLiteral("#99"));
  EXPECT_EQ(problems.data(problems.index(0, 3)).toString(), QStringLiteral("2020-01-31"));
  EXPECT_TRUE(problems.data(problems.index(0, 4), Qt::BackgroundRole).isValid());
  EXPECT_FALSE(problems.data(problems.index(1, 4), Qt::BackgroundRole).isValid());
  EXPECT_FALSE(problems.data(problems.index(2, 4), Qt::BackgroundRole).isValid());
  problems.SetRows(v1::MeetingRecord().problems());
  EXPECT_EQ(problems.rowCount(), 0);
}

TEST(RecordsView, LedgerReportExportAndEmptyLists) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));  // nothing listens: the answers come from here
  NameLookup people;
  people.Set(1, QStringLiteral("张三"));
  NameLookup orgs;
  RecordsView view(&api, &people, &orgs);

  v1::LedgerEntry e;
  e.set_type(v1::LEDGER_ENTRY_TYPE_VOLUNTEER);
  e.set_volunteer_hours(2);
  *e.mutable_date() = ToLocalDate(QDate(2026, 6, 1));
  e.add_person_ids(1);
  e.set_text("社区义诊, 测血压");
  e.set_item_code("9");
  view.ShowEntries({e});
  EXPECT_EQ(view.entries_model()->data(view.entries_model()->index(0, 3)).toString(),
            QStringLiteral("9"));
  // Titles that arrive after the entries still reach the table.
  v1::LedgerItems items;
  items.add_majors()->set_code("9");
  items.mutable_majors(0)->set_title("志愿服务");
  view.ShowItems(items);
  EXPECT_EQ(view.entries_model()->data(view.entries_model()->index(0, 3)).toString(),
            QStringLiteral("9 志愿服务"));

  v1::LedgerReport report;
  *report.mutable_from_date() = ToLocalDate(QDate(2026, 1, 1));
  *report.mutable_to_date() = ToLocalDate(QDate(2026, 12, 31));
  report.set_entries(1);
  report.set_volunteer_hours(2);
  auto* item = report.add_items();
  item->set_code("9");
  item->set_title("志愿服务");
  item->set_entries(1);
  item->set_volunteer_hours(2);
  auto* type = report.add_types();
  type->set_type(v1::LEDGER_ENTRY_TYPE_VOLUNTEER);
  type->set_entries(1);
  view.ShowReport(report);
  EXPECT_EQ(view.items_model()->rowCount(), 1);
  EXPECT_EQ(view.types_model()->rowCount(), 1);
  EXPECT_TRUE(view.totals_text().contains(QStringLiteral("Volunteer hours 2.0")));

  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  const QString path = dir.filePath(QStringLiteral("ledger.csv"));
  QString error;
  ASSERT_TRUE(view.ExportCsv(path, &error)) << error.toStdString();
  const QString csv = CsvFileText(path);
  EXPECT_TRUE(csv.startsWith(QStringLiteral("日期 Date,类型 Type,详情 Detail,")))
      << csv.toStdString();
  // The text with a comma is quoted; the three tables follow one another.
  EXPECT_TRUE(csv.contains(QStringLiteral(
      "2026-06-01,志愿服务 Volunteer service,2.0 小时 h,9 志愿服务,,,张三,\"社区义诊, 测血压\"")))
      << csv.toStdString();
  EXPECT_TRUE(csv.contains(QStringLiteral("\r\n\r\n编号 Code,项目 Item,")));
  EXPECT_TRUE(
      csv.contains(QStringLiteral("\r\n\r\n类型 Type,条目 Entries\r\n志愿服务 Volunteer "
                                  "service,1\r\n")));
  EXPECT_FALSE(view.ExportCsv(dir.filePath(QStringLiteral("missing/x.csv")), &error));
  EXPECT_FALSE(error.isEmpty());

  // A period without entries: empty tables, and the totals still say the period and 0.
  view.ShowEntries({});
  v1::LedgerReport empty;
  *empty.mutable_from_date() = report.from_date();
  *empty.mutable_to_date() = report.to_date();
  view.ShowReport(empty);
  EXPECT_EQ(view.entries_model()->rowCount(), 0);
  EXPECT_EQ(view.items_model()->rowCount(), 0);
  EXPECT_EQ(view.types_model()->rowCount(), 0);
  EXPECT_TRUE(view.totals_text().contains(QStringLiteral("Entries 0")));
  ASSERT_TRUE(view.ExportCsv(path, &error));
  QFile again(path);
  ASSERT_TRUE(again.open(QIODevice::ReadOnly));
  EXPECT_EQ(QString::fromUtf8(again.readAll().mid(3)).count(QStringLiteral("\r\n")), 5)
      << "three header rows and two blank lines";

  // A period the server would refuse is said before any call, with nothing stale beside it.
  view.ShowReport(report);
  view.SetFilter(QDate(2026, 3, 2), QDate(2026, 3, 1), v1::LEDGER_ENTRY_TYPE_TALK);
  view.SetOrganization(7);
  EXPECT_TRUE(view.totals_text().contains(QStringLiteral("before")))
      << view.totals_text().toStdString();
  EXPECT_EQ(view.items_model()->rowCount(), 0);
  EXPECT_EQ(api.pending(), 0);
}

// A branch handbook as the server would answer it: two held meetings (one with minutes), two
// members, the ledger and one evaluation round; the mailbox withheld from this reader.
v1::BranchHandbook HandbookWithheldMailbox() {
  v1::BranchHandbook h;
  h.set_organization_id(7);
  h.set_organization_name("收费站党支部");
  *h.mutable_from_date() = ToLocalDate(QDate(2026, 1, 1));
  *h.mutable_to_date() = ToLocalDate(QDate(2026, 6, 30));
  auto* secretary = h.add_members();
  secretary->set_person_id(1);
  secretary->set_display_name("张三");
  secretary->set_role(v1::ROLE_SECRETARY);
  secretary->set_employee_number("G1024");
  auto* member = h.add_members();
  member->set_person_id(2);
  member->set_display_name("李四");
  member->set_role(v1::ROLE_FULL_MEMBER);

  auto* january = h.add_meetings();
  january->mutable_meeting()->set_title("一月支部党员大会");
  january->mutable_meeting()->set_type(v1::MEETING_TYPE_GENERAL_MEETING);
  *january->mutable_meeting()->mutable_start_time() =
      ToTimestamp(QDateTime(QDate(2026, 1, 20), QTime(9, 30)));
  january->mutable_attendance()->set_expected(4);
  january->mutable_attendance()->set_present(2);
  january->mutable_attendance()->set_late(1);
  january->mutable_attendance()->set_excused(1);
  *january->mutable_minutes() = RecordWithProblems();
  january->set_attachments(3);
  auto* february = h.add_meetings();
  february->mutable_meeting()->set_title("二月主题党日");
  february->mutable_meeting()->set_type(v1::MEETING_TYPE_THEME_PARTY_DAY);
  *february->mutable_meeting()->mutable_start_time() =
      ToTimestamp(QDateTime(QDate(2026, 2, 14), QTime(14, 0)));
  february->mutable_attendance()->set_expected(4);
  february->mutable_attendance()->set_present(4);

  h.mutable_attendance()->set_meetings(2);
  h.mutable_attendance()->mutable_total()->set_attendance_rate(7.0 / 8);
  auto* item = h.mutable_ledger()->add_items();
  item->set_code("9");
  item->set_title("志愿服务");
  item->set_entries(2);
  item->set_volunteer_hours(5);
  h.mutable_ledger()->set_entries(2);
  h.mutable_ledger()->set_volunteer_hours(5);
  auto* round = h.add_evaluations();
  round->mutable_round()->set_title("民主评议党员");
  round->mutable_round()->set_period_label("2026上半年");
  round->set_eligible_raters(20);
  round->set_participating_raters(17);
  round->set_participation_percent(85);
  h.add_withheld_sections("mailbox");
  return h;
}

TEST(HandbookModels, SectionsWithheldTextAndFormats) {
  v1::BranchHandbook h = HandbookWithheldMailbox();
  const std::vector<HandbookSection> sections = BranchHandbookSections(h);
  ASSERT_EQ(sections.size(), 9u);
  EXPECT_EQ(sections[0].summary, QStringLiteral("收费站党支部"));
  EXPECT_EQ(sections[2].key, "meetings");
  ASSERT_EQ(sections[2].lines.size(), 2u);
  EXPECT_EQ(sections[2].lines[0].label,
            FormatTime(h.meetings(0).meeting().start_time()) + QStringLiteral(" 一月支部党员大会"));
  // A withheld section keeps its place, says so, and shows no zeros.
  EXPECT_EQ(sections[7].key, "mailbox");
  EXPECT_TRUE(sections[7].withheld);
  EXPECT_TRUE(sections[7].summary.startsWith(QStringLiteral("未显示（无权限）")));
  EXPECT_TRUE(sections[7].lines.empty());
  EXPECT_EQ(WithheldSectionsText(h),
            QStringLiteral("未显示（无权限） Not shown, no permission: 职工信箱 Mailbox"));
  // A section this client does not know yet is still named.
  h.add_withheld_sections("honours");
  EXPECT_TRUE(WithheldSectionsText(h).endsWith(QStringLiteral("职工信箱 Mailbox、honours")));
  h.clear_withheld_sections();
  EXPECT_EQ(WithheldSectionsText(h), QString());
  EXPECT_FALSE(BranchHandbookSections(h)[7].withheld);

  EXPECT_EQ(HandbookFormatOfPath(QStringLiteral("/tmp/手册.PDF")), v1::HANDBOOK_FORMAT_PDF);
  EXPECT_EQ(HandbookFormatOfPath(QStringLiteral("a.csv")), v1::HANDBOOK_FORMAT_CSV);
  EXPECT_EQ(HandbookFormatOfPath(QStringLiteral("a.json")), v1::HANDBOOK_FORMAT_JSON);
  EXPECT_EQ(HandbookFormatOfPath(QStringLiteral("a.txt")), v1::HANDBOOK_FORMAT_UNSPECIFIED);
  EXPECT_EQ(HandbookFormatOfPath(QStringLiteral("pdf")), v1::HANDBOOK_FORMAT_UNSPECIFIED);
  EXPECT_EQ(HandbookSuffix(v1::HANDBOOK_FORMAT_JSON), QStringLiteral("json"));
}

TEST(HandbookView, PreviewShowsSectionsWithheldLineAndSaves) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));  // nothing listens: the answers come from here
  NameLookup orgs;
  orgs.Set(7, QStringLiteral("收费站党支部"));
  HandbookView view(&api, &orgs);
  view.SetOrganization(7);
  EXPECT_EQ(api.pending(), 0) << "nothing is fetched before Preview is pressed";
  EXPECT_EQ(view.summary_text(), QString());

  view.ShowHandbook(HandbookWithheldMailbox());
  EXPECT_EQ(view.preview_tree()->topLevelItemCount(), 9);
  const QString summary = view.summary_text();
  for (const QString& expected : {
           QStringLiteral("党组织 Organisation: 收费站党支部"),
           QStringLiteral("统计期间 Period: 2026-01-01 至 2026-06-30"),
           QStringLiteral("党员名册 Members: 2 人 people"),
           QStringLiteral("  张三: 支部书记 Secretary · 工号 No. G1024"),
           QStringLiteral("  李四: 正式党员 Full member"),
           QStringLiteral("会议 Meetings: 召开 2 次 held · 有纪要 1 次 with minutes"),
           QStringLiteral("一月支部党员大会: 党员大会 General meeting · 到会 3 / 4 应到 present · "
                          "纪要 Minutes 有 yes · 问题 3 problems · 附件 3 attachments"),
           QStringLiteral("二月主题党日: 主题党日 Theme day · 到会 4 / 4 应到 present · 纪要 "
                          "Minutes 无 no · 问题 0 problems · 附件 0 attachments"),
           QStringLiteral("出勤 Attendance: 会议 2 meetings · 出勤率 attendance 87.5%"),
           QStringLiteral("  9 志愿服务: 2 条 entries · 5.0 小时 h"),
           QStringLiteral("  民主评议党员（2026上半年）: 参评率 Participation 85% (17 / 20)"),
           QStringLiteral("职工信箱 Mailbox: 未显示（无权限） Not shown, no permission"),
       }) {
    EXPECT_TRUE(summary.contains(expected)) << expected.toStdString() << "\n"
                                            << summary.toStdString();
  }
  EXPECT_FALSE(summary.contains(QStringLiteral("来信 Letters"))) << "no zeros for a hidden section";
  EXPECT_TRUE(view.withheld_text().contains(QStringLiteral("未显示（无权限）")));
  EXPECT_TRUE(view.withheld_text().contains(QStringLiteral("职工信箱 Mailbox")));
  EXPECT_TRUE(view.status_text().contains(QStringLiteral("收费站党支部")));

  // Everything readable: the mailbox's figures, and no withheld line.
  v1::BranchHandbook all = HandbookWithheldMailbox();
  all.clear_withheld_sections();
  all.mutable_mailbox()->set_letter_count(5);
  all.mutable_mailbox()->set_resolved_count(3);
  all.mutable_mailbox()->set_overdue_count(1);
  view.ShowHandbook(all);
  EXPECT_TRUE(view.summary_text().contains(
      QStringLiteral("职工信箱 Mailbox: 来信 Letters 5 · 已办结 Resolved 3 · 逾期 Overdue 1")))
      << view.summary_text().toStdString();
  EXPECT_EQ(view.withheld_text(), QString());

  // A refusal: the server's words and nothing of the handbook before it.
  view.ShowHandbook(HandbookWithheldMailbox());
  view.ShowError(QStringLiteral("权限不足 Permission refused"));
  EXPECT_EQ(view.preview_tree()->topLevelItemCount(), 0);
  EXPECT_EQ(view.withheld_text(), QString());
  EXPECT_EQ(view.status_text(), QStringLiteral("权限不足 Permission refused"));

  // The file as the server sent it, byte for byte; a path that cannot be written says why.
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  const QString pdf = dir.filePath(QStringLiteral("手册.pdf"));
  const QByteArray bytes("%PDF-1.5\n\x00\xff binary", 18);
  QString error;
  ASSERT_TRUE(HandbookView::SaveFile(pdf, bytes, &error)) << error.toStdString();
  QFile written(pdf);
  ASSERT_TRUE(written.open(QIODevice::ReadOnly));
  EXPECT_EQ(written.readAll(), bytes);
  EXPECT_FALSE(
      HandbookView::SaveFile(dir.filePath(QStringLiteral("missing/x.pdf")), bytes, &error));
  EXPECT_TRUE(error.contains(QStringLiteral("missing/x.pdf"))) << error.toStdString();

  // Refused before any call: a name without a known suffix, a period the server would refuse.
  QStringList failures;
  QObject::connect(&view, &HandbookView::SaveFailed,
                   [&](const QString& message) { failures << message; });
  view.Save(dir.filePath(QStringLiteral("handbook.txt")));
  ASSERT_EQ(failures.size(), 1);
  EXPECT_TRUE(failures[0].contains(QStringLiteral(".pdf"))) << failures[0].toStdString();
  view.SetPeriod(QDate(2026, 3, 2), QDate(2026, 3, 1));
  view.Save(pdf);
  ASSERT_EQ(failures.size(), 2);
  EXPECT_TRUE(failures[1].contains(QStringLiteral("before"))) << failures[1].toStdString();
  EXPECT_TRUE(view.status_text().startsWith(QStringLiteral("保存失败 Save failed")));
  view.ShowHandbook(HandbookWithheldMailbox());
  view.Preview();
  EXPECT_EQ(view.preview_tree()->topLevelItemCount(), 0) << "no handbook beside the problem";
  EXPECT_TRUE(view.status_text().contains(QStringLiteral("before")));
  EXPECT_EQ(api.pending(), 0);

  // Another organisation: the preview is cleared, not left under the new name.
  view.ShowHandbook(HandbookWithheldMailbox());
  view.SetOrganization(8);
  EXPECT_EQ(view.preview_tree()->topLevelItemCount(), 0);
  EXPECT_EQ(view.withheld_text(), QString());
}

TEST(MinutesDialog, LockedRecordIsReadOnlyDraftIsEditable) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));
  NameLookup people;
  people.Set(2, QStringLiteral("李四"));
  v1::Meeting meeting;
  meeting.set_id(42);
  meeting.set_title("十二月组织生活会");
  MinutesDialog dialog(&api, meeting, &people);
  EXPECT_FALSE(dialog.editable());  // nothing read yet

  v1::MeetingRecord record = RecordWithProblems();
  dialog.ShowRecord(record);
  EXPECT_TRUE(dialog.editable());
  EXPECT_TRUE(dialog.state_text().contains(QStringLiteral("草稿 Draft")));
  // Markdown is rendered: the heading and the bold text without their marks.
  EXPECT_TRUE(dialog.minutes_text().contains(QStringLiteral("组织生活会")));
  EXPECT_TRUE(dialog.minutes_text().contains(QStringLiteral("学习了党章。")))
      << dialog.minutes_text().toStdString();
  EXPECT_FALSE(dialog.minutes_text().contains(QStringLiteral("**")));
  EXPECT_EQ(dialog.resolutions_text(), QStringLiteral("1. 按月开展谈心谈话\n2. 年底前完成整改"));
  EXPECT_EQ(dialog.problems_model()->rowCount(), 3);

  // A save keeps what it does not edit and names the version it was based on.
  const v1::SaveMeetingRecordRequest save = dialog.SaveRequest(QStringLiteral("新的纪要"));
  EXPECT_FALSE(save.request_id().empty());
  EXPECT_EQ(save.expected_version(), 3u);
  EXPECT_EQ(save.record().meeting_id(), 42u);
  EXPECT_EQ(save.record().minutes(), "新的纪要");
  EXPECT_EQ(save.record().problems_size(), 3);
  EXPECT_EQ(save.record().resolutions_size(), 2);
  EXPECT_TRUE(save.reason().empty());

  record.set_locked(true);
  record.set_locked_by(2);
  dialog.ShowRecord(record);
  EXPECT_FALSE(dialog.editable());
  EXPECT_TRUE(dialog.state_text().contains(QStringLiteral("Locked by 李四")));
  EXPECT_EQ(dialog.problems_model()->rowCount(), 3);

  // No record (none yet, or refused): the server's words and nothing from before.
  dialog.ShowError(QStringLiteral("未找到 Not found: no record yet"));
  EXPECT_FALSE(dialog.editable());
  EXPECT_EQ(dialog.state_text(), QStringLiteral("未找到 Not found: no record yet"));
  EXPECT_EQ(dialog.problems_model()->rowCount(), 0);
  EXPECT_EQ(dialog.minutes_text(), QString());
  EXPECT_EQ(dialog.resolutions_text(), QStringLiteral("无 None"));
}

TEST(MeetingPhotos, ThumbnailsNamesAndSizes) {
  EXPECT_EQ(FileSizeText(830), QStringLiteral("830 B"));
  EXPECT_EQ(FileSizeText(250 * 1024), QStringLiteral("250 KB"));
  EXPECT_EQ(FileSizeText(3355443), QStringLiteral("3.2 MB"));
  std::vector<v1::File> files(2);
  files[0].set_id(5);
  files[0].set_file_name("IMG_0012.jpg");
  files[0].set_size_bytes(3355443);
  files[0].set_width(4000);
  files[0].set_height(3000);
  files[0].set_has_thumbnail(true);
  files[1].set_id(6);
  files[1].set_file_name("IMG_0013.heic");  // no thumbnail: HEIC
  files[1].set_size_bytes(2048);
  MeetingPhotosModel model;
  model.SetRows(files);
  ASSERT_EQ(model.rowCount(), 2);
  const QModelIndex first = model.index(0, 0);
  EXPECT_EQ(model.data(first, Qt::ToolTipRole).toString(),
            QStringLiteral("IMG_0012.jpg · 3.2 MB · 4000 × 3000"));
  EXPECT_EQ(model.data(model.index(1, 0), Qt::ToolTipRole).toString(),
            QStringLiteral("IMG_0013.heic · 2 KB"));
  // Before its thumbnail arrives (or when it is no image) a photo shows its name.
  EXPECT_EQ(model.data(first).toString(), QStringLiteral("IMG_0012.jpg"));
  EXPECT_FALSE(model.data(first, Qt::DecorationRole).isValid());
  EXPECT_FALSE(model.SetThumbnail(5, QByteArray("not a jpeg")));
  EXPECT_TRUE(model.thumbnail(0).isNull());

  QImage image(320, 240, QImage::Format_RGB32);
  image.fill(Qt::darkGreen);
  QByteArray jpeg;
  QBuffer buffer(&jpeg);
  buffer.open(QIODevice::WriteOnly);
  ASSERT_TRUE(image.save(&buffer, "JPG"));
  int changed = 0;
  QObject::connect(&model, &QAbstractItemModel::dataChanged, [&] { ++changed; });
  EXPECT_TRUE(model.SetThumbnail(5, jpeg));
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(model.thumbnail(0).size(), QSize(320, 240));
  EXPECT_TRUE(model.thumbnail(1).isNull());
  EXPECT_EQ(model.data(first, Qt::DecorationRole).typeId(), QMetaType::QIcon);
  EXPECT_EQ(model.data(first).toString(), QString());
  EXPECT_EQ(model.data(model.index(1, 0)).toString(), QStringLiteral("IMG_0013.heic"));
}

TEST(MinutesDialog, ListsTheMeetingsPhotos) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));
  NameLookup people;
  v1::Meeting meeting;
  meeting.set_id(42);
  MinutesDialog dialog(&api, meeting, &people);
  dialog.ShowPhotos(v1::ListAttachmentsResponse());
  EXPECT_EQ(dialog.photos_model()->rowCount(), 0);
  EXPECT_EQ(dialog.photos_status_text(), QStringLiteral("无照片 No photos"));
  v1::ListAttachmentsResponse attachments;
  attachments.add_files()->set_id(5);
  attachments.add_files()->set_id(6);
  dialog.ShowPhotos(attachments);
  EXPECT_EQ(dialog.photos_model()->rowCount(), 2);
  EXPECT_TRUE(dialog.photos_status_text().startsWith(QStringLiteral("2 个文件 files")));
  // A row that is not there asks for nothing.
  dialog.SavePhoto(2, QStringLiteral("/tmp/x.jpg"));
  EXPECT_EQ(api.pending(), 0);
}

}  // namespace
}  // namespace branchline::desk

int main(int argc, char** argv) {
  // Models use fonts and images; no display is needed for that.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
