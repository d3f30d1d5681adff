#include "storage/store.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "google/protobuf/message_lite.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/utilities/options_util.h"
#include "rocksdb/write_buffer_manager.h"
#include "storage/key_codec.h"
#include "storage/keys.h"

namespace branchline::storage {

struct Store::Impl {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::WriteOptions write_options;
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::Statistics> statistics;

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return handles[CfIndex(c)]; }

  ~Impl() {
    if (!db) return;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db->Close().PermitUncheckedError();
    delete db;
  }
};

namespace {

constexpr uint64_t kIdBlock = 1024;

// The one place a rocksdb::Status becomes an absl::Status.
absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return absl::UnavailableError(message + " (is another server using this data directory?)");
  }
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return absl::UnavailableError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

std::string EncodeU64(uint64_t v) { return KeyBuilder().U64(v).key(); }
std::optional<uint64_t> DecodeU64(std::string_view s) {
  KeyReader r(s);
  auto v = r.U64();
  return r.done() ? v : std::nullopt;
}

std::string SchemaKey() { return KeyBuilder().Str("schema_version").key(); }
std::string TenantHwmKey() { return KeyBuilder().Str("tenant_hwm").key(); }
std::string IdHwmKey(uint32_t tenant) { return KeyBuilder().Str("id_hwm").U32(tenant).key(); }

// The index and change-log column families hold most of the keys (several per record) and
// are read by range scans, which whole-key bloom filters do not help. They get no filter,
// and their index blocks go in the block cache in 4 KiB partitions under a small pinned top
// level, so that memory is bounded by the cache. The other column families are read by key
// (records, idempotency answers: misses are common): their filters and index blocks stay
// whole with each table reader, where a lookup needs no cache access. Partitioned and cached
// for every family the blocks cost 7-10 % more CPU per check-in; whole for every family they
// took 104 MiB at 10 M records (1 GB of SST files), mostly filters over index keys.
rocksdb::ColumnFamilyOptions MakeCfOptions(const StoreOptions& options,
                                           const std::shared_ptr<rocksdb::Cache>& cache,
                                           Cf family) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = options.write_buffer_size;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.format_version = 5;
  if (family == Cf::kIndex || family == Cf::kChanges) {
    table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
    table.metadata_block_size = 4096;
    table.cache_index_and_filter_blocks = true;
    table.cache_index_and_filter_blocks_with_high_priority = true;
    table.pin_top_level_index_and_filter = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
  } else {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.cache_index_and_filter_blocks = false;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Change-log keys grow with the sequence within a tenant, and change index keys within an
  // organisation or person (tenant 4 bytes, index 2, id 8): the memtable remembers where the
  // last key of each such prefix went and inserts the next one from there. The committer
  // thread inserts every group alone, so this is on its critical path: memtable inserts went
  // from 12 % to 9 % of the server's CPU in a check-in load. (Hints need
  // allow_concurrent_memtable_write = false, which the store sets.)
  if (family == Cf::kChanges) {
    cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
  } else if (family == Cf::kIndex) {
    cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(14));
  }
  auto supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) {
    return std::find(supported.begin(), supported.end(), t) != supported.end();
  };
  cf.compression = has(rocksdb::kLZ4Compression)      ? rocksdb::kLZ4Compression
                   : has(rocksdb::kSnappyCompression) ? rocksdb::kSnappyCompression
                                                      : rocksdb::kNoCompression;
  if (has(rocksdb::kZSTD)) cf.bottommost_compression = rocksdb::kZSTD;
  cf.level_compaction_dynamic_level_bytes = true;
  return cf;
}

