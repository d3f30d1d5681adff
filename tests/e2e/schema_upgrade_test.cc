// Upgrades (docs/operations.md, "Upgrades"): each released schema version keeps a fixture
// database in tests/fixtures, written by that version's server with realistic data
// (`branchctl demo`, a meeting series); the current build opens it, migrates it, and serves
// its data. tests/fixtures/README.md says what each fixture holds.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "services/sync/cursor.h"
#include "storage/engine.h"
#include "storage/key_codec.h"
#include "storage/migrations.h"
#include "storage/rocksdb_engine.h"
#include "storage/store.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

// tests/fixtures/schema-v1.tar.gz: written by the schema 1 server (2026-12-03).
constexpr char kAdminPassword[] = "fixture-admin-1";
constexpr char kDemoPassword[] = "branchline-demo";
constexpr uint64_t kBranch = 1099511627779;
constexpr uint64_t kSafetyMeeting = 1099511627798;
constexpr uint64_t kSeries = 1099511627907;

void Unpack(const std::string& fixture, const std::string& data_dir) {
  const std::string command =
      "mkdir -p '" + data_dir + "' && tar -xzf '" + fixture + "' -C '" + data_dir + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

uint32_t StoredSchemaVersion(const std::string& db) {
  storage::StoreOptions options;
  options.path = db;
  auto store = storage::Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return 0;
  auto stored = (*store)->Get(storage::Cf::kMeta, storage::SchemaVersionKey());
  if (!stored.ok() || !stored->has_value()) return 0;
  return storage::KeyReader(**stored).U32().value_or(0);
}

TEST(SchemaUpgrade, TheSchema1FixtureIsMigratedAndServed) {
  std::chrono::steady_clock::duration start_time{};
  TestServer server([&](ServerOptions& options) {
    options.storage.clear();  // the fixture is a RocksDB database, whatever the suite runs on
    if (start_time.count() == 0) Unpack(SCHEMA_V1_FIXTURE, options.data_dir);
    start_time = std::chrono::steady_clock::now().time_since_epoch();
  });
  const auto started = std::chrono::steady_clock::now().time_since_epoch() - start_time;
  std::printf("start with the schema 1 fixture (migration included): %.0f ms\n",
              std::chrono::duration<double, std::milli>(started).count());
  const std::string admin = server.SignIn("admin", kAdminPassword);
  auto attendance = v1::AttendanceService::NewStub(server.channel());
  auto calendar = v1::CalendarService::NewStub(server.channel());
  auto feedback = v1::FeedbackService::NewStub(server.channel());
  auto study = v1::StudyService::NewStub(server.channel());
  auto sync = v1::SyncService::NewStub(server.channel());

  v1::ListMeetingsRequest list;
  list.set_organization_id(kBranch);
  list.set_page_size(100);
  v1::ListMeetingsResponse meetings;
  ASSERT_TRUE(attendance->ListMeetings(TestServer::Ctx(admin).get(), list, &meetings).ok());
  bool found = false;
  for (const auto& m : meetings.meetings()) found = found || m.id() == kSafetyMeeting;
  EXPECT_TRUE(found);
  EXPECT_GE(meetings.meetings_size(), 7);

  // The check-ins of one meeting, as the secretary marked them from the paper sheet.
  v1::GetRosterRequest roster_request;
  roster_request.set_meeting_id(kSafetyMeeting);
  v1::Roster roster;
  auto got = attendance->GetRoster(TestServer::Ctx(admin).get(), roster_request, &roster);
  ASSERT_TRUE(got.ok()) << got.error_message();
  EXPECT_EQ(roster.meeting().title(), "本周安全例会：冬季防滑防冻驾驶");
  EXPECT_EQ(roster.counts().expected(), 14);
  EXPECT_EQ(roster.counts().present(), 9);
  EXPECT_EQ(roster.counts().late(), 2);
  EXPECT_EQ(roster.counts().remote(), 2);
  EXPECT_EQ(roster.counts().absent(), 1);

  // The series and its occurrences.
  v1::ListSeriesOccurrencesRequest occurrences_request;
  occurrences_request.set_series_id(kSeries);
  v1::ListSeriesOccurrencesResponse occurrences;
  got = calendar->ListSeriesOccurrences(TestServer::Ctx(admin).get(), occurrences_request,
                                        &occurrences);
  ASSERT_TRUE(got.ok()) << got.error_message();
  ASSERT_GE(occurrences.occurrences_size(), 4);
  EXPECT_EQ(occurrences.occurrences(0).meeting_id(), 1099511627908u);
  EXPECT_EQ(occurrences.occurrences(0).date().month(), 12);
  EXPECT_EQ(occurrences.occurrences(0).date().day(), 7);

  // The branch's letters (one of them anonymous) and its study materials.
  v1::ListInboxRequest inbox_request;
  inbox_request.set_organization_id(kBranch);
  v1::ListLettersResponse inbox;
  got = feedback->ListInbox(TestServer::Ctx(admin).get(), inbox_request, &inbox);
  ASSERT_TRUE(got.ok()) << got.error_message();
  EXPECT_EQ(inbox.letters_size(), 4);
  v1::ListMaterialsRequest materials_request;
  materials_request.set_organization_id(kBranch);
  v1::ListMaterialsResponse materials;
  got = study->ListMaterials(TestServer::Ctx(admin).get(), materials_request, &materials);
  ASSERT_TRUE(got.ok()) << got.error_message();
  EXPECT_GT(materials.materials_size(), 0);

  // A member's pull reads the migrated members' index: the branch's meetings are there.
  v1::SignInResponse member_session;
  const std::string member = server.SignIn("13800000023", kDemoPassword, &member_session);
  v1::ListChangesRequest pull;
  pull.set_cursor(EncodeCursor(member_session.person().id(), 0));  // from the log's start
  pull.set_page_size(1000);
  v1::ListChangesResponse changes;
  got = sync->ListChanges(TestServer::Ctx(member).get(), pull, &changes);
  ASSERT_TRUE(got.ok()) << got.error_message();
  int meeting_changes = 0;
  for (const auto& c : changes.changes()) meeting_changes += c.kind() == "meeting";
  EXPECT_GE(meeting_changes, 4) << "the series alone made four";

  // Memberships with dates on data written before they existed: the people's memberships have
  // no first day (open since before the records), so moving someone who checked in keeps the
  // old meeting's roster as it was, with the organisation they were in then.
  uint64_t moved_id = 0, moved_from = 0;
  for (const auto& e : roster.entries()) {
    if (e.status() == v1::ATTENDANCE_STATUS_PRESENT) {
      moved_id = e.person_id();
      moved_from = e.organization_id();
      break;
    }
  }
  ASSERT_NE(moved_id, 0u);
  const uint64_t new_team =
      server.CreateOrg(admin, kBranch, "调入的新班组", v1::ORGANIZATION_KIND_TEAM).id();
  auto people = v1::PersonService::NewStub(server.channel());
  v1::ChangeMembershipRequest transfer;
  transfer.set_request_id("fixture-transfer-1");
  transfer.set_person_id(moved_id);
  transfer.set_organization_id(new_team);
  v1::Person moved;
  got = people->ChangeMembership(TestServer::Ctx(admin).get(), transfer, &moved);
  ASSERT_TRUE(got.ok()) << got.error_message();
  v1::Roster after;
  ASSERT_TRUE(attendance->GetRoster(TestServer::Ctx(admin).get(), roster_request, &after).ok());
  EXPECT_EQ(after.counts().expected(), 14);
  EXPECT_EQ(after.counts().present(), 9);
  for (const auto& e : after.entries()) {
    if (e.person_id() == moved_id) {
      EXPECT_EQ(e.organization_id(), moved_from);
    }
  }
  v1::ListMembershipsRequest history_request;
  history_request.set_person_id(moved_id);
  v1::ListMembershipsResponse history;
  ASSERT_TRUE(
      people->ListMemberships(TestServer::Ctx(admin).get(), history_request, &history).ok());
  ASSERT_EQ(history.memberships_size(), 2);
  EXPECT_EQ(history.memberships(0).organization_id(), new_team);
  EXPECT_FALSE(history.memberships(1).has_from_date());

  // New writes work on the migrated database, and it now says schema 2.
  server.CreateOrg(admin, kBranch, "升级后新建的小组", v1::ORGANIZATION_KIND_TEAM);
  server.Stop();
  EXPECT_EQ(StoredSchemaVersion(server.dir().Sub("data/db")), storage::kLatestSchemaVersion);
}

// tests/fixtures/schema-v2.tar.gz: written by the schema 2 server (2026-12-04), the same demo
// with one person deactivated after the meetings she attended. Served as it is; memberships
// with dates need no migration (a membership without a first day is open since before the
// records begin), so its rosters stay exactly as the schema 2 server counted them.
TEST(SchemaUpgrade, TheSchema2FixtureIsServedWithTheSameRosters) {
  bool unpacked = false;
  TestServer server([&](ServerOptions& options) {
    options.storage.clear();
    if (!unpacked) Unpack(SCHEMA_V2_FIXTURE, options.data_dir);
    unpacked = true;
  });
  const std::string admin = server.SignIn("admin", "fixture-admin-2");
  auto attendance = v1::AttendanceService::NewStub(server.channel());
  auto people = v1::PersonService::NewStub(server.channel());
  auto roster_of = [&](uint64_t meeting) {
    v1::GetRosterRequest r;
    r.set_meeting_id(meeting);
    v1::Roster roster;
    auto got = attendance->GetRoster(TestServer::Ctx(admin).get(), r, &roster);
    EXPECT_TRUE(got.ok()) << got.error_message();
    return roster;
  };
  constexpr uint64_t kDeactivated = 1099511627794;  // 孙丽, present at 797 and 798
  constexpr uint64_t kZhouJie = 1099511627791, kTeamTwo = 1099511627781, kTeamOne = 1099511627780;
  auto r798 = roster_of(kSafetyMeeting);
  EXPECT_EQ(r798.counts().expected(), 14);
  EXPECT_EQ(r798.counts().present(), 9);
  EXPECT_EQ(r798.counts().late(), 2);
  EXPECT_EQ(r798.counts().remote(), 2);
  EXPECT_EQ(r798.counts().absent(), 1);
  EXPECT_EQ(roster_of(1099511627799).counts().expected(), 13);

  // Written before memberships had dates: the deactivated person has no history to list, and
  // her membership can no longer change.
  v1::ListMembershipsRequest list;
  list.set_person_id(kDeactivated);
  v1::ListMembershipsResponse history;
  ASSERT_TRUE(people->ListMemberships(TestServer::Ctx(admin).get(), list, &history).ok());
  EXPECT_EQ(history.memberships_size(), 0);
  v1::ChangeMembershipRequest change;
  change.set_request_id("fixture-2-transfer-1");
  change.set_person_id(kDeactivated);
  change.set_organization_id(kTeamOne);
  v1::Person out;
  EXPECT_EQ(people->ChangeMembership(TestServer::Ctx(admin).get(), change, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  // Her attendance history still shows the meetings she attended (her last membership, never
  // dated, counts as before).
  v1::GetAttendanceHistoryRequest history_request;
  history_request.set_person_id(kDeactivated);
  history_request.mutable_start_time_from()->set_seconds(1795132800);  // 2026-11-20 UTC
  history_request.mutable_start_time_to()->set_seconds(std::time(nullptr));
  v1::AttendanceHistory attended;
  ASSERT_TRUE(
      attendance->GetAttendanceHistory(TestServer::Ctx(admin).get(), history_request, &attended)
          .ok());
  std::set<uint64_t> present_at;
  for (const auto& e : attended.entries()) {
    if (e.status() == v1::ATTENDANCE_STATUS_PRESENT) present_at.insert(e.meeting().id());
  }
  EXPECT_EQ(present_at, (std::set<uint64_t>{1099511627797, kSafetyMeeting}));
  // A transfer dated after the first meeting keeps that meeting's roster where it was.
  change.set_request_id("fixture-2-transfer-2");
  change.set_person_id(kZhouJie);
  change.mutable_effective_date()->set_year(2026);
  change.mutable_effective_date()->set_month(12);
  change.mutable_effective_date()->set_day(1);
  auto moved = people->ChangeMembership(TestServer::Ctx(admin).get(), change, &out);
  ASSERT_TRUE(moved.ok()) << moved.error_message();
  const auto r797 = roster_of(1099511627797);
  EXPECT_EQ(r797.counts().expected(), 14);
  bool found = false;
  for (const auto& e : r797.entries()) {
    if (e.person_id() != kZhouJie) continue;
    found = true;
    EXPECT_EQ(e.organization_id(), kTeamTwo);
  }
  EXPECT_TRUE(found);
  server.Stop();
  EXPECT_EQ(StoredSchemaVersion(server.dir().Sub("data/db")), storage::kLatestSchemaVersion);
}

// A database of a newer schema than this build is refused, with the version named, and left
// as it was.
TEST(SchemaUpgrade, ANewerDatabaseIsRefusedAndLeftUntouched) {
  testing::TempDir dir;
  const std::string db = dir.Sub("data/db");
  {
    storage::StoreOptions options;
    options.path = db;
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok());
    storage::WriteSet w;
    w.Put(storage::Cf::kMeta, storage::SchemaVersionKey(),
          storage::KeyBuilder().U32(storage::kLatestSchemaVersion + 1).key());
    w.Put(storage::Cf::kPeople, "written-by-the-newer-version", "x");
    ASSERT_TRUE((*store)->Commit(std::move(w)).ok());
  }
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("data");
  options.admin_password = testing::kAdminPassword;
  options.log_level = "warn";
  auto refused = BranchlineServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("newer than this server supports"), std::string::npos)
      << refused.status();
  // Untouched: the version and the records as the newer version left them (read through the
  // engine: a store would refuse it again).
  storage::StoreOptions engine_options;
  engine_options.path = db;
  auto engine = storage::OpenRocksDbEngine(engine_options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  auto version = (*engine)->Get(storage::Cf::kMeta, storage::SchemaVersionKey());
  ASSERT_TRUE(version.ok() && version->has_value());
  EXPECT_EQ(storage::KeyReader(**version).U32(), storage::kLatestSchemaVersion + 1);
  EXPECT_EQ((*engine)->Get(storage::Cf::kPeople, "written-by-the-newer-version")->value_or(""),
            "x");
}

}  // namespace
}  // namespace branchline
