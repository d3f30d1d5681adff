#include "storage/store.h"

#include <algorithm>
#include <chrono>

#include "google/protobuf/message_lite.h"
#include "google/protobuf/util/time_util.h"
#include "storage/engine.h"
#include "storage/key_codec.h"
#include "storage/keys.h"
#include "storage/migrations.h"
#include "storage/postgres_engine.h"
#include "storage/record_cache.h"
#include "storage/rocksdb_engine.h"

namespace branchline::storage {

namespace {

constexpr uint64_t kIdBlock = 1024;

std::string EncodeU64(uint64_t v) { return KeyBuilder().U64(v).key(); }
std::optional<uint64_t> DecodeU64(std::string_view s) {
  KeyReader r(s);
  auto v = r.U64();
  return r.done() ? v : std::nullopt;
}

std::string TenantHwmKey() { return KeyBuilder().Str("tenant_hwm").key(); }
std::string IdHwmKey(uint32_t tenant) { return KeyBuilder().Str("id_hwm").U32(tenant).key(); }

// Writes one meta record durably, even with --unsafe-no-sync.
absl::Status PutSynced(Engine& engine, std::string_view key, std::string_view value) {
  auto batch = engine.NewBatch();
  batch->Put(Cf::kMeta, key, value);
  return engine.Write(*batch, /*force_sync=*/true);
}

// Reads `key` of a cached column family through `cache`, from memory or else from the engine.
// `use` gets the value and returns whether it is sound (parses); only a sound value is kept,
// so a damaged record keeps answering DATA_LOSS from the engine. With `keep_absence` an absent
// key is kept as such. Returns false when the key is absent.
template <typename Use>
absl::StatusOr<bool> ReadThrough(RecordCache& cache, const Engine& engine, Cf cf,
                                 std::string_view key, bool keep_absence, Use&& use) {
  bool found = false;
  bool sound = false;
  RecordCache::Ticket ticket;
  const bool hit = cache.Find(
      cf, key,
      [&](const std::string* cached) {
        found = cached != nullptr;
        sound = found && use(std::string_view(*cached));
      },
      ticket);
  if (!hit) {
    auto read = engine.Get(cf, key);
    if (!read.ok()) return read.status();
    found = read->has_value();
    if (found) {
      sound = use(std::string_view(**read));
      if (sound) cache.Fill(cf, key, **read, ticket);
    } else if (keep_absence) {
      cache.FillAbsent(cf, key, ticket);
    }
  }
  if (found && !sound) return UnparseableRecordError(cf);
  return found;
}

// ReadThrough parsing into `message`.
absl::StatusOr<bool> ReadMessageThrough(RecordCache& cache, const Engine& engine, Cf cf,
                                        std::string_view key, bool keep_absence,
                                        google::protobuf::MessageLite* message) {
  return ReadThrough(cache, engine, cf, key, keep_absence, [message](std::string_view value) {
    return message->ParseFromArray(value.data(), static_cast<int>(value.size()));
  });
}

// The highest sequence in the change log: the last key of each tenant's range.
absl::StatusOr<uint64_t> RecoverLastChange(const Engine& engine) {
  uint64_t last = 0;
  std::string after;  // the last key of the tenant visited before
  for (;;) {
    std::optional<uint32_t> tenant;
    bool malformed = false;
    auto s = engine.Scan(Cf::kChanges, "", after, [&](std::string_view key, std::string_view) {
      tenant = KeyReader(key).U32();
      malformed = !tenant;
      return false;
    });
    if (!s.ok()) return s;
    if (malformed) return absl::DataLossError("changes: malformed key");
    if (!tenant) return last;
    s = engine.ScanReverse(Cf::kChanges, KeyBuilder(*tenant).key(), "",
                           [&](std::string_view key, std::string_view) {
                             KeyReader r(key);
                             r.U32();
                             auto seq = r.U64();
                             malformed = !seq;
                             if (seq) last = std::max(last, *seq);
                             return false;
                           });
    if (!s.ok()) return s;
    if (malformed) return absl::DataLossError("changes: malformed key");
    after = KeyBuilder(*tenant).U64(UINT64_MAX).key();
  }
}

// Per tenant, the highest change-log sequence retention has deleted (ChangesPrunedKey).
absl::StatusOr<std::map<uint32_t, uint64_t>> LoadPrunedMarks(const Engine& engine) {
  std::map<uint32_t, uint64_t> marks;
  const std::string prefix = ChangesPrunedPrefix();
  absl::Status inner;
  auto s = engine.Scan(Cf::kMeta, prefix, "", [&](std::string_view k, std::string_view value) {
    KeyReader key(k.substr(prefix.size()));
    auto tenant = key.U32();
    auto sequence = DecodeU64(value);
    if (!tenant || !key.done() || !sequence) {
      inner = absl::DataLossError("unreadable pruned mark");
      return false;
    }
    marks[*tenant] = *sequence;
    return true;
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return marks;
}

// Where the members' organisation index (kChangeForMembersByOrg) begins: recorded by the first
// start that writes it, as the last sequence then (0 for a new database). Synced, like the
// schema version: losing it would hide the older changes from pulls.
absl::StatusOr<uint64_t> LoadMembersChangeIndexFrom(Engine& engine, uint64_t last_sequence) {
  auto stored = engine.Get(Cf::kMeta, MembersChangeIndexFromKey());
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    auto from = DecodeU64(**stored);
    if (!from) return absl::DataLossError("unreadable start of the members' change index");
    return *from;
  }
  auto s = PutSynced(engine, MembersChangeIndexFromKey(), EncodeU64(last_sequence));
  if (!s.ok()) return s;
  return last_sequence;
}

// Refuses a newer database, migrates an older one (migrations.h), stamps a new one.
absl::Status CheckSchema(Engine& engine) {
  auto stored = engine.Get(Cf::kMeta, SchemaVersionKey());
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    if (engine.existed()) {
      return absl::DataLossError("database has no schema version: not a Branchline database?");
    }
    // Synced even with --unsafe-no-sync: a power cut after the column families exist but
    // before this record is durable would leave a database that no later start accepts.
    return PutSynced(engine, SchemaVersionKey(), KeyBuilder().U32(kLatestSchemaVersion).key());
  }
  KeyReader r(**stored);
  auto version = r.U32();
  if (!version || !r.done()) return absl::DataLossError("schema version is unreadable");
  if (*version > kLatestSchemaVersion) {
    return absl::FailedPreconditionError("database schema version " + std::to_string(*version) +
                                         " is newer than this server supports (" +
                                         std::to_string(kLatestSchemaVersion) +
                                         "): upgrade the server");
  }
  if (*version == 0) return absl::DataLossError("schema version 0 is not a Branchline version");
  return MigrateSchema(engine, *version);
}

}  // namespace

void WriteSet::Put(Cf cf, std::string key, std::string value) {
  ops_.push_back({cf, false, std::move(key), std::move(value)});
}
void WriteSet::PutMessage(Cf cf, std::string key, const google::protobuf::MessageLite& message) {
  Put(cf, std::move(key), message.SerializeAsString());
}
void WriteSet::Delete(Cf cf, std::string key) { ops_.push_back({cf, true, std::move(key), {}}); }
void WriteSet::PutIfAbsent(Cf cf, std::string key, std::string value) {
  ops_.push_back({cf, false, std::move(key), std::move(value), /*if_absent=*/true});
}
bool WriteSet::has_guards() const {
  return std::any_of(ops_.begin(), ops_.end(), [](const Op& op) { return op.if_absent; });
}
void WriteSet::AddChange(uint32_t tenant, internal::v1::ChangeRecord change) {
  changes_.emplace_back(tenant, std::move(change));
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  auto engine = options.postgres.empty() ? OpenRocksDbEngine(options) : OpenPostgresEngine(options);
  if (!engine.ok()) return engine.status();
  // The engine closes the database if anything below fails.
  auto schema = CheckSchema(**engine);
  if (!schema.ok()) return schema;
  // Where the change log stands: the last sequence written, or on an engine that numbers the
  // log itself its stable mark (a sequence already written above it may belong to a commit
  // that ended while an older one still runs).
  auto last_change = (*engine)->SequencesChanges() ? (*engine)->StableChangeSequence()
                                                   : RecoverLastChange(**engine);
  if (!last_change.ok()) return last_change.status();
  auto pruned = LoadPrunedMarks(**engine);
  if (!pruned.ok()) return pruned.status();
  // Retention may have deleted the newest entries of a quiet log: sequences must still
  // never be handed out twice, or old cursors would point into new changes.
  uint64_t last = *last_change;
  for (const auto& [tenant, sequence] : *pruned) last = std::max(last, sequence);
  auto members_index_from = LoadMembersChangeIndexFrom(**engine, last);
  if (!members_index_from.ok()) return members_index_from.status();
  return std::unique_ptr<Store>(
      new Store(options, std::move(*engine), last, std::move(*pruned), *members_index_from));
}

Store::Store(StoreOptions options, std::unique_ptr<Engine> engine, uint64_t last_change,
             std::map<uint32_t, uint64_t> pruned_through, uint64_t members_change_index_from)
    : options_(std::move(options)),
      engine_(std::move(engine)),
      sequencer_(last_change),
      pruned_through_(std::move(pruned_through)),
      members_change_index_from_(members_change_index_from) {
  // Only the database's sole writer may cache: see record_cache.h.
  if (options_.postgres.empty() && options_.record_cache_bytes > 0) {
    cache_ = std::make_unique<RecordCache>(options_.record_cache_bytes);
  }
  // Other servers on the same database take the same stripes there (key_locks.h); request
  // and record locks are two lock spaces, taken in that order everywhere.
  if (auto* shared = engine_->shared_locks()) {
    request_locks_.ShareWith(shared, 1);
    record_locks_.ShareWith(shared, 2);
  }
  // Commits through other servers advance the mark too: WatchChanges hears of them here.
  if (engine_->SequencesChanges()) {
    engine_->FollowStableChangeSequence([this](uint64_t stable) { sequencer_.Publish(stable); });
  }
}

// The engine outlives the sequencer (members end in reverse order): stop publishing first.
Store::~Store() {
  if (engine_->SequencesChanges()) engine_->FollowStableChangeSequence(nullptr);
}

bool Store::LeadsBackgroundWork() { return engine_->LeadsBackgroundWork(); }
bool Store::LedBackgroundWork() const { return engine_->LedBackgroundWork(); }

std::string_view Store::engine_name() const {
  return options_.postgres.empty() ? "rocksdb" : "postgres";
}

uint64_t Store::StableChangeSequence() const {
  if (!engine_->SequencesChanges()) return sequencer_.Stable();
  // Asked each time rather than only followed: a reader must find what another server
  // committed a moment ago, and what this one just committed. The mark never goes back.
  auto stable = engine_->StableChangeSequence();
  return stable.ok() ? std::max(*stable, sequencer_.Stable()) : sequencer_.Stable();
}

uint64_t Store::ChangesPrunedThrough(uint32_t tenant) const {
  uint64_t mark = 0;
  {
    std::lock_guard lock(pruned_mu_);
    auto it = pruned_through_.find(tenant);
    if (it != pruned_through_.end()) mark = it->second;
  }
  if (!engine_->SequencesChanges()) return mark;
  // The database may be shared: another server's retention writes the mark with its
  // deletions, in one transaction, so a reader that checks after reading (as readers do)
  // finds a mark covering any entry it missed. An unreadable mark keeps the one known here.
  auto stored = engine_->Get(Cf::kMeta, ChangesPrunedKey(tenant));
  if (!stored.ok() || !stored->has_value()) return mark;
  return std::max(mark, DecodeU64(**stored).value_or(0));
}

void Store::RaiseChangesPrunedThrough(uint32_t tenant, uint64_t sequence) {
  std::lock_guard lock(pruned_mu_);
  uint64_t& mark = pruned_through_[tenant];
  mark = std::max(mark, sequence);
}

absl::StatusOr<std::optional<std::string>> Store::Get(Cf cf, std::string_view key) const {
  if (!cache_ || !RecordCache::Caches(cf)) return engine_->Get(cf, key);
  std::optional<std::string> value;
  auto found =
      ReadThrough(*cache_, *engine_, cf, key, /*keep_absence=*/false, [&](std::string_view bytes) {
        value.emplace(bytes);
        return true;
      });
  if (!found.ok()) return found.status();
  return value;
}

absl::StatusOr<std::optional<size_t>> Store::GetFirstMessage(
    Cf cf, const std::vector<std::string>& keys, google::protobuf::MessageLite* message) const {
  if (cache_ && RecordCache::Caches(cf)) {  // through the cache, one key at a time
    for (size_t i = 0; i < keys.size(); ++i) {
      // The keys name an organisation's chain, not a request: their absence is kept too.
      auto found =
          ReadMessageThrough(*cache_, *engine_, cf, keys[i], /*keep_absence=*/true, message);
      if (!found.ok()) return found.status();
      if (*found) return i;
    }
    return std::nullopt;
  }
  auto first = engine_->GetFirst(cf, keys);
  if (!first.ok()) return first.status();
  if (!*first) return std::nullopt;
  if (!message->ParseFromString((*first)->second)) {
    return UnparseableRecordError(cf);
  }
  return (*first)->first;
}

absl::StatusOr<bool> Store::GetMessage(Cf cf, std::string_view key,
                                       google::protobuf::MessageLite* message) const {
  if (!cache_ || !RecordCache::Caches(cf)) return engine_->GetMessage(cf, key, message);
  return ReadMessageThrough(*cache_, *engine_, cf, key, /*keep_absence=*/false, message);
}

absl::StatusOr<uint64_t> Store::AddToBatch(WriteSet& set, EngineBatch& wb, uint32_t& places) {
  for (const auto& op : set.ops_) {
    if (op.key.size() > kMaxKeyBytes) {
      return absl::InvalidArgumentError("a key of " + std::to_string(op.key.size()) + " bytes in " +
                                        std::string(kCfNames[CfIndex(op.cf)]) + ": at most " +
                                        std::to_string(kMaxKeyBytes));
    }
  }
  const bool engine_numbers = engine_->SequencesChanges();
  if (engine_numbers && set.changes_.size() >= (uint64_t{1} << kChangeSequenceShift) - places) {
    return absl::ResourceExhaustedError("too many change-log entries in one commit: at most " +
                                        std::to_string((uint64_t{1} << kChangeSequenceShift) - 1));
  }
  for (auto& op : set.ops_) {
    if (op.is_delete) {
      wb.Delete(op.cf, op.key);
    } else if (op.if_absent) {
      wb.PutIfAbsent(op.cf, op.key, op.value);
    } else {
      wb.Put(op.cf, op.key, op.value);
    }
  }
  if (set.changes_.empty()) return 0;
  const uint64_t first = engine_numbers ? 0 : sequencer_.Begin(set.changes_.size());
  // Microseconds: Debian's protobuf 3.21 TimeUtil::GetCurrentTime() has whole seconds only,
  // too coarse for ordering by age (retention) or for clients comparing commit times.
  auto now = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  uint64_t seq = first;
  for (auto& [tenant, change] : set.changes_) {
    // Every change-log key is a prefix followed by the sequence: numbered here, or by the
    // engine when it commits.
    const uint32_t place = places++;
    auto put = [&](Cf cf, const std::string& prefix, std::string_view value, bool sequence_field) {
      if (engine_numbers) return wb.PutSequenced(cf, prefix, place, value, sequence_field);
      wb.Put(cf, KeyBuilder().Raw(prefix).U64(seq).key(), value);
    };
    if (!engine_numbers) change.set_sequence(seq);
    // A change may come with its time already set: a held-back change of an anonymous author
    // is published dated to the day it became due, not to the minute of its publication.
    if (!change.has_commit_time()) *change.mutable_commit_time() = now;
    put(Cf::kChanges, KeyBuilder(tenant).key(), change.SerializeAsString(), true);
    // Indexes for readers who follow one organisation or one person (sync pulls). The
    // organisation index carries the change's kind, so a member's pull skips the kinds
    // members never see (check-ins, study records, letters) without reading each change.
    if (change.organization_id()) {
      put(Cf::kIndex, ChangeByOrgPrefix(change.organization_id()), change.kind(), false);
      if (change.members_see()) {
        put(Cf::kIndex, ChangeForMembersByOrgPrefix(change.organization_id()), change.kind(),
            false);
      }
    }
    for (uint64_t person : change.person_ids()) {
      put(Cf::kIndex, ChangeByPersonPrefix(person), "", false);
    }
    ++seq;
  }
  return first;
}

absl::Status Store::Commit(WriteSet batch) {
  if (auto accepting = engine_->AcceptingWrites(); !accepting.ok()) return accepting;
  auto wb = engine_->NewBatch();
  uint32_t places = 0;
  auto first = AddToBatch(batch, *wb, places);
  if (!first.ok()) return first.status();
  auto s = engine_->Write(*wb);
  InvalidateCached(batch);
  if (*first) sequencer_.End(*first);
  return s;
}

void Store::InvalidateCached(const WriteSet& set) {
  if (!cache_) return;
  // Also after a failed write, which may have left nothing or (a torn engine) anything.
  for (const auto& op : set.ops_) {
    if (RecordCache::Caches(op.cf)) cache_->Invalidate(op.cf, op.key);
  }
}

void Store::CommitAsync(WriteSet batch, CommitDone done) {
  if (batch.empty()) return done(absl::OkStatus());
  if (batch.has_guards()) {
    return done(absl::InvalidArgumentError("guarded writes (PutIfAbsent) commit alone: Commit"));
  }
  // Refused before it is queued: behind a commit that is not completing it would wait as long.
  if (auto accepting = engine_->AcceptingWrites(); !accepting.ok()) return done(accepting);
  commit_queue_.Push(std::move(batch), std::move(done));
}

void Store::CommitGroup(std::vector<CommitQueue::Entry>& group) {
  auto wb = engine_->NewBatch();
  std::vector<absl::Status> outcomes(group.size());
  std::vector<uint64_t> sequences;
  uint32_t places = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    // A set that cannot be added leaves nothing in the batch; the others go on.
    wb->SetSavePoint();
    auto first = AddToBatch(group[i].writes, *wb, places);
    if (!first.ok()) {
      wb->RollbackToSavePoint();
      outcomes[i] = first.status();
      continue;
    }
    wb->PopSavePoint();
    if (*first) sequences.push_back(*first);
  }
  absl::Status written;
  if (wb->Count() > 0) written = engine_->Write(*wb);
  for (auto& entry : group) InvalidateCached(entry.writes);
  for (uint64_t first : sequences) sequencer_.End(first);
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(outcomes[i].ok() ? written : outcomes[i]);
  }
}