// The highest sequence in the change log: the last key of each tenant's range.
absl::StatusOr<uint64_t> RecoverLastChange(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  uint64_t last = 0;
  it->SeekToFirst();
  while (it->Valid()) {
    KeyReader first(it->key().ToStringView());
    auto tenant = first.U32();
    if (!tenant) return absl::DataLossError("changes: malformed key");
    it->SeekForPrev(KeyBuilder(*tenant).U64(UINT64_MAX).key());
    KeyReader lastkey(it->key().ToStringView());
    lastkey.U32();
    auto seq = lastkey.U64();
    if (!seq) return absl::DataLossError("changes: malformed key");
    last = std::max(last, *seq);
    it->Seek(KeyBuilder(*tenant + 1).key());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "recovering the change log");
  return last;
}

// Per tenant, the highest change-log sequence retention has deleted (ChangesPrunedKey).
absl::StatusOr<std::map<uint32_t, uint64_t>> LoadPrunedMarks(rocksdb::DB* db,
                                                             rocksdb::ColumnFamilyHandle* meta) {
  std::map<uint32_t, uint64_t> marks;
  const std::string prefix = ChangesPrunedPrefix();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), meta));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    KeyReader key(it->key().ToStringView().substr(prefix.size()));
    auto tenant = key.U32();
    auto sequence = DecodeU64(it->value().ToStringView());
    if (!tenant || !key.done() || !sequence) return absl::DataLossError("unreadable pruned mark");
    marks[*tenant] = *sequence;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading pruned marks");
  return marks;
}

// Where the members' organisation index (kChangeForMembersByOrg) begins: recorded by the first
// start that writes it, as the last sequence then (0 for a new database). Synced, like the
// schema version: losing it would hide the older changes from pulls.
absl::StatusOr<uint64_t> LoadMembersChangeIndexFrom(rocksdb::DB* db,
                                                    rocksdb::ColumnFamilyHandle* meta,
                                                    uint64_t last_sequence) {
  std::string value;
  auto s = db->Get(rocksdb::ReadOptions(), meta, MembersChangeIndexFromKey(), &value);
  if (s.ok()) {
    auto from = DecodeU64(value);
    if (!from) return absl::DataLossError("unreadable start of the members' change index");
    return *from;
  }
  if (!s.IsNotFound()) return FromRocks(s, "reading the start of the members' change index");
  rocksdb::WriteOptions synced;
  synced.sync = true;
  s = db->Put(synced, meta, MembersChangeIndexFromKey(), EncodeU64(last_sequence));
  if (!s.ok()) return FromRocks(s, "writing the start of the members' change index");
  return last_sequence;
}

absl::Status CheckSchema(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta, bool existed,
                         const rocksdb::WriteOptions& wo) {
  std::string value;
  auto s = db->Get(rocksdb::ReadOptions(), meta, SchemaKey(), &value);
  if (s.IsNotFound()) {
    if (existed) {
      return absl::DataLossError("database has no schema version: not a Branchline database?");
    }
    KeyBuilder v;
    v.U32(kSchemaVersion);
    // Synced even with --unsafe-no-sync: a power cut after the column families exist but
    // before this record is durable would leave a database that no later start accepts.
    rocksdb::WriteOptions synced = wo;
    synced.sync = true;
    return FromRocks(db->Put(synced, meta, SchemaKey(), v.key()), "writing schema version");
  }
  if (!s.ok()) return FromRocks(s, "reading schema version");
  KeyReader r(value);
  auto version = r.U32();
  if (!version || !r.done()) return absl::DataLossError("schema version is unreadable");
  if (*version > kSchemaVersion) {
    return absl::FailedPreconditionError("database schema version " + std::to_string(*version) +
                                         " is newer than this server supports (" +
                                         std::to_string(kSchemaVersion) + "): upgrade the server");
  }
  return absl::OkStatus();
}

}  // namespace

