// Upgrades (docs/operations.md, "Upgrades"): each released schema version keeps a fixture
// database in tests/fixtures, written by that version's server with realistic data
// (`branchctl demo`, a meeting series); the current build opens it, migrates it, and serves
// its data. tests/fixtures/README.md says what each fixture holds.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
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

  // New writes work on the migrated database, and it now says schema 2.
  server.CreateOrg(admin, kBranch, "升级后新建的小组", v1::ORGANIZATION_KIND_TEAM);
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