absl::Status Store::Scan(Cf cf, std::string_view prefix, std::string_view start_after,
                         const ScanVisitor& visit) const {
  return engine_->Scan(cf, prefix, start_after, visit);
}

absl::Status Store::ScanReverse(Cf cf, std::string_view prefix, std::string_view start_before,
                                const ScanVisitor& visit) const {
  return engine_->ScanReverse(cf, prefix, start_before, visit);
}

absl::Status Store::FlushAndCompact() { return engine_->FlushAndCompact(); }

absl::StatusOr<BackupInfo> Store::CreateBackup(const std::string& backup_dir) {
  return engine_->CreateBackup(backup_dir);
}

StoreStats Store::Stats() const {
  StoreStats stats = engine_->Stats();
  if (cache_) {
    stats.record_cache_hits_total = cache_->hits();
    stats.record_cache_misses_total = cache_->misses();
    stats.record_cache_bytes = cache_->bytes();
  }
  return stats;
}

absl::StatusOr<std::map<uint32_t, uint64_t>> Store::CountKeysByTenant(Cf cf,
                                                                      size_t key_size) const {
  return engine_->CountKeysByTenant(cf, key_size);
}

absl::StatusOr<uint64_t> Store::NewId(uint32_t tenant) {
  if (tenant == 0 || tenant > kMaxTenant) return absl::InvalidArgumentError("bad tenant");
  std::lock_guard lock(id_mu_);
  IdRange& range = id_ranges_[tenant];
  if (range.next == range.limit) {
    // A fresh block: the durable high-water mark moves first, so a crash (or another server
    // reserving at once) can leave gaps but never hand out an id twice. Sequence 0 is never
    // used: a new tenant's mark starts at 1.
    auto limit = engine_->Reserve(IdHwmKey(tenant), /*initial=*/1, kIdBlock);
    if (!limit.ok()) return limit.status();
    range.next = *limit - kIdBlock;
    range.limit = *limit;
  }
  return MakeId(tenant, range.next++);
}

absl::StatusOr<uint32_t> Store::NewTenant() {
  std::lock_guard lock(id_mu_);
  auto limit = engine_->Reserve(TenantHwmKey(), /*initial=*/0, 1);
  if (!limit.ok()) return limit.status();
  if (*limit > kMaxTenant) return absl::ResourceExhaustedError("no tenant numbers left");
  return static_cast<uint32_t>(*limit);
}

}  // namespace branchline::storage
