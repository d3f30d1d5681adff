// branchline-bench-datagen: loads a realistic organisation into a new data directory through
// the services' own code (the records are exactly what the API writes), with unsynced commits
// and a moving fake clock, then reports what that data costs on disk.
//
//   root ─ committees (branches / 100) ─ branches ─ people (people-per-branch each)
//   a year of monthly meetings per branch, check-ins by code for `attendance` of the members,
//   study records each month, a letter per branch per quarter.
//
// Bytes per check-in are measured as the growth of the compacted SST files over the
// check-in phase alone (records, indexes, change-log entries and idempotency answers).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "bench/load/fleet.h"
#include "nlohmann/json.hpp"
#include "server/bootstrap.h"
#include "services/auth/authenticator.h"
#include "services/auth/token_signer.h"
#include "services/domain.h"
#include "storage/store.h"

namespace branchline::bench {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
constexpr char kPassword[] = "bench-password-1";

struct Shape {
  std::string data_dir;
  std::string admin_password;
  int branches = 5000;
  int people_per_branch = 20;
  int months = 12;
  double attendance = 0.9;
  int study_per_month = 1;
  int threads = 2;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int64_t RealNowMicros() { return SystemClock().NowMicros(); }

uint64_t SstBytes(const std::string& path) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() == ".sst") total += entry.file_size();
  }
  return total;
}

uint64_t DirBytes(const std::string& path) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

// Deterministic "random" in [0, 1) so runs are comparable.
double Unit(uint64_t a, uint64_t b) {
  uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E5ull) * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 29;
  return (x >> 11) * (1.0 / 9007199254740992.0);
}