void WriteSet::Put(Cf cf, std::string key, std::string value) {
  ops_.push_back({cf, false, std::move(key), std::move(value)});
}
void WriteSet::PutMessage(Cf cf, std::string key, const google::protobuf::MessageLite& message) {
  Put(cf, std::move(key), message.SerializeAsString());
}
void WriteSet::Delete(Cf cf, std::string key) { ops_.push_back({cf, true, std::move(key), {}}); }
void WriteSet::AddChange(uint32_t tenant, internal::v1::ChangeRecord change) {
  changes_.emplace_back(tenant, std::move(change));
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return absl::UnavailableError("cannot create " + options.path + ": " + ec.message());

  auto impl = std::make_unique<Impl>();
  impl->cache = rocksdb::NewLRUCache(options.block_cache_bytes, /*num_shard_bits=*/-1,
                                     /*strict_capacity_limit=*/false,
                                     /*high_pri_pool_ratio=*/0.5);
  impl->write_options.sync = options.sync_writes;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  // Concurrent writers form a write group whose leader syncs the WAL once for all of them,
  // and (with these settings) also inserts the whole group into the memtable. Our batches are
  // small, so letting each writer insert its own (concurrent memtable writes, pipelining)
  // only added hand-offs between threads: 64 writers, 165 -> 140 µs of server CPU per check-in.
  db_options.enable_pipelined_write = false;
  db_options.allow_concurrent_memtable_write = false;
  db_options.enable_write_thread_adaptive_yield = false;
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.memtable_budget_bytes, impl->cache);
  db_options.keep_log_file_num = 5;
  db_options.max_total_wal_size = 256 << 20;
  if (options.env) db_options.env = options.env;
  // Tickers for monitoring (WAL syncs, stalls); no per-operation timers beyond the defaults.
  impl->statistics = rocksdb::CreateDBStatistics();
  db_options.statistics = impl->statistics;

  std::vector<std::string> existing;
  bool existed = rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing).ok();
  std::set<std::string> known(kCfNames.begin(), kCfNames.end());
  for (const auto& name : existing) {
    if (!known.count(name)) {
      return absl::FailedPreconditionError("database has column family '" + name +
                                           "' unknown to this server: written by a newer version?");
    }
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kCfNames.size(); ++i) {
    descriptors.emplace_back(std::string(kCfNames[i]),
                             MakeCfOptions(options, impl->cache, static_cast<Cf>(i)));
  }
  auto s = rocksdb::DB::Open(db_options, options.path, descriptors, &impl->handles, &impl->db);
  if (!s.ok()) return FromRocks(s, "opening " + options.path);

  // impl closes the database if anything below fails.
  auto schema = CheckSchema(impl->db, impl->cf(Cf::kMeta), existed, impl->write_options);
  if (!schema.ok()) return schema;
  auto last_change = RecoverLastChange(impl->db, impl->cf(Cf::kChanges));
  if (!last_change.ok()) return last_change.status();
  auto pruned = LoadPrunedMarks(impl->db, impl->cf(Cf::kMeta));
  if (!pruned.ok()) return pruned.status();
  // Retention may have deleted the newest entries of a quiet log: sequences must still
  // never be handed out twice, or old cursors would point into new changes.
  uint64_t last = *last_change;
  for (const auto& [tenant, sequence] : *pruned) last = std::max(last, sequence);
  auto members_index_from = LoadMembersChangeIndexFrom(impl->db, impl->cf(Cf::kMeta), last);
  if (!members_index_from.ok()) return members_index_from.status();
  return std::unique_ptr<Store>(
      new Store(options, std::move(impl), last, std::move(*pruned), *members_index_from));
}

Store::Store(StoreOptions options, std::unique_ptr<Impl> impl, uint64_t last_change,
             std::map<uint32_t, uint64_t> pruned_through, uint64_t members_change_index_from)
    : options_(std::move(options)),
      impl_(std::move(impl)),
      sequencer_(last_change),
      pruned_through_(std::move(pruned_through)),
      members_change_index_from_(members_change_index_from) {}

uint64_t Store::ChangesPrunedThrough(uint32_t tenant) const {
  std::lock_guard lock(pruned_mu_);
  auto it = pruned_through_.find(tenant);
  return it == pruned_through_.end() ? 0 : it->second;
}

