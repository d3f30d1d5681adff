#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace branchline::storage {

class Engine;
class EngineBatch;

// Versioned schema migrations (docs/operations.md, "Upgrades"). The database records the
// schema version that wrote it (`schema_version` in Cf::kMeta). Store::Open brings an older
// database up to kLatestSchemaVersion before anything reads it, one step at a time
// (N -> N+1, in order), through the Engine interface, so the same steps run on RocksDB and
// PostgreSQL:
//
// - a step writes in batches of at most kMigrationBatchOps operations; each batch records
//   how far the step got (a resume key in Cf::kMeta), so a step stopped by a crash or an
//   error continues where it stopped at the next start, and redoing part of a batch changes
//   nothing (every write of a step is idempotent);
// - the new version number is written in the same atomic, synced write as the step's last
//   batch: until then the database is at the old version and its data as usable as before
//   (an older binary still opens it);
// - a step that fails stops the open with its error: the server refuses to start, the
//   version stays, and the next start retries;
// - a database newer than this build is refused with FAILED_PRECONDITION, untouched.

// The schema version this build writes and migrates older databases to: the last step's
// target. (It supersedes store.h's kSchemaVersion, the first version, which store.h keeps so
// that its users compile unchanged.)
inline constexpr uint32_t kLatestSchemaVersion = 2;

// One step: from `from` to `from + 1`.
struct MigrationStep;
class MigrationRun {
 public:
  // Adds the step's resume position to `batch` and writes it (synced). The batch may be
  // empty. UNAVAILABLE/INTERNAL from the engine, or an injected failure (tests).
  absl::Status Checkpoint(EngineBatch& batch, std::string_view resume_after);
  // Where the step stopped last time ("" from the start).
  const std::string& resume_after() const { return resume_after_; }
  // Logs "n of total" progress (total 0: unknown).
  void Progress(uint64_t done, std::string_view unit);

 private:
  friend absl::Status MigrateSchema(Engine& engine, uint32_t from_version);
  MigrationRun(Engine& engine, uint32_t from) : engine_(engine), from_(from) {}
  Engine& engine_;
  uint32_t from_;
  std::string resume_after_;
  uint64_t batches_ = 0;
  int64_t next_progress_log_ns_ = 0;
};

struct MigrationStep {
  uint32_t from;            // the step migrates `from` -> `from + 1`
  const char* description;  // for the log
  // Does the work in batches through run.Checkpoint(), and hands back its last batch
  // (not yet written): MigrateSchema adds the version record to it and writes it.
  std::function<absl::Status(Engine& engine, MigrationRun& run, EngineBatch& last_batch)> run;
};

// The meta key of the schema version record (a U32).
std::string SchemaVersionKey();

// Every step of this build, in order: steps()[i].from == i + 1, and the last step ends at
// kLatestSchemaVersion.
const std::vector<MigrationStep>& MigrationSteps();

// Runs the steps from `from_version` to kLatestSchemaVersion. Store::Open calls it.
absl::Status MigrateSchema(Engine& engine, uint32_t from_version);

// Operations per intermediate batch of a step.
inline constexpr size_t kMigrationBatchOps = 2000;

// The migration running in this process now, for the metrics endpoint (which serves while a
// long migration runs, before the database is open): the step's `from` version (0: none
// running) and the units (e.g. change-log entries) it has done so far. Lock-free.
struct MigrationState {
  uint32_t running_from = 0;
  uint64_t done = 0;
};
MigrationState CurrentMigration();

// Where migration messages go (the server sends them to its log; storage has no logger).
// Process-wide; default: standard error.
void SetMigrationLog(std::function<void(std::string_view message)> log);

// Test hooks, process-wide. `fail` is asked before each write of a step (the step's version,
// the write's number from 1, whether it is the step's last write): a non-OK answer fails the
// write as the engine would. `batch_ops` replaces kMigrationBatchOps (0: the default).
struct MigrationTestHooks {
  std::function<absl::Status(uint32_t from, uint64_t write, bool last)> fail;
  size_t batch_ops = 0;
};
void SetMigrationTestHooks(MigrationTestHooks hooks);

}  // namespace branchline::storage
