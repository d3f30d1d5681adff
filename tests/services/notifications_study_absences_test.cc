// The study and repeated-absence reminder rules with the fake clock: a study item due within
// the organisation's days reaches only those behind on it, once per item and due day across
// a restart, held by quiet hours, not to those who opted out; three absences in a row reach
// the organisation's secretary once per run (at its third meeting), never the absent person,
// and an approved absence (excused) breaks a run.
#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "branchline/v1/study.grpc.pb.h"
#include "tests/services/notifications_fixture.h"

namespace branchline::testing {
namespace {

using v1::NOTIFICATION_KIND_REPEATED_ABSENCES;
using v1::NOTIFICATION_KIND_STUDY_DUE_SOON;

class NotificationsStudyAbsencesTest : public NotificationsTest {
 protected:
  void SetUp() override {
    NotificationsTest::SetUp();
    study_ = v1::StudyService::NewStub(server_.channel());
  }
  void RestartServer() override {
    NotificationsTest::RestartServer();
    study_ = v1::StudyService::NewStub(server_.channel());
  }

  // "YYYY-MM-DD" (+08:00) of an instant.
  static std::string DateOf(int64_t micros) {
    const auto d = LocalDateAt(micros);
    return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  }

  // A plan of `org` (default the branch; one per organisation and year) with one free-topic
  // item of 60 minutes due on the local day of `due`.
  v1::StudyPlan PlanDue(int64_t due, uint64_t org = 0) {
    v1::CreateStudyPlanRequest r;
    r.set_request_id(TestServer::RequestId());
    auto* p = r.mutable_plan();
    p->set_organization_id(org ? org : branch_);
    p->set_year(LocalDateAt(due).year());
    p->set_title("年度学习计划");
    auto* item = p->add_items();
    item->set_topic("安全生产法");
    item->set_required_minutes(60);
    item->set_due_date(DateOf(due));
    v1::StudyPlan out;
    auto status = study_->CreateStudyPlan(Ctx(secretary_).get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  void Study(const std::string& token, const v1::StudyPlan& plan, int minutes) {
    v1::RecordStudyRequest r;
    r.set_request_id(TestServer::RequestId());
    r.set_plan_id(plan.id());
    r.set_plan_item_id(plan.items(0).id());
    r.set_minutes(minutes);
    *r.mutable_device_time() = Ts(Now() - kMin);
    v1::StudyRecord out;
    auto status = study_->RecordStudy(Ctx(token).get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void Mute(const std::string& token, std::vector<v1::NotificationKind> kinds) {
    v1::UpdateMyNotificationPreferencesRequest r;
    r.set_request_id(TestServer::RequestId());
    for (auto k : kinds) r.add_muted_kinds(k);
    v1::NotificationPreferences out;
    ASSERT_TRUE(notifications_->UpdateMyNotificationPreferences(Ctx(token).get(), r, &out).ok());
  }

  // Quiet hours from an hour before to an hour after the local (+08:00) minute of `at`.
  void QuietAround(int64_t at) {
    const int minute = static_cast<int>(((at / kMin + 8 * 60) % 1440 + 1440) % 1440);
    Settings(branch_, {}, (minute + 1440 - 60) % 1440, (minute + 60) % 1440);
  }

  std::vector<v1::Notification> OfKind(const std::string& token, v1::NotificationKind kind) {
    std::vector<v1::Notification> out;
    for (auto& n : Mine(token)) {
      if (n.kind() == kind) out.push_back(std::move(n));
    }
    return out;
  }

  std::unique_ptr<v1::StudyService::Stub> study_;
};

TEST_F(NotificationsStudyAbsencesTest, StudyDueReachesThoseBehindOnceHeldByQuietHours) {
  Settings(branch_, {});
  const int64_t due = LocalAt(5, 12, 0);
  const auto plan = PlanDue(due);
  Study(d1_, plan, 60);  // complete
  Study(d2_, plan, 20);  // behind: 40 minutes to go
  Mute(d3_, {NOTIFICATION_KIND_STUDY_DUE_SOON});

  // Four days ahead: outside the default three days.
  ReminderClock().Set(LocalAt(1, 12, 0));
  Pass();
  EXPECT_TRUE(OfKind(d2_, NOTIFICATION_KIND_STUDY_DUE_SOON).empty());
  // Three days ahead, in quiet hours: held.
  QuietAround(LocalAt(2, 12, 0));
  ReminderClock().Set(LocalAt(2, 12, 0));
  Pass();
  EXPECT_TRUE(OfKind(d2_, NOTIFICATION_KIND_STUDY_DUE_SOON).empty());
  // Out of them: the secretary and d2, not d1 (complete) nor d3 (opted out).
  ReminderClock().Set(LocalAt(2, 14, 0));
  Pass();
  auto d2 = OfKind(d2_, NOTIFICATION_KIND_STUDY_DUE_SOON);
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].plan_item_id(), plan.items(0).id());
  EXPECT_EQ(d2[0].person_id(), d2_id_);
  EXPECT_EQ(d2[0].title(), "学习提醒");
  EXPECT_NE(d2[0].body().find("《安全生产法》将于"), std::string::npos) << d2[0].body();
  EXPECT_NE(d2[0].body().find("您已学习20分钟，还需40分钟"), std::string::npos) << d2[0].body();
  EXPECT_FALSE(d2[0].urgent());
  EXPECT_EQ(OfKind(secretary_, NOTIFICATION_KIND_STUDY_DUE_SOON).size(), 1u);
  EXPECT_TRUE(OfKind(d1_, NOTIFICATION_KIND_STUDY_DUE_SOON).empty());
  EXPECT_TRUE(OfKind(d3_, NOTIFICATION_KIND_STUDY_DUE_SOON).empty());
  EXPECT_TRUE(OfKind(outsider_, NOTIFICATION_KIND_STUDY_DUE_SOON).empty());

  // A restart in the middle of the window, and later passes up to the due day: nothing more.
  RestartServer();
  EXPECT_EQ(Pass(), 0u);
  ReminderClock().Set(LocalAt(5, 9, 0));
  EXPECT_EQ(Pass(), 0u);
  EXPECT_EQ(OfKind(d2_, NOTIFICATION_KIND_STUDY_DUE_SOON).size(), 1u);
  // Past the due day: not a reminder any more.
  ReminderClock().Set(LocalAt(6, 12, 0));
  EXPECT_EQ(Pass(), 0u);

  // The organisation's own number of days; out of range refused naming the field.
  v1::UpdateNotificationSettingsRequest r;
  r.set_request_id(TestServer::RequestId());
  r.mutable_settings()->set_organization_id(branch_);
  r.mutable_settings()->set_study_due_days(31);
  v1::NotificationSettings out;
  auto status = notifications_->UpdateNotificationSettings(Ctx(admin_).get(), r, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationField(status), "settings.study_due_days");
  r.set_request_id(TestServer::RequestId());
  r.mutable_settings()->set_study_due_days(10);
  ASSERT_TRUE(notifications_->UpdateNotificationSettings(Ctx(admin_).get(), r, &out).ok());
  EXPECT_EQ(out.study_due_days(), 10);
  v1::GetNotificationSettingsRequest get;
  get.set_organization_id(group_);
  ASSERT_TRUE(notifications_->GetNotificationSettings(Ctx(d1_).get(), get, &out).ok());
  EXPECT_EQ(out.study_due_days(), 10);
  get.set_organization_id(sibling_);
  ASSERT_TRUE(notifications_->GetNotificationSettings(Ctx(outsider_).get(), get, &out).ok());
  EXPECT_EQ(out.study_due_days(), 3);  // the default
  // Ten days ahead of a later item (the drivers' group's plan) now reaches d2 for that item.
  const auto later = PlanDue(LocalAt(15, 12, 0), group_);
  ReminderClock().Set(LocalAt(6, 12, 0));
  Pass();
  auto again = OfKind(d2_, NOTIFICATION_KIND_STUDY_DUE_SOON);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].plan_item_id(), later.items(0).id());
  EXPECT_EQ(OfKind(secretary_, NOTIFICATION_KIND_STUDY_DUE_SOON).size(), 1u);  // not his plan
}

TEST_F(NotificationsStudyAbsencesTest, ThreeAbsencesInARowReachTheSecretaryOncePerRun) {
  Settings(branch_, {});
  // m1: check-in is open now; d1 checks in. m2..m5 on the next days.
  const auto m1 = MeetingAt(Now() + 5 * kMin);
  v1::CheckInResponse checked;
  ASSERT_TRUE(CheckIn(d1_, Remote(m1.id(), v1::REMOTE_REASON_DRIVING, "在路上"), &checked).ok());
  std::vector<v1::Meeting> m = {m1};
  for (int day = 1; day <= 4; ++day)
    m.push_back(MeetingAt(ToMicros(m1.start_time()) + day * 24 * kHour));
  auto closed = [&](int i) { return ToMicros(m[i].start_time()) + 61 * kMin; };
  // d3 is away (approved) on m3's day: excused there, which breaks the run.
  v1::RequestAbsenceRequest absence;
  absence.set_request_id(TestServer::RequestId());
  absence.set_type(v1::ABSENCE_TYPE_DUTY_RUN);
  *absence.mutable_from_date() = LocalDateAt(ToMicros(m[2].start_time()));
  *absence.mutable_to_date() = LocalDateAt(ToMicros(m[2].start_time()));
  absence.set_reason("出车");
  v1::AbsenceRequest asked;
  ASSERT_TRUE(calendar_->RequestAbsence(Ctx(d3_).get(), absence, &asked).ok());
  v1::DecideAbsenceRequest approve;
  approve.set_request_id(TestServer::RequestId());
  approve.set_id(asked.id());
  approve.set_approve(true);
  ASSERT_TRUE(calendar_->DecideAbsence(Ctx(secretary_).get(), approve, &asked).ok());

  // m2 closed: two in a row at most.
  ReminderClock().Set(closed(1));
  Pass();
  EXPECT_TRUE(OfKind(secretary_, NOTIFICATION_KIND_REPEATED_ABSENCES).empty());
  // m3 closed, in quiet hours: held.
  QuietAround(closed(2));
  ReminderClock().Set(closed(2));
  Pass();
  EXPECT_TRUE(OfKind(secretary_, NOTIFICATION_KIND_REPEATED_ABSENCES).empty());
  // Two hours later: d2 (m1, m2, m3); not d1 (checked in at m1), not d3 (excused at m3), not
  // the secretary about himself.
  ReminderClock().Set(closed(2) + 2 * kHour);
  Pass();
  auto told = OfKind(secretary_, NOTIFICATION_KIND_REPEATED_ABSENCES);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].subject_person_id(), d2_id_);
  EXPECT_EQ(told[0].meeting_id(), m[2].id());
  EXPECT_EQ(told[0].title(), "连续缺席提醒");
  EXPECT_NE(told[0].body().find("李师傅已连续3次缺席"), std::string::npos) << told[0].body();
  EXPECT_NE(told[0].body().find("《周一安全例会》"), std::string::npos) << told[0].body();
  EXPECT_FALSE(told[0].urgent());
  Settings(branch_, {});  // no quiet hours from here on (m4 and m5 close at the same hour)
  // Nobody else hears of it.
  for (const auto& token : {d1_, d2_, d3_, outsider_}) {
    EXPECT_TRUE(OfKind(token, NOTIFICATION_KIND_REPEATED_ABSENCES).empty());
  }
  // A restart in the middle of the week the run is reported in: not again.
  RestartServer();
  Pass();
  ReminderClock().Set(closed(2) + 20 * kHour);  // before m4
  RestartServer();
  Pass();
  // m4 closed: d1's run (m2, m3, m4) is new; d2's run goes on (counted already).
  ReminderClock().Set(closed(3));
  Pass();
  Pass();
  told = OfKind(secretary_, NOTIFICATION_KIND_REPEATED_ABSENCES);
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].subject_person_id(), d1_id_);
  EXPECT_EQ(told[0].meeting_id(), m[3].id());
  EXPECT_EQ(told[1].subject_person_id(), d2_id_);
  // m5 closed: d3 has two in a row after the excused one; the others' runs go on.
  ReminderClock().Set(closed(4));
  Pass();
  EXPECT_EQ(OfKind(secretary_, NOTIFICATION_KIND_REPEATED_ABSENCES).size(), 2u);
}

TEST_F(NotificationsStudyAbsencesTest, RepeatedAbsencesRespectTheSecretarysOptOut) {
  Settings(branch_, {});
  const int64_t first = Now() + 2 * kHour;
  std::vector<v1::Meeting> m;
  for (int day = 0; day < 3; ++day) m.push_back(MeetingAt(first + day * 24 * kHour));
  Mute(secretary_, {NOTIFICATION_KIND_REPEATED_ABSENCES});
  ReminderClock().Set(ToMicros(m[2].start_time()) + 61 * kMin);
  Pass();
  EXPECT_TRUE(OfKind(secretary_, NOTIFICATION_KIND_REPEATED_ABSENCES).empty());
  // Opted in again within the week: the runs still ending then reach the secretary.
  Mute(secretary_, {});
  ReminderClock().Set(ToMicros(m[2].start_time()) + 5 * kHour);
  Pass();
  auto told = OfKind(secretary_, NOTIFICATION_KIND_REPEATED_ABSENCES);
  EXPECT_EQ(told.size(), 3u);  // the three drivers
  EXPECT_EQ(Pass(), 0u);
}

}  // namespace
}  // namespace branchline::testing
