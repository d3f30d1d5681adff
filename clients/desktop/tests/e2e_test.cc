// The desktop client end to end: the real server binary with prepared data, the real main
// window driven in-process (sign-in typed into the dialog, organisation chosen in the tree),
// screenshots of each view, and checks that the views show what was prepared.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <QApplication>
#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <functional>

#include "clients/desktop/api/api_client.h"
#include "clients/desktop/models/formatting.h"
#include "clients/desktop/tests/seed.h"
#include "clients/desktop/views/check_in_window.h"
#include "clients/desktop/views/feedback_view.h"
#include "clients/desktop/views/handbook_view.h"
#include "clients/desktop/views/leave_view.h"
#include "clients/desktop/views/main_window.h"
#include "clients/desktop/views/meetings_view.h"
#include "clients/desktop/views/minutes_dialog.h"
#include "clients/desktop/views/reports_view.h"
#include "clients/desktop/views/sign_in_dialog.h"
#include "clients/desktop/views/study_view.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace branchline::desk {
namespace {

using branchline::testing::ServerProcess;
using branchline::testing::TempDir;
using testing::SeededData;

constexpr int64_t kPastOffsetSeconds = 3 * 24 * 3600;  // FAKETIME="-3d"

std::string FindLibFaketime() {
  for (const char* path : {"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                           "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
                           "/usr/lib/faketime/libfaketime.so.1"}) {
    if (QFile::exists(QString::fromUtf8(path))) return path;
  }
  return {};
}

// Pumps the event loop until `done` or the timeout; false on timeout.
bool WaitFor(const std::function<bool()>& done, int timeout_ms = 15000) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > timeout_ms) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QTest::qWait(10);
  }
  return true;
}

bool WaitIdle(const ApiClient& api) {
  // Answers can start new calls (e.g. people → every view), so idle must hold for a moment.
  return WaitFor([&] {
    if (api.pending() != 0) return false;
    QTest::qWait(50);
    QCoreApplication::processEvents();
    return api.pending() == 0;
  });
}

void Screenshot(QWidget* widget, const QString& name) {
  QDir().mkpath(QStringLiteral(DESK_SCREENSHOT_DIR));
  const QString path = QStringLiteral(DESK_SCREENSHOT_DIR "/%1.png").arg(name);
  ASSERT_TRUE(widget->grab().save(path)) << path.toStdString();
  EXPECT_GT(QFile(path).size(), 10000) << path.toStdString();
}

class DesktopEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    // The prepared data is dated three days back, and the study year follows it: in the first
    // days of January (in UTC or in China) that is last year's plan, which the views, showing
    // this year, rightly do not show. Skip rather than assert something else on those days.
    const QDate utc = QDateTime::currentDateTimeUtc().date();
    const QDate china = QDateTime::currentDateTimeUtc().addSecs(8 * 3600).date();
    if (utc.dayOfYear() <= 4 || china.dayOfYear() <= 4) {
      GTEST_SKIP() << "prepared data three days back would fall in last year's study plan";
    }
    const std::string faketime = FindLibFaketime();
    ASSERT_FALSE(faketime.empty()) << "libfaketime is required (scripts/setup.sh installs it)";
    data_dir_ = dir_.Sub("data");
    // Past: the server's clock three days behind, so letters are overdue and a meeting is over.
    setenv("LD_PRELOAD", faketime.c_str(), 1);
    setenv("FAKETIME", "-3d", 1);
    setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
    {
      ServerProcess past(data_dir_, {"--admin-password", testing::kAdminPassword});
      unsetenv("LD_PRELOAD");
      unsetenv("FAKETIME");
      ASSERT_NE(past.port(), 0);
      ASSERT_NO_THROW(testing::SeedPast(past.address(), kPastOffsetSeconds, &seeded_))
          << past.ReadLog();
      ASSERT_EQ(past.Stop(SIGTERM), 0) << past.ReadLog();
    }
    server_ = std::make_unique<ServerProcess>(
        data_dir_, std::vector<std::string>{"--admin-password", testing::kAdminPassword});
    ASSERT_NE(server_->port(), 0);
    ASSERT_NO_THROW(testing::SeedPresent(server_->address(), &seeded_)) << server_->ReadLog();
  }

  TempDir dir_;
  std::string data_dir_;
  SeededData seeded_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(DesktopEndToEnd, EveryViewShowsThePreparedData) {
  ApiClient api(QString::fromStdString(server_->address()));
  MainWindow window(&api);
  window.resize(1500, 950);
  window.Start();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));

  // Sign in the way a person would: a wrong password first, then the right one.
  SignInDialog* dialog = window.sign_in_dialog();
  ASSERT_TRUE(dialog->isVisible());
  QTest::keyClicks(dialog->login_edit(), QStringLiteral("admin"));
  QTest::keyClicks(dialog->password_edit(), QStringLiteral("wrong-password"));
  QTest::mouseClick(dialog->sign_in_button(), Qt::LeftButton);
  ASSERT_TRUE(WaitIdle(api));
  EXPECT_TRUE(dialog->isVisible());
  EXPECT_FALSE(dialog->error_text().isEmpty());
  Screenshot(dialog, QStringLiteral("desktop-sign-in-refused"));
  dialog->password_edit()->clear();
  QTest::keyClicks(dialog->password_edit(), QString::fromUtf8(testing::kAdminPassword));
  QTest::mouseClick(dialog->sign_in_button(), Qt::LeftButton);
  ASSERT_TRUE(WaitFor([&] { return !dialog->isVisible() && window.organization_id() != 0; }));
  ASSERT_TRUE(WaitIdle(api));

  // The tree: company, branch, two groups.
  ASSERT_NE(window.org_tree()->model(), nullptr);
  ASSERT_TRUE(window.SelectOrganization(seeded_.branch_id));
  ASSERT_TRUE(WaitFor([&] { return window.organization_id() == seeded_.branch_id; }));
  ASSERT_TRUE(WaitIdle(api));

  // Meetings: both listed; the past one's leave was approved, the live one's is pending.
  MeetingsView* meetings = window.meetings_view();
  EXPECT_EQ(meetings->model()->rowCount(), 2);
  ASSERT_TRUE(meetings->SelectMeeting(seeded_.live_meeting_id));
  ASSERT_TRUE(WaitIdle(api));
  ASSERT_EQ(meetings->leave_view()->model()->rowCount(), 1);
  EXPECT_EQ(meetings->leave_view()->model()->row(0).state(), v1::LEAVE_STATE_PENDING);
  window.tabs()->setCurrentWidget(meetings);
  Screenshot(&window, QStringLiteral("desktop-meetings"));
  // Approve it through the view; the server answers and the list shows the decision.
  meetings->leave_view()->Decide(0, true, QString());
  ASSERT_TRUE(WaitIdle(api));
  EXPECT_EQ(meetings->leave_view()->model()->row(0).state(), v1::LEAVE_STATE_APPROVED);

  // Schedule a committee meeting for tomorrow through the view, then move it by an hour.
  v1::Meeting fresh;
  fresh.set_title("支委会：发展党员");
  fresh.set_type(v1::MEETING_TYPE_COMMITTEE_MEETING);
  const QDateTime tomorrow(QDate::currentDate().addDays(1), QTime(9, 0));
  *fresh.mutable_start_time() = ToTimestamp(tomorrow);
  *fresh.mutable_end_time() = ToTimestamp(tomorrow.addSecs(3600));
  meetings->SaveMeeting(fresh);
  ASSERT_TRUE(WaitIdle(api));
  ASSERT_EQ(meetings->model()->rowCount(), 3);
  const v1::Meeting* created = nullptr;
  for (const auto& m : meetings->model()->rows()) {
    if (m.title() == "支委会：发展党员") created = &m;
  }
  ASSERT_NE(created, nullptr);
  v1::Meeting moved = *created;
  *moved.mutable_start_time() = ToTimestamp(tomorrow.addSecs(3600));
  *moved.mutable_end_time() = ToTimestamp(tomorrow.addSecs(7200));
  moved.set_title("支委会：发展党员（改期）");
  meetings->SaveMeeting(moved);
  ASSERT_TRUE(WaitIdle(api));
  bool found_moved = false;
  for (const auto& m : meetings->model()->rows()) {
    if (m.id() == moved.id()) {
      found_moved = true;
      EXPECT_EQ(m.title(), "支委会：发展党员（改期）");
      EXPECT_EQ(ToDateTime(m.start_time()), tomorrow.addSecs(3600));
    }
  }
  EXPECT_TRUE(found_moved);

  // Check-in screen: QR and code, the roster with the counts (2 of 4, 1 excused now).
  CheckInWindow* check_in = meetings->OpenCheckIn(seeded_.live_meeting_id, /*full_screen=*/true);
  ASSERT_NE(check_in, nullptr);
  ASSERT_TRUE(
      WaitFor([&] { return check_in->code_fetches() > 0 && check_in->roster_fetches() > 0; }));
  EXPECT_EQ(check_in->code_text().size(), 6) << check_in->code_text().toStdString();
  // The code is the current step's: it expires within one 30-second step, then is fetched again.
  const qint64 expires_in =
      QDateTime::currentDateTime().secsTo(ToDateTime(check_in->code().expire_time()));
  EXPECT_GE(expires_in, 0);
  EXPECT_LE(expires_in, 31);
  EXPECT_FALSE(check_in->code().qr_payload().empty());
  EXPECT_EQ(check_in->counts().expected(), 4);
  EXPECT_EQ(check_in->counts().present() + check_in->counts().late(), 2);
  EXPECT_EQ(check_in->counts().excused(), 1);
  EXPECT_TRUE(check_in->counts_text().contains(QStringLiteral("2 / 4")))
      << check_in->counts_text().toStdString();
  EXPECT_EQ(check_in->roster_model()->rowCount(), 4);
  QTest::qWait(300);
  Screenshot(check_in, QStringLiteral("desktop-check-in"));
  // The roster keeps filling in: a third person checks in, the screen shows it by polling.
  ASSERT_NO_THROW(testing::CheckInMember(server_->address(), seeded_.live_meeting_id, 1));
  EXPECT_TRUE(
      WaitFor([&] { return check_in->counts().present() + check_in->counts().late() == 3; }, 8000))
      << check_in->counts_text().toStdString();
  EXPECT_TRUE(check_in->counts_text().contains(QStringLiteral("3 / 4")));
  check_in->close();

  // Study: the plan, the chart by sub-organisation, the line over time (two days).
  window.tabs()->setCurrentWidget(window.study_view());
  StudyView* study = window.study_view();
  ASSERT_TRUE(WaitIdle(api));
  EXPECT_EQ(study->plans_list()->count(), 1);
  EXPECT_EQ(study->items_model()->rowCount(), 2);
  // The branch itself and its two groups; 张伟 of 一班组 completed both items.
  ASSERT_EQ(study->sub_org_model()->rowCount(), 3);
  for (const auto& row : study->sub_org_model()->rows()) {
    if (row.organization_id() == seeded_.group_ids[0]) {
      EXPECT_EQ(row.name(), "一班组");
      EXPECT_EQ(row.people(), 2);
      EXPECT_EQ(row.people_complete(), 1);
    }
  }
  EXPECT_EQ(study->timeline_days(), 2);
  // Four people × 90 required minutes; done (capped per item): 张伟 60+30, 王芳 30, 李娜 20.
  EXPECT_DOUBLE_EQ(study->timeline_last_percent(), 38.9);
  EXPECT_FALSE(study->progress_model()->rows().empty());
  ASSERT_NE(study->completion_chart()->chart(), nullptr);
  EXPECT_EQ(study->completion_chart()->chart()->series().size(), 1);
  QTest::qWait(200);
  Screenshot(&window, QStringLiteral("desktop-study"));

  // Mailbox: three letters, the two from three days ago overdue, the anonymous one marked.
  window.tabs()->setCurrentWidget(window.feedback_view());
  FeedbackView* mailbox = window.feedback_view();
  ASSERT_TRUE(WaitIdle(api));
  ASSERT_EQ(mailbox->model()->rowCount(), 3);
  EXPECT_EQ(mailbox->model()->OverdueCount(), 2);
  int anonymous_rows = 0;
  for (int r = 0; r < 3; ++r) {
    const auto& letter = mailbox->model()->row(r);
    EXPECT_EQ(letter.overdue(), letter.id() != seeded_.fresh_letter_id);
    if (mailbox->model()
            ->data(mailbox->model()->index(r, 4))
            .toString()
            .contains(QStringLiteral("匿名"))) {
      ++anonymous_rows;
      EXPECT_EQ(letter.id(), seeded_.anonymous_letter_id);
    }
  }
  EXPECT_EQ(anonymous_rows, 1);
  // Handle the anonymous letter: acknowledge, reply publicly, add an internal note.
  ASSERT_TRUE(mailbox->SelectLetter(seeded_.anonymous_letter_id));
  ASSERT_TRUE(WaitIdle(api));
  mailbox->Transition(v1::LETTER_STATE_ACKNOWLEDGED, QString());
  ASSERT_TRUE(WaitIdle(api));
  mailbox->Reply(QStringLiteral("已收到，正在协调排班。"), false);
  ASSERT_TRUE(WaitIdle(api));
  mailbox->Reply(QStringLiteral("与站长沟通夜班轮换"), true);
  ASSERT_TRUE(WaitIdle(api));
  const QString thread = mailbox->thread_text();
  EXPECT_TRUE(thread.contains(QStringLiteral("已收到，正在协调排班。"))) << thread.toStdString();
  EXPECT_TRUE(thread.contains(QStringLiteral("与站长沟通夜班轮换")));
  EXPECT_TRUE(thread.contains(QStringLiteral("internal, not shown to the author")));
  EXPECT_EQ(mailbox->model()->OverdueCount(), 1);  // acknowledged: no longer overdue
  Screenshot(&window, QStringLiteral("desktop-mailbox"));

  // Reports: rates per group, compliance, CSV and PDF exports.
  window.tabs()->setCurrentWidget(window.reports_view());
  ReportsView* reports = window.reports_view();
  ASSERT_TRUE(WaitIdle(api));
  EXPECT_GE(reports->report().meetings(), 1);
  // The meeting that is over: 3 of 4 came, the fourth was excused.
  ASSERT_EQ(reports->attendance_model()->rowCount(), 1);
  EXPECT_EQ(reports->attendance_model()->row(0).name(), "收费站党支部");
  EXPECT_EQ(reports->attendance_model()->row(0).rates().counts().excused(), 1);
  EXPECT_DOUBLE_EQ(reports->attendance_model()->row(0).rates().attendance_rate(), 0.75);
  int team_expected = 0;  // the same people by team
  for (int i = 0; i < reports->teams_model()->rowCount(); ++i) {
    team_expected += reports->teams_model()->row(i).rates().counts().expected();
  }
  EXPECT_EQ(team_expected, reports->report().total().counts().expected());
  EXPECT_GE(reports->compliance_model()->rowCount(), 1);
  QTest::qWait(200);
  Screenshot(&window, QStringLiteral("desktop-reports"));
  QString error;
  const QString csv_path = QString::fromStdString(dir_.Sub("report.csv"));
  ASSERT_TRUE(reports->ExportCsv(csv_path, &error)) << error.toStdString();
  QFile csv(csv_path);
  ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
  const QString csv_text = QString::fromUtf8(csv.readAll());
  EXPECT_TRUE(csv_text.contains(QStringLiteral("收费站党支部,1,4,3,1,0,75.0%")))
      << csv_text.toStdString();
  const QString pdf_path = QString::fromStdString(dir_.Sub("report.pdf"));
  ASSERT_TRUE(reports->ExportPdf(pdf_path, &error)) << error.toStdString();
  QFile pdf(pdf_path);
  ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
  EXPECT_TRUE(pdf.read(5) == "%PDF-");
  EXPECT_GT(pdf.size(), 20000);

  // Handbooks: the branch's, for the last week (the meeting three days ago), previewed as the
  // server makes it and saved in the three formats the file name asks for.
  HandbookView* handbook = window.handbook_view();
  window.tabs()->setCurrentWidget(handbook);
  // The branch's today (UTC+8), as the server dates the letters: this machine may be in UTC.
  const QDate today = QDateTime::currentDateTimeUtc().addSecs(8 * 3600).date();
  handbook->SetPeriod(today.addDays(-7), today);
  QTest::mouseClick(handbook->preview_button(), Qt::LeftButton);
  ASSERT_TRUE(WaitIdle(api));
  const QString preview = handbook->summary_text();
  EXPECT_TRUE(preview.contains(QStringLiteral("党组织 Organisation: 收费站党支部")))
      << handbook->status_text().toStdString() << "\n"
      << preview.toStdString();
  // Held: started and not cancelled; 3 of the 4 came, the fourth on approved leave.
  EXPECT_TRUE(
      preview.contains(QStringLiteral(" 十一月支部党员大会: 党员大会 General meeting · 到会 "
                                      "3 / 4 应到 present · 纪要 Minutes 无 no")))
      << preview.toStdString();
  EXPECT_TRUE(preview.contains(QStringLiteral("来信 Letters 3"))) << preview.toStdString();
  EXPECT_EQ(handbook->withheld_text(), QString()) << "the administrator may read every section";
  QTest::qWait(200);
  Screenshot(&window, QStringLiteral("desktop-handbook"));
  QSignalSpy saved(handbook, &HandbookView::Saved);
  QSignalSpy failed(handbook, &HandbookView::SaveFailed);
  const auto save = [&](const QString& name) {
    const QString path = QString::fromStdString(dir_.Sub(name.toStdString()));
    const int before = saved.count() + failed.count();
    handbook->Save(path);
    EXPECT_TRUE(WaitFor([&] { return saved.count() + failed.count() > before; }, 60000));
    EXPECT_EQ(failed.count(), 0) << handbook->status_text().toStdString();
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << path.toStdString();
    return file.readAll();
  };
  const QByteArray handbook_pdf = save(QStringLiteral("handbook.pdf"));
  EXPECT_TRUE(handbook_pdf.startsWith("%PDF-")) << handbook_pdf.left(64).toStdString();
  EXPECT_TRUE(handbook->status_text().startsWith(QStringLiteral("已保存 Saved")))
      << handbook->status_text().toStdString();
  const QByteArray handbook_csv = save(QStringLiteral("handbook.csv"));
  EXPECT_TRUE(handbook_csv.startsWith("\xEF\xBB\xBF"));
  EXPECT_TRUE(QString::fromUtf8(handbook_csv).contains(QStringLiteral("十一月支部党员大会")));
  const QByteArray handbook_json = save(QStringLiteral("handbook.json"));
  EXPECT_EQ(
      QJsonDocument::fromJson(handbook_json).object().value(QStringLiteral("organizationName")),
      QStringLiteral("收费站党支部"))
      << handbook_json.left(200).toStdString();

  // A member may not read the branch's inbox: the refusal comes back in words.
  ApiClient member_api(QString::fromStdString(server_->address()));
  v1::SignInRequest member_sign_in;
  member_sign_in.set_login("13800000001");
  member_sign_in.set_password(testing::kMemberPassword);
  QObject receiver;
  QString refusal;
  member_api.Call(&receiver, &v1::AuthService::Stub::SignIn, member_sign_in,
                  [&](const v1::SignInResponse& r) {
                    member_api.SetAccessToken(r.access_token());
                    v1::ListInboxRequest inbox;
                    inbox.set_organization_id(seeded_.branch_id);
                    member_api.Call(
                        &receiver, &v1::FeedbackService::Stub::ListInbox, inbox,
                        [](const v1::ListLettersResponse&) {},
                        [&](const QString& message) { refusal = message; });
                  });
  ASSERT_TRUE(WaitIdle(member_api));
  EXPECT_TRUE(refusal.contains(QStringLiteral("refused"))) << refusal.toStdString();

  // The server goes away: the next call says so in words, and the window stays usable.
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  reports->Reload();
  ASSERT_TRUE(WaitIdle(api));
  EXPECT_TRUE(window.status_text().contains(QStringLiteral("Cannot reach")))
      << window.status_text().toStdString();
}