// Runs work(i) for i in [0, n) on `threads` threads; returns the first error.
absl::Status ParallelFor(int n, int threads, const std::function<absl::Status(int)>& work) {
  std::atomic<int> next{0};
  std::mutex mu;
  absl::Status first;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        auto s = work(i);
        if (!s.ok()) {
          std::lock_guard lock(mu);
          if (first.ok()) first = s;
          next = n;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  return first;
}

struct Branch {
  uint64_t id = 0;
  std::vector<Caller> members;
  std::vector<uint64_t> meetings;  // one per month
};

int Generate(const Shape& shape, const std::string& fleet_path, const std::string& stats_path) {
  const auto started = std::chrono::steady_clock::now();
  const std::string db_path = shape.data_dir + "/db";
  storage::StoreOptions store_options;
  store_options.path = db_path;
  store_options.sync_writes = false;  // a bulk load: durability comes from the final flush
  store_options.write_buffer_size = 64 << 20;
  store_options.memtable_budget_bytes = 256 << 20;  // fewer, larger flushes while loading
  auto opened = storage::Store::Open(store_options);
  if (!opened.ok()) return std::cerr << opened.status() << "\n", 1;
  auto& store = **opened;

  const int64_t real_now = RealNowMicros();
  const int64_t year_start = (real_now - shape.months * 30 * kDay) / kDay * kDay;
  FakeClock clock(year_start);
  auto token_key = TokenSigner::LoadOrCreateKey(shape.data_dir + "/token.key");
  auto receipt_key = TokenSigner::LoadOrCreateKey(shape.data_dir + "/feedback.key");
  if (!token_key.ok() || !receipt_key.ok()) return std::cerr << "cannot create keys\n", 1;
  TokenSigner signer(*token_key);
  // The same domain objects as the server's (services/domain.h), with test-cost hashing.
  DomainOptions options;
  options.password_hashing = PasswordHasher::Strength::kFastForTests;
  Domain domain(store, signer, *receipt_key, clock, options);
  OrgTree& orgs = domain.orgs;
  PeopleDirectory& people = domain.people;
  Sessions& sessions = domain.sessions;
  Meetings& meetings = domain.meetings;
  CheckIns& check_ins = domain.check_ins;
  StudyCatalog& catalog = domain.study_catalog;
  StudyJournal& journal = domain.study_journal;
  Mailbox& mailbox = domain.mailbox;

  std::ostringstream boot_out;
  auto boot = BootstrapIfEmpty(store, orgs, people, domain.hasher, shape.admin_password, boot_out);
  if (!boot.ok()) return std::cerr << boot << "\n", 1;
  v1::SignInRequest admin_login;
  admin_login.set_login("admin");
  admin_login.set_password(shape.admin_password);
  auto admin_session = sessions.SignIn(admin_login, "datagen");
  if (!admin_session.ok()) return std::cerr << admin_session.status() << "\n", 1;
  const Caller admin = CallerFromPerson(admin_session->person(), 0);
  const uint64_t root = admin_session->person().organization_id();
  nlohmann::json stats;
  auto fail = [](const absl::Status& s, const char* what) {
    std::cerr << what << ": " << s << "\n";
    return 1;
  };

  // Phase A: organisations, people, the year's meetings, a study material.
  auto phase = std::chrono::steady_clock::now();
  const int committees = std::max(1, shape.branches / 100);
  std::vector<uint64_t> committee_ids;
  for (int c = 0; c < committees; ++c) {
    v1::CreateOrganizationRequest r;
    r.set_request_id("datagen-committee-" + std::to_string(c));
    r.mutable_organization()->set_parent_id(root);
    r.mutable_organization()->set_name("第" + std::to_string(c + 1) + "党委");
    r.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_COMMITTEE);
    auto org = orgs.Create(admin, r);
    if (!org.ok()) return fail(org.status(), "committee");
    committee_ids.push_back(org->id());
  }
  std::vector<Branch> branches(shape.branches);
  for (int b = 0; b < shape.branches; ++b) {
    v1::CreateOrganizationRequest r;
    r.set_request_id("datagen-branch-" + std::to_string(b));
    r.mutable_organization()->set_parent_id(committee_ids[b % committees]);
    r.mutable_organization()->set_name("第" + std::to_string(b + 1) + "党支部");
    r.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
    auto org = orgs.Create(admin, r);
    if (!org.ok()) return fail(org.status(), "branch");
    branches[b].id = org->id();
  }
  const int total_people = shape.branches * shape.people_per_branch;
  const int batches = (total_people + 999) / 1000;
  auto imported = ParallelFor(batches, shape.threads, [&](int batch) -> absl::Status {
    v1::ImportPeopleRequest r;
    r.set_request_id("datagen-import-" + std::to_string(batch));
    std::vector<int> branch_of;
    for (int i = batch * 1000; i < std::min(total_people, (batch + 1) * 1000); ++i) {
      int b = i / shape.people_per_branch;
      auto* row = r.add_rows();
      row->mutable_person()->set_organization_id(branches[b].id);
      row->mutable_person()->set_display_name("党员" + std::to_string(i));
      row->mutable_person()->set_employee_number("scale-" + std::to_string(i));
      row->mutable_person()->set_role(i % shape.people_per_branch == 0 ? v1::ROLE_SECRETARY
                                                                       : v1::ROLE_FULL_MEMBER);
      row->set_initial_password(kPassword);
      branch_of.push_back(b);
    }
    auto out = people.Import(admin, r);
    if (!out.ok()) return out.status();
    if (out->failed_count() != 0) return absl::InternalError(out->results(0).status().message());
    return absl::OkStatus();
  });
  if (!imported.ok()) return fail(imported, "import");
  // Callers for the members, read back from the directory like the authenticator does.
  for (auto& branch : branches) {
    auto listed = people.ForEachInSubtree(branch.id, [&](const v1::Person& p) {
      branch.members.push_back(CallerFromPerson(p, 0));
      return true;
    });
    if (!listed.ok()) return fail(listed, "list members");
  }
  auto meetings_made = ParallelFor(shape.branches, shape.threads, [&](int b) -> absl::Status {
    for (int m = 0; m < shape.months; ++m) {
      v1::CreateMeetingRequest r;
      r.set_request_id("datagen-meeting-" + std::to_string(b) + "-" + std::to_string(m));
      auto* meeting = r.mutable_meeting();
      meeting->set_organization_id(branches[b].id);
      meeting->set_type(m % 3 == 0 ? v1::MEETING_TYPE_GENERAL_MEETING
                                   : v1::MEETING_TYPE_ORGANIZATIONAL_LIFE);
      meeting->set_title("第" + std::to_string(m + 1) + "月例会");
      int64_t start = year_start + (m * 30 + 5) * kDay + 9 * 3600 * kSecond;
      *meeting->mutable_start_time() = ToTimestamp(start);
      *meeting->mutable_end_time() = ToTimestamp(start + 3600 * kSecond);
      meeting->mutable_window()->set_opens_minutes_before(30);
      meeting->mutable_window()->set_late_after_minutes(10);
      meeting->mutable_window()->set_closes_minutes_after(60);
      auto made = meetings.Create(admin, r);
      if (!made.ok()) return made.status();
      branches[b].meetings.push_back(made->id());
    }
    return absl::OkStatus();
  });
  if (!meetings_made.ok()) return fail(meetings_made, "meetings");
  // The coming weeks: an organisation-wide meeting each week, so everyone's "my upcoming
  // meetings" has a full page.
  for (int w = 0; w < 12; ++w) {
    v1::CreateMeetingRequest r;
    r.set_request_id("datagen-upcoming-" + std::to_string(w));
    auto* meeting = r.mutable_meeting();
    meeting->set_organization_id(root);
    meeting->set_type(v1::MEETING_TYPE_THEME_PARTY_DAY);
    meeting->set_title("主题党日 第" + std::to_string(w + 1) + "周");
    int64_t start = (real_now / kDay + 2 + 7 * w) * kDay + 9 * 3600 * kSecond;
    *meeting->mutable_start_time() = ToTimestamp(start);
    *meeting->mutable_end_time() = ToTimestamp(start + 3 * 3600 * kSecond);
    auto made = meetings.Create(admin, r);
    if (!made.ok()) return fail(made.status(), "upcoming meetings");
  }
  v1::CreateMaterialRequest material_request;
  material_request.set_request_id("datagen-material");
  material_request.mutable_material()->set_organization_id(root);
  material_request.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
  material_request.mutable_material()->set_title("党章学习");
  material_request.mutable_material()->set_body("第一章 总纲");
  material_request.mutable_material()->set_estimated_minutes(30);
  auto material = catalog.CreateMaterial(admin, material_request);
  if (!material.ok()) return fail(material.status(), "material");
  if (auto s = store.FlushAndCompact(); !s.ok()) return fail(s, "compact");
  const uint64_t bytes_before_check_ins = SstBytes(db_path);
  stats["phase_setup_seconds"] = Seconds(phase);

  // Phase B: a year of check-ins, month by month, each at its meeting's time.
  phase = std::chrono::steady_clock::now();
  std::atomic<uint64_t> check_in_count{0};
  for (int m = 0; m < shape.months; ++m) {
    clock.Set(year_start + (m * 30 + 5) * kDay + 9 * 3600 * kSecond - 3 * 60 * kSecond);
    auto done = ParallelFor(shape.branches, shape.threads, [&](int b) -> absl::Status {
      const auto& branch = branches[b];
      v1::GetCheckInCodeRequest code_request;
      code_request.set_meeting_id(branch.meetings[m]);
      auto code = meetings.GetCode(admin, code_request);
      if (!code.ok()) return code.status();
      for (size_t p = 0; p < branch.members.size(); ++p) {
        if (Unit(branch.members[p].person_id, m) >= shape.attendance) continue;
        v1::CheckInRequest r;
        r.set_request_id("datagen-checkin-" + std::to_string(branch.meetings[m]) + "-" +
                         std::to_string(p));
        r.set_meeting_id(branch.meetings[m]);
        *r.mutable_device_time() = ToTimestamp(clock.NowMicros());
        r.mutable_code()->set_code(code->code());
        *r.mutable_code()->mutable_captured_time() = ToTimestamp(clock.NowMicros());
        auto out = check_ins.CheckIn(branch.members[p], r);
        if (!out.ok()) return out.status();
        ++check_in_count;
      }
      return absl::OkStatus();
    });
    if (!done.ok()) return fail(done, "check-ins");
  }
  stats["phase_check_ins_seconds"] = Seconds(phase);
  if (auto s = store.FlushAndCompact(); !s.ok()) return fail(s, "compact");
  const uint64_t bytes_after_check_ins = SstBytes(db_path);

  // Phase C: study records and letters.
  phase = std::chrono::steady_clock::now();
  std::atomic<uint64_t> study_count{0}, letter_count{0};
  for (int m = 0; m < shape.months; ++m) {
    clock.Set(year_start + (m * 30 + 12) * kDay + 20 * 3600 * kSecond);
    auto done = ParallelFor(shape.branches, shape.threads, [&](int b) -> absl::Status {
      const auto& branch = branches[b];
      for (size_t p = 0; p < branch.members.size(); ++p) {
        for (int k = 0; k < shape.study_per_month; ++k) {
          v1::RecordStudyRequest r;
          r.set_request_id("datagen-study-" + std::to_string(m) + "-" + std::to_string(k));
          r.set_material_id(material->id());
          r.set_minutes(30 + static_cast<int>(Unit(branch.members[p].person_id, m + k) * 60));
          r.set_notes("学习了第" + std::to_string(m + 1) + "章，体会很深。");
          // Earlier the same evening: a device time after the clock would be refused.
          *r.mutable_device_time() = ToTimestamp(clock.NowMicros() - k * 3600 * kSecond);
          auto out = journal.Record(branch.members[p], r);
          if (!out.ok()) return out.status();
          ++study_count;
        }
      }
      if (m % 3 == 0 && branch.members.size() > 1) {
        v1::SubmitLetterRequest r;
        r.set_request_id("datagen-letter-" + std::to_string(branch.id) + "-" + std::to_string(m));
        r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
        r.set_subject("关于学习安排的建议");
        r.set_body("建议把周五的学习时间调整到下午，方便值班的同志参加。");
        auto out = mailbox.Submit(branch.members[1], r);
        if (!out.ok()) return out.status();
        ++letter_count;
      }
      return absl::OkStatus();
    });
    if (!done.ok()) return fail(done, "study and letters");
  }
  stats["phase_study_letters_seconds"] = Seconds(phase);

  // Tokens for the load generator, issued at the real time (they live 15 minutes).
  clock.Set(RealNowMicros());
  Fleet fleet;
  auto admin_now = sessions.SignIn(admin_login, "datagen");
  if (!admin_now.ok()) return fail(admin_now.status(), "admin sign-in");
  fleet.admin_token = admin_now->access_token();
  fleet.branch_id = root;
  fleet.material_id = material->id();
  fleet.meeting_ids.push_back(branches[0].meetings.back());
  // 64 members spread over the branches, for per-person calls at scale.
  for (int i = 0; i < 64; ++i) {
    int b = static_cast<int>(uint64_t(i) * shape.branches / 64);
    v1::SignInRequest login;
    login.set_login("scale-" + std::to_string(b * shape.people_per_branch + 1));
    login.set_password(kPassword);
    auto signed_in = sessions.SignIn(login, "datagen");
    if (!signed_in.ok()) return fail(signed_in.status(), "member sign-in");
    fleet.person_ids.push_back(signed_in->person().id());
    fleet.tokens.push_back(signed_in->access_token());
  }
  if (auto s = fleet.Save(fleet_path); !s.ok()) return fail(s, "fleet");

  if (auto s = store.FlushAndCompact(); !s.ok()) return fail(s, "compact");
  const uint64_t records = 1 + committees + shape.branches + total_people +
                           uint64_t(shape.branches) * shape.months + 12 + check_in_count +
                           study_count + letter_count;
  stats["organizations"] = 1 + committees + shape.branches;
  stats["people"] = total_people;
  stats["meetings"] = uint64_t(shape.branches) * shape.months + 12;
  stats["check_ins"] = check_in_count.load();
  stats["study_records"] = study_count.load();
  stats["letters"] = letter_count.load();
  stats["records"] = records;
  stats["sst_bytes"] = SstBytes(db_path);
  stats["dir_bytes"] = DirBytes(shape.data_dir);
  stats["bytes_per_check_in"] =
      check_in_count ? double(bytes_after_check_ins - bytes_before_check_ins) / check_in_count
                     : 0.0;
  stats["total_seconds"] = Seconds(started);
  stats["records_per_second"] = records / Seconds(started);
  std::ofstream(stats_path) << stats.dump(2) << "\n";
  std::cout << stats.dump(2) << std::endl;
  return 0;
}

}  // namespace
}  // namespace branchline::bench

int main(int argc, char** argv) {
  branchline::bench::Shape shape;
  std::string fleet_path, stats_path;
  CLI::App app{"Loads a realistic organisation into a new Branchline data directory"};
  app.add_option("--data-dir", shape.data_dir, "New data directory")->required();
  app.add_option("--admin-password", shape.admin_password)->required();
  app.add_option("--fleet", fleet_path, "Where to write tokens for branchline-bench")->required();
  app.add_option("--stats", stats_path, "Where to write the figures (JSON)")->required();
  app.add_option("--branches", shape.branches)
      ->capture_default_str()
      ->check(CLI::Range(64, 100'000));
  app.add_option("--people-per-branch", shape.people_per_branch)
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  app.add_option("--months", shape.months)->capture_default_str()->check(CLI::Range(1, 12));
  app.add_option("--attendance", shape.attendance)
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--study-per-month", shape.study_per_month)
      ->capture_default_str()
      ->check(CLI::Range(0, 20));
  app.add_option("--threads", shape.threads)->capture_default_str()->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);
  if (std::filesystem::exists(shape.data_dir + "/db")) {
    std::cerr << "--data-dir must be a new directory\n";
    return 2;
  }
  return branchline::bench::Generate(shape, fleet_path, stats_path);
}
