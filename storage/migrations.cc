#include "storage/migrations.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <limits>
#include <mutex>

#include "branchline/internal/v1/records.pb.h"
#include "storage/engine.h"
#include "storage/key_codec.h"
#include "storage/keys.h"

namespace branchline::storage {

namespace {

// What CurrentMigration() answers: the running step's `from` (0: none) and its units done.
std::atomic<uint32_t> g_running_from{0};
std::atomic<uint64_t> g_done{0};

// Marks a step as running for CurrentMigration() while it lives.
class RunningStep {
 public:
  explicit RunningStep(uint32_t from) {
    g_done.store(0, std::memory_order_relaxed);
    g_running_from.store(from, std::memory_order_relaxed);
  }
  ~RunningStep() { g_running_from.store(0, std::memory_order_relaxed); }
};

std::mutex& SettingsMutex() {
  static std::mutex mu;
  return mu;
}
std::function<void(std::string_view)>& LogSink() {
  static auto* sink = new std::function<void(std::string_view)>;
  return *sink;
}
MigrationTestHooks& Hooks() {
  static auto* hooks = new MigrationTestHooks;
  return *hooks;
}

void Log(const std::string& message) {
  std::function<void(std::string_view)> sink;
  {
    std::lock_guard lock(SettingsMutex());
    sink = LogSink();
  }
  if (sink) {
    sink(message);
  } else {
    std::fprintf(stderr, "%s\n", message.c_str());
  }
}

absl::Status InjectedFailure(uint32_t from, uint64_t write, bool last) {
  std::function<absl::Status(uint32_t, uint64_t, bool)> fail;
  {
    std::lock_guard lock(SettingsMutex());
    fail = Hooks().fail;
  }
  return fail ? fail(from, write, last) : absl::OkStatus();
}

size_t BatchOps() {
  std::lock_guard lock(SettingsMutex());
  return Hooks().batch_ops ? Hooks().batch_ops : kMigrationBatchOps;
}

// Meta: how far the step from `from` got (the last key it finished), while it runs.
std::string ResumeKey(uint32_t from) {
  return KeyBuilder().Str("migration_resume").U32(from).key();
}

std::string Prefixed(uint32_t from, const absl::Status& status) {
  return "schema migration " + std::to_string(from) + " -> " + std::to_string(from + 1) +
         " failed; the database stays at version " + std::to_string(from) +
         " (usable as before) and the next start tries again: " + std::string(status.message());
}

// --- 1 -> 2: the change log's organisation indexes complete ---------------------------------
//
// Version 1 databases may hold organisation index entries (ChangeByOrgKey) without the
// change's kind (written before the kind was indexed), and changes older than the members'
// index (ChangeForMembersByOrgKey, whose start Store::MembersChangeIndexFrom recorded) only in
// the full organisation index: member pulls read those from the full index with a fallback.
// This step writes every missing kind and indexes every older organisation change in the
// members' index (the reader still filters by kind and audience, so indexing a change
// members do not see costs a skipped entry, never a wrong answer), then records that the
// members' index starts at 0: ChangeReader has one path for every pull.
absl::Status CompleteChangeIndexes(Engine& engine, MigrationRun& run, EngineBatch& last) {
  uint64_t members_from = std::numeric_limits<uint64_t>::max();  // no mark: all predate it
  auto stored = engine.Get(Cf::kMeta, MembersChangeIndexFromKey());
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    KeyReader r(**stored);
    auto from = r.U64();
    if (!from || !r.done()) return absl::DataLossError("unreadable start of the members' index");
    members_from = *from;
  }
  const size_t batch_ops = BatchOps();
  std::string after = run.resume_after();
  uint64_t visited = 0, kinds_written = 0, members_indexed = 0;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> page;
    auto scanned = engine.Scan(Cf::kChanges, "", after, [&](auto key, auto value) {
      page.emplace_back(key, value);
      return page.size() < batch_ops / 2;  // up to two writes per change
    });
    if (!scanned.ok()) return scanned;
    if (page.empty()) break;
    auto batch = engine.NewBatch();
    for (const auto& [key, value] : page) {
      KeyReader r(key);
      auto tenant = r.U32();
      auto sequence = r.U64();
      if (!tenant || !sequence || !r.done()) return absl::DataLossError("changes: malformed key");
      internal::v1::ChangeRecord change;
      if (!change.ParseFromString(value)) {
        return absl::DataLossError("change " + std::to_string(*sequence) + " does not parse");
      }
      ++visited;
      if (change.organization_id() == 0) continue;
      const std::string by_org = ChangeByOrgKey(change.organization_id(), *sequence);
      auto entry = engine.Get(Cf::kIndex, by_org);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value() || **entry != change.kind()) {
        batch->Put(Cf::kIndex, by_org, change.kind());
        ++kinds_written;
      }
      if (*sequence <= members_from) {
        batch->Put(Cf::kIndex, ChangeForMembersByOrgKey(change.organization_id(), *sequence),
                   change.kind());
        ++members_indexed;
      }
    }
    after = page.back().first;
    if (auto s = run.Checkpoint(*batch, after); !s.ok()) return s;
    run.Progress(visited, "change-log entries");
  }
  Log("  " + std::to_string(visited) + " change-log entries: " + std::to_string(kinds_written) +
      " organisation index entries given their kind, " + std::to_string(members_indexed) +
      " added to the members' index");
  last.Put(Cf::kMeta, MembersChangeIndexFromKey(), KeyBuilder().U64(0).key());
  return absl::OkStatus();
}

}  // namespace