void Store::RaiseChangesPrunedThrough(uint32_t tenant, uint64_t sequence) {
  std::lock_guard lock(pruned_mu_);
  uint64_t& mark = pruned_through_[tenant];
  mark = std::max(mark, sequence);
}

Store::~Store() = default;

absl::StatusOr<std::optional<std::string>> Store::Get(Cf cf, std::string_view key) const {
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(cf), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading " + std::string(kCfNames[CfIndex(cf)]));
  return value;
}

absl::StatusOr<bool> Store::GetMessage(Cf cf, std::string_view key,
                                       google::protobuf::MessageLite* message) const {
  rocksdb::PinnableSlice value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(cf), key, &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "reading " + std::string(kCfNames[CfIndex(cf)]));
  if (!message->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("unparseable record in " + std::string(kCfNames[CfIndex(cf)]));
  }
  return true;
}

absl::StatusOr<uint64_t> Store::AddToBatch(WriteSet& set, rocksdb::WriteBatch& wb) {
  for (auto& op : set.ops_) {
    auto s = op.is_delete ? wb.Delete(impl_->cf(op.cf), op.key)
                          : wb.Put(impl_->cf(op.cf), op.key, op.value);
    if (!s.ok()) return FromRocks(s, "building batch");
  }
  if (set.changes_.empty()) return 0;
  uint64_t first = sequencer_.Begin(set.changes_.size());
  // Microseconds: Debian's protobuf 3.21 TimeUtil::GetCurrentTime() has whole seconds only,
  // too coarse for ordering by age (retention) or for clients comparing commit times.
  auto now = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  uint64_t seq = first;
  for (auto& [tenant, change] : set.changes_) {
    change.set_sequence(seq);
    // A change may come with its time already set: a held-back change of an anonymous author
    // is published dated to the day it became due, not to the minute of its publication.
    if (!change.has_commit_time()) *change.mutable_commit_time() = now;
    auto s = wb.Put(impl_->cf(Cf::kChanges), ChangeKey(tenant, seq), change.SerializeAsString());
    // Indexes for readers who follow one organisation or one person (sync pulls). The
    // organisation index carries the change's kind, so a member's pull skips the kinds
    // members never see (check-ins, study records, letters) without reading each change.
    if (s.ok() && change.organization_id()) {
      s = wb.Put(impl_->cf(Cf::kIndex), ChangeByOrgKey(change.organization_id(), seq),
                 change.kind());
      if (s.ok() && change.members_see()) {
        s = wb.Put(impl_->cf(Cf::kIndex), ChangeForMembersByOrgKey(change.organization_id(), seq),
                   change.kind());
      }
    }
    for (uint64_t person : change.person_ids()) {
      if (s.ok()) s = wb.Put(impl_->cf(Cf::kIndex), ChangeByPersonKey(person, seq), "");
    }
    if (!s.ok()) {
      sequencer_.End(first);
      return FromRocks(s, "building batch");
    }
    ++seq;
  }
  return first;
}

absl::Status Store::Commit(WriteSet batch) {
  rocksdb::WriteBatch wb;
  auto first = AddToBatch(batch, wb);
  if (!first.ok()) return first.status();
  auto s = impl_->db->Write(impl_->write_options, &wb);
  if (*first) sequencer_.End(*first);
  return FromRocks(s, "commit");
}

void Store::CommitAsync(WriteSet batch, CommitDone done) {
  if (batch.empty()) return done(absl::OkStatus());
  commit_queue_.Push(std::move(batch), std::move(done));
}