// A photo as a phone would take it, as JPEG: noisy enough that it is several of the server's
// upload chunks and several of the client's download ranges.
QByteArray NoisyJpeg(int width, int height) {
  QImage image(width, height, QImage::Format_RGB32);
  QRandomGenerator random(20261203);
  for (int y = 0; y < height; ++y) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < width; ++x) line[x] = 0xff000000u | (random.generate() & 0xffffffu);
  }
  QByteArray jpeg;
  QBuffer buffer(&jpeg);
  buffer.open(QIODevice::WriteOnly);
  EXPECT_TRUE(image.save(&buffer, "JPG", 95));
  return jpeg;
}

TEST(DesktopMeetingPhotos, MinutesShowThumbnailsAndSaveTheExactOriginal) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--admin-password", testing::kAdminPassword});
  ASSERT_NE(server.port(), 0);
  const QByteArray photo = NoisyJpeg(1200, 900);
  ASSERT_GT(photo.size(), 1 << 20) << "more than one of the server's largest ranges";
  testing::SeededPhoto seeded;
  ASSERT_NO_THROW(
      testing::SeedMeetingPhoto(server.address(), "会议照片.jpg", photo.toStdString(), &seeded))
      << server.ReadLog();
  EXPECT_GT(seeded.upload_chunks, 1u);

  ApiClient api(QString::fromStdString(server.address()));
  QObject receiver;
  v1::SignInRequest sign_in;
  sign_in.set_login("admin");
  sign_in.set_password(testing::kAdminPassword);
  api.Call(&receiver, &v1::AuthService::Stub::SignIn, sign_in,
           [&](const v1::SignInResponse& r) { api.SetAccessToken(r.access_token()); });
  ASSERT_TRUE(WaitIdle(api));

  NameLookup people;
  v1::Meeting meeting;
  meeting.set_id(seeded.meeting_id);
  meeting.set_title("十二月支部党员大会");
  meeting.set_type(v1::MEETING_TYPE_GENERAL_MEETING);
  MinutesDialog dialog(&api, meeting, &people);
  dialog.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&dialog));
  dialog.Load();
  ASSERT_TRUE(WaitIdle(api));

  // Listed with its thumbnail: a JPEG the client decoded, at most 320 pixels, same shape.
  MeetingPhotosModel* photos = dialog.photos_model();
  ASSERT_EQ(photos->rowCount(), 1) << dialog.photos_status_text().toStdString();
  EXPECT_EQ(photos->row(0).id(), seeded.file_id);
  EXPECT_EQ(photos->row(0).file_name(), "会议照片.jpg");
  EXPECT_TRUE(photos->row(0).has_thumbnail());
  EXPECT_EQ(photos->row(0).width(), 1200u);
  EXPECT_EQ(photos->row(0).height(), 900u);
  const QPixmap thumbnail = photos->thumbnail(0);
  ASSERT_FALSE(thumbnail.isNull());
  EXPECT_EQ(thumbnail.width(), 320);
  EXPECT_EQ(thumbnail.height(), 240);
  EXPECT_TRUE(photos->data(photos->index(0, 0), Qt::ToolTipRole)
                  .toString()
                  .startsWith(QStringLiteral("会议照片.jpg · ")));
  EXPECT_TRUE(dialog.photos_status_text().startsWith(QStringLiteral("1 个文件")))
      << dialog.photos_status_text().toStdString();
  QTest::qWait(200);
  Screenshot(&dialog, QStringLiteral("desktop-minutes-photos"));

  // The original in ranges, byte for byte.
  QSignalSpy saved(&dialog, &MinutesDialog::PhotoSaved);
  QSignalSpy failed(&dialog, &MinutesDialog::PhotoSaveFailed);
  const QString path = QString::fromStdString(dir.Sub("原图.jpg"));
  dialog.SavePhoto(0, path);
  ASSERT_TRUE(WaitFor([&] { return saved.count() + failed.count() > 0; }, 60000));
  ASSERT_EQ(failed.count(), 0) << dialog.photos_status_text().toStdString();
  EXPECT_TRUE(dialog.photos_status_text().startsWith(QStringLiteral("已保存 Saved")));
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  const QByteArray downloaded = file.readAll();
  EXPECT_EQ(downloaded.size(), photo.size());
  EXPECT_EQ(QCryptographicHash::hash(downloaded, QCryptographicHash::Sha256),
            QCryptographicHash::hash(photo, QCryptographicHash::Sha256));

  // A place that cannot be written, then a file that is not there: each said in words.
  dialog.SavePhoto(0, QString::fromStdString(dir.Sub("missing/原图.jpg")));
  ASSERT_TRUE(WaitFor([&] { return failed.count() > 0; }, 60000));
  EXPECT_TRUE(dialog.photos_status_text().startsWith(QStringLiteral("保存失败 Save failed")));
  QString refusal;
  api.ReadFile(
      &receiver, seeded.file_id + 1000, /*thumbnail=*/false, [](const QByteArray&) {},
      [&](const QString& message) { refusal = message; });
  ASSERT_TRUE(WaitIdle(api));
  EXPECT_TRUE(refusal.startsWith(QStringLiteral("未找到 Not found"))) << refusal.toStdString();
}

}  // namespace
}  // namespace branchline::desk

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
