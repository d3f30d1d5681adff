// The record cache (storage/record_cache.h) through the real server: a sign-out, a
// deactivation, a role change or a meeting edit made on one connection takes effect on the
// very next call of another connection that had the records cached (issue #23).

#include <string>

#include "grpcpp/grpcpp.h"
#include "tests/services/attendance_fixture.h"
#include "tests/storage/test_backends.h"
#include "tests/support/error_details.h"
#include "tests/support/metrics_scrape.h"

namespace branchline::testing {
namespace {

class RecordCacheCoherenceTest : public AttendanceTest {
 protected:
  RecordCacheCoherenceTest()
      : AttendanceTest([](ServerOptions& options) { options.metrics_listen = "127.0.0.1:0"; }) {}

  void SetUp() override {
    AttendanceTest::SetUp();
    // A connection of its own: a channel with a local subchannel pool does not share the
    // fixture channel's HTTP/2 connection.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel =
        grpc::CreateCustomChannel(server_.address(), grpc::InsecureChannelCredentials(), args);
    other_ = v1::AttendanceService::NewStub(channel);
    other_people_ = v1::PersonService::NewStub(channel);
  }

  // "My meetings" on the other connection: reads the caller's session and person.
  grpc::Status MyMeetings(const std::string& token) {
    v1::ListMyMeetingsRequest r;
    v1::ListMeetingsResponse out;
    return other_->ListMyMeetings(Ctx(token).get(), r, &out);
  }
  // Reads the same records twice, so the second call is served from memory where there is a
  // cache.
  void Warm(const std::string& token) {
    ASSERT_TRUE(MyMeetings(token).ok());
    ASSERT_TRUE(MyMeetings(token).ok());
  }
  double CacheHits() {
    const std::string metrics = ScrapeMetrics(server_.server().metrics_port());
    const std::string name = "branchline_record_cache_hits_total ";
    auto at = metrics.find("\n" + name);
    return at == std::string::npos ? -1 : std::stod(metrics.substr(at + 1 + name.size()));
  }

  std::unique_ptr<v1::AttendanceService::Stub> other_;
  std::unique_ptr<v1::PersonService::Stub> other_people_;
};

TEST_F(RecordCacheCoherenceTest, RepeatedCallsAreServedFromMemory) {
  if (storage::testing::ServiceSuitesOnPostgres())
    GTEST_SKIP() << "PostgreSQL reads through: other servers write too";
  const double before = CacheHits();
  ASSERT_GE(before, 0);
  Warm(d1_);
  // Each call authenticates (the session and the person) at least.
  EXPECT_GE(CacheHits() - before, 2);
}

TEST_F(RecordCacheCoherenceTest, ASignOutEndsTheSessionOnAnotherConnectionAtOnce) {
  Warm(d1_);
  v1::SignOutRequest sign_out;
  sign_out.set_request_id(TestServer::RequestId());
  v1::SignOutResponse out;
  ASSERT_TRUE(server_.auth().SignOut(Ctx(d1_).get(), sign_out, &out).ok());
  auto status = MyMeetings(d1_);
  EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(DetailsOf(status).reason, "SESSION_ENDED");
  // Another person's cached session is untouched.
  EXPECT_TRUE(MyMeetings(d2_).ok());
}

TEST_F(RecordCacheCoherenceTest, ADeactivationShutsThePersonOutAtOnce) {
  Warm(d2_);
  v1::DeactivatePersonRequest deactivate;
  deactivate.set_request_id(TestServer::RequestId());
  deactivate.set_id(d2_id_);
  v1::Person out;
  ASSERT_TRUE(server_.people().DeactivatePerson(Ctx(admin_).get(), deactivate, &out).ok());
  auto status = MyMeetings(d2_);
  EXPECT_EQ(status.error_code(), grpc::UNAUTHENTICATED);
  // Deactivation ends the person's sessions in the same commit as it marks them inactive.
  EXPECT_EQ(DetailsOf(status).reason, "SESSION_ENDED");
}

TEST_F(RecordCacheCoherenceTest, ARoleChangeTakesEffectOnTheNextCall) {
  v1::Meeting created;
  auto draft = Draft(Now() + kHour);
  v1::CreateMeetingRequest create;
  create.set_request_id(TestServer::RequestId());
  *create.mutable_meeting() = draft;
  ASSERT_TRUE(other_->CreateMeeting(Ctx(secretary_).get(), create, &created).ok());
  ASSERT_TRUE(other_->CreateMeeting(Ctx(secretary_).get(), create, &created).ok());  // replayed

  v1::UpdatePersonRequest demote;
  demote.set_request_id(TestServer::RequestId());
  demote.mutable_person()->set_id(secretary_id_);
  demote.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
  demote.mutable_update_mask()->add_paths("role");
  v1::Person person;
  ASSERT_TRUE(server_.people().UpdatePerson(Ctx(admin_).get(), demote, &person).ok());

  create.set_request_id(TestServer::RequestId());
  EXPECT_EQ(other_->CreateMeeting(Ctx(secretary_).get(), create, &created).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(RecordCacheCoherenceTest, AMeetingEditTakesEffectOnTheNextCheckIn) {
  auto meeting = MustCreate(Draft(Now() + 10 * kMin));
  v1::GetMeetingRequest get;
  get.set_id(meeting.id());
  v1::Meeting read;
  ASSERT_TRUE(other_->GetMeeting(Ctx(d1_).get(), get, &read).ok());
  ASSERT_TRUE(other_->GetMeeting(Ctx(d1_).get(), get, &read).ok());
  EXPECT_FALSE(read.cancelled());

  Cancel(meeting.id(), "暴雪封路");

  ASSERT_TRUE(other_->GetMeeting(Ctx(d1_).get(), get, &read).ok());
  EXPECT_TRUE(read.cancelled());
  v1::CheckInResponse out;
  auto status =
      other_->CheckIn(Ctx(d1_).get(), Remote(meeting.id(), v1::REMOTE_REASON_DRIVING), &out);
  EXPECT_EQ(status.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(DetailsOf(status).reason, "MEETING_CANCELLED");
}

TEST_F(RecordCacheCoherenceTest, AMoveOutOfTheAudienceTakesEffectOnTheNextCheckIn) {
  auto meeting = MustCreate(Draft(Now() + 10 * kMin));
  v1::GetMeetingRequest get;
  get.set_id(meeting.id());
  v1::Meeting read;
  ASSERT_TRUE(other_->GetMeeting(Ctx(d3_).get(), get, &read).ok());

  v1::ChangeMembershipRequest move;
  move.set_request_id(TestServer::RequestId());
  move.set_person_id(d3_id_);
  move.set_organization_id(sibling_);
  v1::Person moved;
  ASSERT_TRUE(other_people_->ChangeMembership(Ctx(admin_).get(), move, &moved).ok());

  v1::CheckInResponse out;
  auto status =
      other_->CheckIn(Ctx(d3_).get(), Remote(meeting.id(), v1::REMOTE_REASON_DRIVING), &out);
  EXPECT_EQ(status.error_code(), grpc::PERMISSION_DENIED);
}

}  // namespace
}  // namespace branchline::testing