void Store::CommitGroup(std::vector<CommitQueue::Entry>& group) {
  rocksdb::WriteBatch wb;
  std::vector<absl::Status> outcomes(group.size());
  std::vector<uint64_t> sequences;
  for (size_t i = 0; i < group.size(); ++i) {
    // A set that cannot be added leaves nothing in the batch; the others go on.
    wb.SetSavePoint();
    auto first = AddToBatch(group[i].writes, wb);
    if (!first.ok()) {
      wb.RollbackToSavePoint().PermitUncheckedError();
      outcomes[i] = first.status();
      continue;
    }
    wb.PopSavePoint().PermitUncheckedError();
    if (*first) sequences.push_back(*first);
  }
  absl::Status written;
  if (wb.Count() > 0) written = FromRocks(impl_->db->Write(impl_->write_options, &wb), "commit");
  for (uint64_t first : sequences) sequencer_.End(first);
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(outcomes[i].ok() ? written : outcomes[i]);
  }
}

absl::Status Store::Scan(Cf cf, std::string_view prefix, std::string_view start_after,
                         const ScanVisitor& visit) const {
  std::string upper = PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(cf)));
  if (start_after.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(start_after);
    if (it->Valid() && it->key().ToStringView() == start_after) it->Next();
  }
  for (; it->Valid(); it->Next()) {
    auto key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!visit(key, it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "scanning " + std::string(kCfNames[CfIndex(cf)]));
}

absl::Status Store::ScanReverse(Cf cf, std::string_view prefix, std::string_view start_before,
                                const ScanVisitor& visit) const {
  std::string lower(prefix);
  rocksdb::Slice lower_slice(lower);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(cf)));
  std::string upper = PrefixSuccessor(prefix);
  if (!start_before.empty()) {
    it->SeekForPrev(start_before);
    if (it->Valid() && it->key().ToStringView() == start_before) it->Prev();
  } else if (upper.empty()) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(upper);
    if (it->Valid() && it->key().ToStringView() == upper) it->Prev();
  }
  for (; it->Valid(); it->Prev()) {
    auto key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!visit(key, it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "scanning " + std::string(kCfNames[CfIndex(cf)]));
}

absl::Status Store::FlushAndCompact() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  auto s = impl_->db->Flush(flush, impl_->handles);
  if (!s.ok()) return FromRocks(s, "flushing");
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* handle : impl_->handles) {
    s = impl_->db->CompactRange(compact, handle, nullptr, nullptr);
    if (!s.ok()) return FromRocks(s, "compacting");
  }
  return absl::OkStatus();
}

absl::StatusOr<BackupInfo> Store::CreateBackup(const std::string& backup_dir) {
  std::lock_guard lock(backup_mu_);
  std::error_code ec;
  std::filesystem::create_directories(backup_dir, ec);
  if (ec) return absl::UnavailableError("cannot create " + backup_dir + ": " + ec.message());
  rocksdb::BackupEngine* raw = nullptr;
  auto s = rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(backup_dir),
                                       rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, "opening " + backup_dir);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // No flush: the backup copies the live WAL too, so it holds every acknowledged write
  // without stalling writers behind a flush.
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = false;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackup(options, impl_->db, &id);
  if (!s.ok()) return FromRocks(s, "creating backup");
  rocksdb::BackupInfo info;
  auto info_status = engine->GetBackupInfo(id, &info);
  if (!info_status.ok()) return FromRocks(info_status, "reading backup info");
  return BackupInfo{info.backup_id, info.timestamp, info.size, info.number_files};
}