MigrationState CurrentMigration() {
  return {g_running_from.load(std::memory_order_relaxed), g_done.load(std::memory_order_relaxed)};
}

std::string SchemaVersionKey() { return KeyBuilder().Str("schema_version").key(); }

const std::vector<MigrationStep>& MigrationSteps() {
  static const auto* steps = new std::vector<MigrationStep>{
      {1, "complete the change log's organisation indexes (kinds, members' index)",
       CompleteChangeIndexes},
  };
  return *steps;
}

void SetMigrationLog(std::function<void(std::string_view message)> log) {
  std::lock_guard lock(SettingsMutex());
  LogSink() = std::move(log);
}

void SetMigrationTestHooks(MigrationTestHooks hooks) {
  std::lock_guard lock(SettingsMutex());
  Hooks() = std::move(hooks);
}

absl::Status MigrationRun::Checkpoint(EngineBatch& batch, std::string_view resume_after) {
  ++batches_;
  if (auto s = InjectedFailure(from_, batches_, false); !s.ok()) return s;
  batch.Put(Cf::kMeta, ResumeKey(from_), resume_after);
  if (auto s = engine_.Write(batch, /*force_sync=*/true); !s.ok()) return s;
  resume_after_ = std::string(resume_after);
  return absl::OkStatus();
}

void MigrationRun::Progress(uint64_t done, std::string_view unit) {
  g_done.store(done, std::memory_order_relaxed);
  // At most one line every 2 seconds.
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  if (now < next_progress_log_ns_) return;
  next_progress_log_ns_ = now + 2'000'000'000;
  Log("  schema migration " + std::to_string(from_) + " -> " + std::to_string(from_ + 1) + ": " +
      std::to_string(done) + " " + std::string(unit) + " done");
}

absl::Status MigrateSchema(Engine& engine, uint32_t from_version) {
  const auto& steps = MigrationSteps();
  for (uint32_t version = from_version; version < kLatestSchemaVersion; ++version) {
    if (version == 0 || version > steps.size() || steps[version - 1].from != version) {
      return absl::InternalError("no migration from schema version " + std::to_string(version));
    }
    const MigrationStep& step = steps[version - 1];
    const auto started = std::chrono::steady_clock::now();
    RunningStep running(version);
    MigrationRun run(engine, version);
    auto resume = engine.Get(Cf::kMeta, ResumeKey(version));
    if (!resume.ok())
      return absl::Status(resume.status().code(), Prefixed(version, resume.status()));
    if (resume->has_value()) run.resume_after_ = **resume;
    Log("schema migration " + std::to_string(version) + " -> " + std::to_string(version + 1) +
        ": " + step.description + (run.resume_after_.empty() ? "" : " (resuming)"));
    auto last = engine.NewBatch();
    absl::Status status = step.run(engine, run, *last);
    if (status.ok()) {
      ++run.batches_;
      status = InjectedFailure(version, run.batches_, true);
    }
    if (status.ok()) {
      // The step's last write carries the new version: both or neither.
      last->Delete(Cf::kMeta, ResumeKey(version));
      last->Put(Cf::kMeta, SchemaVersionKey(), KeyBuilder().U32(version + 1).key());
      status = engine.Write(*last, /*force_sync=*/true);
    }
    if (!status.ok()) return absl::Status(status.code(), Prefixed(version, status));
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    Log("schema migration " + std::to_string(version) + " -> " + std::to_string(version + 1) +
        " done in " + std::to_string(millis) + " ms");
  }
  return absl::OkStatus();
}

}  // namespace branchline::storage
