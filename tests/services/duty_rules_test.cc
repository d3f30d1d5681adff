// The pure rules of duties (services/duties/duty_rules.h): periods, the board's current
// filter, the history cap and current memberships.
#include "services/duties/duty_rules.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "services/common/local_day.h"

namespace branchline::duties {
namespace {

v1::LocalDate Date(int year, int month, int day) {
  v1::LocalDate d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

TEST(DutyRules, CheckPeriodDefaultsAndRefusals) {
  const int64_t first = CivilToDay(2026, 3, 1);
  const int64_t today = CivilToDay(2026, 12, 3);
  auto open = CheckPeriod(nullptr, nullptr, "area.", first, today);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->from, today);
  EXPECT_FALSE(open->to.has_value());

  const auto from = Date(2026, 3, 1), to = Date(2026, 3, 1);
  auto one_day = CheckPeriod(&from, &to, "post.", first, today);
  ASSERT_TRUE(one_day.ok());
  EXPECT_TRUE(one_day->Covers(first));
  EXPECT_FALSE(one_day->Covers(first + 1));

  const auto before = Date(2026, 2, 28);
  auto status = CheckPeriod(&before, nullptr, "area.", first, today).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("area.from_date"), std::string::npos) << status.message();
  const auto later = Date(2026, 5, 1), earlier = Date(2026, 4, 30);
  status = CheckPeriod(&later, &earlier, "group.", first, today).status();
  EXPECT_NE(status.message().find("group.to_date"), std::string::npos) << status.message();
  const auto no_such_day = Date(2026, 2, 29);
  status = CheckPeriod(&from, &no_such_day, "area.", first, today).status();
  EXPECT_NE(status.message().find("area.to_date"), std::string::npos) << status.message();
}

TEST(DutyRules, CurrentUntilTheLastDayIncluded) {
  v1::DutyBoardEntry entry;
  *entry.mutable_post()->mutable_from_date() = Date(2026, 12, 1);
  const int64_t day = CivilToDay(2026, 12, 10);
  EXPECT_TRUE(IsCurrent(entry, day));  // open
  *entry.mutable_post()->mutable_to_date() = Date(2026, 12, 10);
  EXPECT_TRUE(IsCurrent(entry, day));
  EXPECT_FALSE(IsCurrent(entry, day + 1));
  *entry.mutable_post()->mutable_from_date() = Date(2026, 12, 20);
  entry.mutable_post()->clear_to_date();
  EXPECT_TRUE(IsCurrent(entry, day));  // announced before it starts
  EXPECT_EQ(KindOf(entry), DutyKind::kPost);
}

TEST(DutyRules, HistoryKeepsTheFirstAndTheLatest) {
  google::protobuf::RepeatedPtrField<v1::DutyRevision> history;
  for (int i = 0; i < kMaxRevisions + 50; ++i) {
    v1::DutyRevision r;
    r.set_action(i == 0 ? "created" : "updated");
    r.add_fields(std::to_string(i));
    AddRevision(&history, r);
  }
  ASSERT_EQ(history.size(), kMaxRevisions);
  EXPECT_EQ(history.Get(0).action(), "created");
  EXPECT_EQ(history.Get(1).fields(0), std::to_string(51));
  EXPECT_EQ(history.Get(kMaxRevisions - 1).fields(0), std::to_string(kMaxRevisions + 49));
}

TEST(DutyRules, CurrentMembershipIsTheOneWithoutALastDay) {
  v1::DutyGroup group;
  auto* past = group.add_members();
  past->set_person_id(7);
  *past->mutable_to_date() = Date(2026, 6, 1);
  EXPECT_EQ(CurrentMembership(group, 7), -1);
  group.add_members()->set_person_id(7);
  EXPECT_EQ(CurrentMembership(group, 7), 1);
  EXPECT_EQ(CurrentMembership(group, 8), -1);
}

TEST(DutyRules, RefusalCarriesTheReason) {
  const auto status =
      DescribedRefusal(absl::StatusCode::kFailedPrecondition, kDutyEnded, "id", "it has ended");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  auto payload = status.GetPayload("type.googleapis.com/google.rpc.ErrorInfo");
  ASSERT_TRUE(payload.has_value());
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(info.ParseFromString(std::string(*payload)));
  EXPECT_EQ(info.reason(), "DUTY_ENDED");
  EXPECT_EQ(info.domain(), "branchline.v1");
}

}  // namespace
}  // namespace branchline::duties