StoreStats Store::Stats() const {
  StoreStats stats;
  auto* db = impl_->db;
  auto property = [&](const std::string& name) {
    uint64_t value = 0;
    db->GetIntProperty(name, &value);
    return value;
  };
  auto aggregated = [&](const std::string& name) {
    uint64_t value = 0;
    db->GetAggregatedIntProperty(name, &value);
    return value;
  };
  stats.write_stopped = property(rocksdb::DB::Properties::kIsWriteStopped) != 0;
  stats.delayed_write_rate = property(rocksdb::DB::Properties::kActualDelayedWriteRate);
  stats.compaction_pending = aggregated(rocksdb::DB::Properties::kCompactionPending) > 0;
  stats.compactions_running = property(rocksdb::DB::Properties::kNumRunningCompactions);
  stats.flushes_running = property(rocksdb::DB::Properties::kNumRunningFlushes);
  stats.live_sst_bytes = aggregated(rocksdb::DB::Properties::kLiveSstFilesSize);
  stats.memtable_bytes = aggregated(rocksdb::DB::Properties::kCurSizeAllMemTables);
  stats.table_readers_bytes = aggregated(rocksdb::DB::Properties::kEstimateTableReadersMem);
  stats.block_cache_bytes = impl_->cache->GetUsage();
  auto& st = *impl_->statistics;
  stats.stall_micros_total = st.getTickerCount(rocksdb::STALL_MICROS);
  stats.wal_syncs_total = st.getTickerCount(rocksdb::WAL_FILE_SYNCED);
  stats.wal_bytes_total = st.getTickerCount(rocksdb::WAL_FILE_BYTES);
  rocksdb::HistogramData sync;
  st.histogramData(rocksdb::WAL_FILE_SYNC_MICROS, &sync);
  stats.wal_sync_micros_total = static_cast<uint64_t>(sync.sum);
  return stats;
}

absl::StatusOr<std::map<uint32_t, uint64_t>> Store::CountKeysByTenant(Cf cf,
                                                                      size_t key_size) const {
  std::map<uint32_t, uint64_t> counts;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // a monitoring scan must not evict the working set
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key().ToStringView();
    if (key_size && key.size() != key_size) continue;
    KeyReader r(key);
    if (auto tenant = r.U32()) ++counts[*tenant];
  }
  if (!it->status().ok()) return FromRocks(it->status(), "counting keys");
  return counts;
}

absl::StatusOr<uint64_t> Store::ReserveBlock(std::string_view meta_key, uint64_t current,
                                             uint64_t block) {
  uint64_t limit = current + block;
  auto s = impl_->db->Put(impl_->write_options, impl_->cf(Cf::kMeta), meta_key, EncodeU64(limit));
  if (!s.ok()) return FromRocks(s, "reserving ids");
  return limit;
}

absl::StatusOr<uint64_t> Store::NewId(uint32_t tenant) {
  if (tenant == 0 || tenant > kMaxTenant) return absl::InvalidArgumentError("bad tenant");
  std::lock_guard lock(id_mu_);
  auto [it, inserted] = id_ranges_.try_emplace(tenant);
  IdRange& range = it->second;
  if (inserted) {
    auto stored = Get(Cf::kMeta, IdHwmKey(tenant));
    if (!stored.ok()) {
      id_ranges_.erase(it);
      return stored.status();
    }
    uint64_t hwm = 1;  // sequence 0 is never used
    if (stored->has_value()) {
      auto v = DecodeU64(**stored);
      if (!v) return absl::DataLossError("id high-water mark is unreadable");
      hwm = *v;
    }
    range.next = range.limit = hwm;
  }
  if (range.next == range.limit) {
    auto limit = ReserveBlock(IdHwmKey(tenant), range.limit, kIdBlock);
    if (!limit.ok()) return limit.status();
    range.limit = *limit;
  }
  return MakeId(tenant, range.next++);
}

absl::StatusOr<uint32_t> Store::NewTenant() {
  std::lock_guard lock(id_mu_);
  auto stored = Get(Cf::kMeta, TenantHwmKey());
  if (!stored.ok()) return stored.status();
  uint64_t last = 0;
  if (stored->has_value()) {
    auto v = DecodeU64(**stored);
    if (!v) return absl::DataLossError("tenant high-water mark is unreadable");
    last = *v;
  }
  if (last >= kMaxTenant) return absl::ResourceExhaustedError("no tenant numbers left");
  auto limit = ReserveBlock(TenantHwmKey(), last, 1);
  if (!limit.ok()) return limit.status();
  return static_cast<uint32_t>(*limit);
}

}  // namespace branchline::storage
