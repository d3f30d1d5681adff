#include "storage/postgres_engine.h"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/cord.h"
#include "google/protobuf/message_lite.h"
#include "google/rpc/error_details.pb.h"
#include "storage/key_codec.h"

namespace branchline::storage {

namespace {

// Every family in one table, the family as the key's first byte: bytea compares like memcmp
// with the shorter value first (RocksDB's bytewise order), so each family is one contiguous
// key range and every scan has both bounds on the primary key's B-tree. One table also lets a
// whole commit group be one statement (below) however many families it touches.
constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS branchline_kv (k bytea PRIMARY KEY, v bytea NOT NULL)";
// One row per commit statement, its token: after a connection broke mid-commit, the row tells
// whether the commit landed (see ResolveOutcome). Tokens start with the commit's time, so
// retention deletes a key range at the front of the primary key.
constexpr char kCreateCommitsTable[] =
    "CREATE TABLE IF NOT EXISTS branchline_commits (token bytea PRIMARY KEY)";
// Each row also keeps the id of the transaction that wrote it, a committed one: the stable
// mark's cap (kStable). As a column default it is filled by every server, also by one started
// before the column existed. Added only where missing: an ALTER or CREATE INDEX on the table
// would otherwise wait for every commit in flight and hold up the next ones, at each start.
// (Rows already there get the ALTER's own id, a committed one too.)
constexpr char kAddCommitsXid[] =
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
    "'branchline_commits'::regclass AND attname = 'xid') THEN "
    "ALTER TABLE branchline_commits ADD COLUMN xid int8 DEFAULT pg_current_xact_id()::text::int8; "
    "CREATE INDEX branchline_commits_xid ON branchline_commits (xid); END IF; END $$";
// Serialises concurrent first starts creating the table (any constant works).
constexpr char kSchemaLock[] = "SELECT pg_advisory_xact_lock(4242001)";
// A protobuf varint (a uint64's wire encoding): the commit statement appends field 1 of a
// ChangeRecord, its sequence, which only the transaction knows (a repeated field's last
// occurrence wins when parsed).
constexpr char kCreateVarint[] =
    "CREATE OR REPLACE FUNCTION branchline_varint(v int8) RETURNS bytea "
    "LANGUAGE plpgsql IMMUTABLE STRICT AS $$ "
    "DECLARE encoded bytea := ''::bytea; BEGIN "
    "WHILE v >= 128 LOOP "
    "encoded := encoded || set_byte('\\x00'::bytea, 0, ((v & 127) | 128)::int); v := v >> 7; END "
    "LOOP; "
    "RETURN encoded || set_byte('\\x00'::bytea, 0, v::int); END $$";

// One commit = one statement = one transaction in one round trip: deletions and upserts as
// arrays. Repeated keys are collapsed before (INSERT … ON CONFLICT may not touch a row twice),
// so the two sub-statements touch disjoint rows. `k = ANY(array)` is an index scan however
// the plan is cached, where a join against unnest() could become a sequential scan.
//
// The change log is numbered here, by the transaction: entry `n` of the transaction with id
// `xid` has the sequence xid << kChangeSequenceShift | n, appended to its keys ($5: key
// prefixes, $6: n) and, where $8 says so, to its value as ChangeRecord.sequence. Servers
// sharing the database need no common counter, which would serialise every commit on one
// row through the synchronous-replication wait; StableChangeSequence is the reading rule.
//
// Guarded keys (WriteSet::PutIfAbsent; $9, $10) are a plain INSERT: a key that has a row fails
// the statement with unique_violation, so nothing of the commit is written, and a concurrent
// transaction inserting the same key makes this one wait for its outcome first.
constexpr char kWrite[] =
    "WITH deleted AS (DELETE FROM branchline_kv WHERE k = ANY($1::bytea[])), "
    "written AS (INSERT INTO branchline_kv (k, v) SELECT * FROM unnest($2::bytea[], $3::bytea[]) "
    "ON CONFLICT (k) DO UPDATE SET v = excluded.v), "
    "marked AS (INSERT INTO branchline_commits (token) VALUES ($4)), "
    "base AS (SELECT pg_current_xact_id()::text::int8 << 20 AS b), "
    "logged AS (INSERT INTO branchline_kv (k, v) "
    "SELECT c.p || int8send(base.b | c.n), "
    "CASE WHEN c.f THEN c.v || '\\x08'::bytea || branchline_varint(base.b | c.n) ELSE c.v END "
    "FROM base, unnest($5::bytea[], $6::int8[], $7::bytea[], $8::bool[]) AS c(p, n, v, f)), "
    "guarded AS (INSERT INTO branchline_kv (k, v) SELECT * FROM unnest($9::bytea[], $10::bytea[])) "
    "SELECT 1";
// The stable mark: every transaction of this database with an id below the oldest one of
// this database still running has ended, so no commit can add a change-log entry at or below
// the mark any more. The snapshot lists the transactions running anywhere in the instance;
// only this database's count (a long transaction of another application sharing the
// instance must not stall the change feed), so they are matched against pg_stat_activity,
// read after the snapshot: one that ended in between has ended, one that started after has
// an id at or above the snapshot's xmax. backend_xid is 32 bits: compared with the low 32
// bits of the snapshot's 64-bit ids. Every server connects as the same role, so it sees the
// others' backend_xid. A transaction without an id (reads, the advisory locks) holds
// nothing back.
// The mark is also capped at the newest commit statement that committed (its token row's xid;
// LEAST ignores the NULL of a table without rows). Ids above it may belong to transactions
// that aborted, and after a failover the new primary hands out again the ids whose WAL never
// reached it: a mark past them would let readers skip the commits that reuse them. Ids up to
// a committed one are safe: its commit record was replicated before it was acknowledged
// (strict synchronous mode), so the new primary numbers on above it.
constexpr char kStable[] =
    "WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s) "
    "SELECT (least(coalesce((SELECT min(x::text::int8) FROM snap, pg_snapshot_xip(snap.s) AS x "
    "WHERE (x::text::int8 & 4294967295) IN (SELECT backend_xid::text::int8 FROM "
    "pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL)), "
    "(SELECT pg_snapshot_xmax(s)::text::int8 FROM snap)), "
    "(SELECT max(xid) FROM branchline_commits) + 1) << 20) - 1";
// After a lost connection: inserting the commit's token finds it (committed), or waits for a
// commit still running to end, or inserts it — which also fences: the lost statement, should
// it still arrive, fails on the token and cannot commit after we answered "not committed".
constexpr char kFence[] =
    "INSERT INTO branchline_commits (token) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1";
// The row with the newest id stays, however old: the mark's cap (kStable) must not vanish
// when the database is idle for longer than the retention.
constexpr char kPruneCommits[] =
    "DELETE FROM branchline_commits WHERE token < $1 "
    "AND (xid IS NULL OR xid < (SELECT max(xid) FROM branchline_commits))";
constexpr char kGet[] = "SELECT v FROM branchline_kv WHERE k = $1";
constexpr char kMultiGet[] = "SELECT k, v FROM branchline_kv WHERE k = ANY($1::bytea[])";
// Figures for monitoring (PostgresEngine::Stats). Replication is visible only to roles with
// pg_read_all_stats (a superuser has it): -1 for the others rather than a misleading 0.
constexpr char kStats[] =
    "SELECT xact_commit, xact_rollback, deadlocks, pg_database_size(current_database()), "
    "CASE WHEN pg_has_role('pg_read_all_stats', 'USAGE') THEN (SELECT count(*) FROM "
    "pg_stat_replication WHERE sync_state IN ('sync', 'quorum')) ELSE -1 END, "
    "CASE WHEN pg_has_role('pg_read_all_stats', 'USAGE') THEN (SELECT coalesce(max("
    "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::int8 FROM pg_stat_replication) "
    "ELSE -1 END FROM pg_stat_database WHERE datname = current_database()";
constexpr char kScanForward[] =
    "SELECT k, v FROM branchline_kv WHERE k >= $1 AND k > $2 AND k < $3 ORDER BY k LIMIT $4";
constexpr char kScanReverse[] =
    "SELECT k, v FROM branchline_kv WHERE k >= $1 AND k < $2 ORDER BY k DESC LIMIT $3";
// int8send is the 8-byte big-endian encoding KeyBuilder::U64 writes.
constexpr char kReserve[] =
    "INSERT INTO branchline_kv AS t (k, v) VALUES ($1, int8send($2::int8 + $3::int8)) "
    "ON CONFLICT (k) DO UPDATE SET "
    "v = int8send(('x' || encode(t.v, 'hex'))::bit(64)::int8 + $3::int8) RETURNING v";
constexpr char kCount[] =
    "SELECT substr(k, 2, 4), count(*) FROM branchline_kv WHERE k >= $1 AND k < $2 "
    "AND ($3::int4 = 0 OR length(k) = $3::int4 + 1) GROUP BY 1";

// Every statement the engine runs on a pooled connection, prepared once per connection (parsed
// and planned once: measured with pgbench on 16 clients, a point read 36 % and a scan page 80 %
// more per second than sent with its text each time, as PQexecParams does).
enum class Sql {
  kGet,
  kMultiGet,
  kWrite,
  kScanForward,
  kScanReverse,
  kReserve,
  kCount,
  kFence,
  kPruneCommits,
  kStable,
  kStats
};
struct Statement {
  const char* name;
  const char* text;
};
constexpr Statement kStatements[] = {
    {"branchline_get", kGet},
    {"branchline_multi_get", kMultiGet},
    {"branchline_write", kWrite},
    {"branchline_scan", kScanForward},
    {"branchline_scan_reverse", kScanReverse},
    {"branchline_reserve", kReserve},
    {"branchline_count", kCount},
    {"branchline_fence", kFence},
    {"branchline_prune_commits", kPruneCommits},
    {"branchline_stable", kStable},
    {"branchline_stats", kStats},
};
const Statement& StatementOf(Sql sql) { return kStatements[static_cast<int>(sql)]; }

constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
// Rows fetched per round trip of a scan: small first (most scans stop within a page of
// results), larger once a caller reads on.
constexpr int kFirstPage = 64;
constexpr int kNextPage = 1024;
// A scan past its first page reads the rest in one snapshot (PostgresEngine::ScanRange). The
// idle timeout ends a transaction whose visitor stopped calling back (a stuck caller would
// otherwise hold back VACUUM for good); a visitor's work between two pages stays far below it.
constexpr char kBeginSnapshot[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
    "SET LOCAL idle_in_transaction_session_timeout = '60s'";
// How long a long scan waits for a snapshot connection before UNAVAILABLE.
constexpr std::chrono::seconds kSnapshotWait{5};
constexpr int64_t kSnapshotRetrySeconds = 1;

// A scan's remaining range: keys in [lower, upper) strictly after `after`; a reverse scan
// walks down from `upper` and ignores `after`. Keys carry their family byte.
struct ScanBounds {
  bool reverse;
  std::string lower, after, upper;
};

std::string FamilyKey(Cf cf, std::string_view key) {
  std::string k;
  k.reserve(key.size() + 1);
  k.push_back(static_cast<char>(cf));
  k.append(key);
  return k;
}

// The end of a family's range when a prefix has no successor (empty or all 0xff).
std::string FamilyEnd(Cf cf) { return std::string(1, static_cast<char>(CfIndex(cf) + 1)); }

void AppendBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// PostgreSQL's binary array format (array_recv): one dimension of elements, each already in
// its binary form (bytea: the bytes; int8: 8 bytes big-endian; bool: one byte).
std::string BinaryArray(Oid element, const std::vector<std::string_view>& items) {
  std::string out;
  size_t size = 20;
  for (auto item : items) size += 4 + item.size();
  out.reserve(size);
  AppendBe32(out, items.empty() ? 0 : 1);  // dimensions
  AppendBe32(out, 0);                      // no nulls
  AppendBe32(out, element);
  if (items.empty()) return out;
  AppendBe32(out, static_cast<uint32_t>(items.size()));
  AppendBe32(out, 1);  // lower bound
  for (auto item : items) {
    AppendBe32(out, static_cast<uint32_t>(item.size()));
    out.append(item);
  }
  return out;
}

// Parameters of one statement: text or binary, owned until the call returns.
class Params {
 public:
  void Text(std::string v) { Add(std::move(v), 0); }
  void Binary(std::string v) { Add(std::move(v), 1); }
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() {
    pointers_.clear();
    for (auto& v : values_) pointers_.push_back(v.data());
    return pointers_.data();
  }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void Add(std::string v, int format) {
    lengths_.push_back(static_cast<int>(v.size()));
    formats_.push_back(format);
    values_.push_back(std::move(v));
  }
  std::vector<std::string> values_;
  std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// How long a commit whose connection broke may take to learn its outcome: a Patroni failover
// promotes the synchronous standby in about 15 s (docs/cluster.md).
constexpr std::chrono::seconds kOutcomeWait{30};
// Commit tokens are kept this long, far beyond kOutcomeWait and any clock skew between
// servers, and pruned once a minute.
constexpr std::chrono::minutes kTokenRetention{10};
constexpr std::chrono::minutes kPruneInterval{1};
// A commit still running after this long means the cluster is not completing writes: a
// failover in progress, or strict synchronous mode with no standby left, where a commit waits
// until one returns (and cannot be cancelled: it has committed locally). New writes are then
// refused with UNAVAILABLE rather than queued behind it without bound.
constexpr std::chrono::seconds kStallAfter{10};
constexpr int64_t kStallRetrySeconds = 5;

int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Be64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

// How long another server's commit may wait before this server's WatchChanges hears of it.
constexpr std::chrono::milliseconds kStablePoll{100};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// A cell of a binary result, and one holding an int8 (8 bytes big-endian, as KeyBuilder::U64
// writes; nullopt when it is not one).
std::string_view Cell(const PGresult* r, int row, int column) {
  return {PQgetvalue(r, row, column), static_cast<size_t>(PQgetlength(r, row, column))};
}
std::optional<uint64_t> Int8Cell(const PGresult* r, int row, int column) {
  KeyReader reader(Cell(r, row, column));
  auto v = reader.U64();
  return reader.done() ? v : std::nullopt;
}

// Runs a statement the connection has prepared (ConnectionPool::PrepareStatements).
PGresult* Execute(PGconn* c, Sql sql, Params& params) {
  return PQexecPrepared(c, StatementOf(sql).name, params.size(), params.values(), params.lengths(),
                        params.formats(), /*resultFormat=*/1);
}

// The one place a libpq failure becomes an absl::Status. Lost connections, a primary that
// became a standby or shuts down, and deadlocks are UNAVAILABLE: the call may be retried
// (with its request_id) and libpq reconnects to whichever host is primary by then.
absl::Status FromPq(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = std::string(what) + ": ";
  message += result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string_view code = state ? state : "";
  if (PQstatus(conn) != CONNECTION_OK || code.substr(0, 2) == "08" || code == "25006" ||
      code == "57P01" || code == "57P02" || code == "57P03" || code == "40001" || code == "40P01" ||
      code == "55P03" || code.substr(0, 2) == "53") {
    return absl::UnavailableError("PostgreSQL " + message);
  }
  if (code == "54000") return absl::InvalidArgumentError("PostgreSQL " + message);
  return absl::InternalError("PostgreSQL " + message);
}

// Whether a failed statement may nevertheless have committed: the connection broke, or the
// server ended the session (shutdown, crash, pg_terminate_backend) — possibly after its
// commit, even one already waiting for the synchronous standby. Any other error came from
// the statement itself, which then rolled back.
bool OutcomeUnknown(PGconn* conn, const PGresult* result) {
  if (PQstatus(conn) != CONNECTION_OK || !result) return true;
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string_view code = state ? state : "";
  return code.empty() || code.substr(0, 2) == "08" || code == "57P01" || code == "57P02";
}

// `status` with a RetryInfo detail: the caller may try again after `seconds`.
absl::Status WithRetryAfter(absl::Status status, int64_t seconds) {
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(seconds);
  constexpr std::string_view kType = "type.googleapis.com/google.rpc.RetryInfo";
  status.SetPayload(absl::string_view(kType.data(), kType.size()),
                    absl::Cord(retry.SerializeAsString()));
  return status;
}

// Connections to the primary, opened on demand up to a maximum and reused. A connection that
// failed is closed rather than returned: the next caller opens a fresh one, which with
// several hosts and target_session_attrs=read-write lands on the current primary.
class ConnectionPool {
 public:
  static constexpr char kDefaultConnectTimeoutSeconds[] = "5";

  ConnectionPool(std::string conninfo, int max, bool sync_writes, bool short_tcp_timeouts = false)
      : conninfo_(std::move(conninfo)),
        max_(std::max(1, max)),
        sync_writes_(sync_writes),
        short_tcp_timeouts_(short_tcp_timeouts) {}
  ~ConnectionPool() {
    for (PGconn* c : idle_) PQfinish(c);
  }

  class Lease {
   public:
    Lease(ConnectionPool* pool, PGconn* conn) : pool_(pool), conn_(conn) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(std::exchange(o.conn_, nullptr)) {}
    ~Lease() {
      if (conn_) pool_->Release(conn_);
    }
    PGconn* get() const { return conn_; }
    // Sends `sql` and gives the connection back without waiting for the answer, which the
    // next Acquire of it reads (ending a transaction costs the releasing thread no round trip).
    void ReleaseAfter(const char* sql) {
      if (!conn_) return;
      pool_->Release(conn_, /*answer_pending=*/PQsendQuery(conn_, sql) == 1);
      conn_ = nullptr;
    }

   private:
    ConnectionPool* pool_;
    PGconn* conn_;
  };

  // Waits for a connection; with a `deadline`, only until then (UNAVAILABLE after it).
  absl::StatusOr<Lease> Acquire(
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
    for (;;) {
      PGconn* c = nullptr;
      {
        std::unique_lock lock(mu_);
        auto ready = [&] { return !idle_.empty() || open_ < max_; };
        if (!deadline) {
          freed_.wait(lock, ready);
        } else if (!freed_.wait_until(lock, *deadline, ready)) {
          return absl::UnavailableError("all " + std::to_string(max_) +
                                        " of its PostgreSQL connections stayed busy; retry");
        }
        if (idle_.empty()) {
          ++open_;
          break;
        }
        c = idle_.back();
        idle_.pop_back();
      }
      // A statement sent on release (ReleaseAfter) is answered by now, as a rule.
      while (PGresult* r = PQgetResult(c)) PQclear(r);
      if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE) {
        return Lease(this, c);
      }
      Close(c);
    }
    auto conn = Connect();
    if (!conn.ok()) {
      std::lock_guard lock(mu_);
      --open_;
      freed_.notify_one();
      return conn.status();
    }
    return Lease(this, *conn);
  }

  absl::StatusOr<PGconn*> Connect() {
    // A default connect_timeout: without one, a host that drops packets holds a connection
    // attempt (and the call waiting for it) for minutes before libpq tries the next host.
    // Keywords are applied in order, so the connection string, expanded after it, overrides
    // this default when it names its own.
    // With short_tcp_timeouts, a peer that vanishes without closing the socket is noticed
    // within about 10 s (unanswered sends, or 5 s idle plus 3 unanswered probes 2 s apart).
    std::vector<const char*> keywords = {"connect_timeout"};
    std::vector<const char*> values = {kDefaultConnectTimeoutSeconds};
    if (short_tcp_timeouts_) {
      keywords.insert(keywords.end(), {"keepalives_idle", "keepalives_interval", "keepalives_count",
                                       "tcp_user_timeout"});
      values.insert(values.end(), {"5", "2", "3", "10000"});
    }
    keywords.insert(keywords.end(), {"dbname", nullptr});
    values.insert(values.end(), {conninfo_.c_str(), nullptr});
    PGconn* c = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
    if (PQstatus(c) != CONNECTION_OK) {
      std::string error = PQerrorMessage(c);
      while (!error.empty() && error.back() == '\n') error.pop_back();
      PQfinish(c);
      return absl::UnavailableError("cannot connect to PostgreSQL: " + error);
    }
    // Notices ("relation already exists, skipping") would go to stderr; errors come back as
    // results, so nothing of value is lost.
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    // Without sync_writes a commit returns before its WAL is flushed (still atomic; a crash
    // of the primary may lose the last ones), as RocksDB's unsynced writes do.
    if (!sync_writes_) {
      Result r(PQexec(c, "SET synchronous_commit = off"));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        auto s = FromPq(c, r.get(), "configuring a connection");
        PQfinish(c);
        return s;
      }
    }
    if (prepare_statements_) {
      if (auto s = PrepareStatements(c); !s.ok()) {
        PQfinish(c);
        return s;
      }
    }
    return c;
  }

  // Prepares kStatements on `c`. The tables must exist: the engine turns this on for every
  // later connection once it has created them (PrepareFromNowOn).
  static absl::Status PrepareStatements(PGconn* c) {
    for (const auto& statement : kStatements) {
      Result r(PQprepare(c, statement.name, statement.text, 0, nullptr));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        return FromPq(c, r.get(), "preparing statements");
      }
    }
    return absl::OkStatus();
  }
  void PrepareFromNowOn() { prepare_statements_ = true; }

  // Connections open now, and how many of them are in use.
  std::pair<int, int> OpenAndBusy() const {
    std::lock_guard lock(mu_);
    return {open_, open_ - static_cast<int>(idle_.size())};
  }

 private:
  void Release(PGconn* c, bool answer_pending = false) {
    const auto state = PQtransactionStatus(c);
    bool healthy = PQstatus(c) == CONNECTION_OK &&
                   (state == PQTRANS_IDLE || (answer_pending && state == PQTRANS_ACTIVE));
    if (!healthy) return Close(c);
    std::lock_guard lock(mu_);
    idle_.push_back(c);
    freed_.notify_one();
  }
  void Close(PGconn* c) {
    PQfinish(c);
    std::lock_guard lock(mu_);
    --open_;
    freed_.notify_one();
  }

  const std::string conninfo_;
  const int max_;
  const bool sync_writes_;
  const bool short_tcp_timeouts_;
  std::atomic<bool> prepare_statements_{false};
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<PGconn*> idle_;
  int open_ = 0;
};

// KeyLocks' stripes on the database (key_locks.h): transaction-scoped advisory locks
// (pg_advisory_xact_lock(space, stripe)), one transaction per mutation on a connection of
// their own, ended with ROLLBACK (it writes nothing) when the mutation's last guard goes —
// after its commit, so whoever takes a stripe next, on any server, reads what it wrote. The
// mutation's reads and its commit run on other connections: READ COMMITTED sees every commit
// that ended before the lock was granted.
class AdvisoryLocks final : public SharedStripeLocks {
 public:
  // A lock wait longer than this is refused (UNAVAILABLE, retried by the caller) rather than
  // left to hold its caller's thread; a holder idle in its transaction this long (a server
  // cut off from the database) loses its locks, which its commit can then no longer rely on.
  static constexpr char kBegin[] =
      "BEGIN; SET LOCAL lock_timeout = '10s'; "
      "SET LOCAL idle_in_transaction_session_timeout = '60s'; ";

  AdvisoryLocks(std::string conninfo, int max)
      : pool_(std::move(conninfo), max, /*sync_writes=*/true) {}
  const ConnectionPool& pool() const { return pool_; }

  absl::StatusOr<std::shared_ptr<void>> Lock(uint32_t space, const std::vector<uint32_t>& stripes,
                                             const std::shared_ptr<void>& with) override {
    // Numbers only: the statement is built as text and sent in one round trip with BEGIN.
    // unnest keeps the array's (ascending) order, so servers take stripes in one order.
    std::string sql = with ? "" : kBegin;
    sql += "SELECT count(pg_advisory_xact_lock(" + std::to_string(space) + ", s)) FROM unnest('{";
    for (size_t i = 0; i < stripes.size(); ++i) {
      if (i) sql += ',';
      sql += std::to_string(stripes[i]);
    }
    sql += "}'::int4[]) AS s";
    std::shared_ptr<Transaction> transaction = std::static_pointer_cast<Transaction>(with);
    if (!transaction) {
      auto lease = pool_.Acquire();
      if (!lease.ok()) return lease.status();
      transaction = std::make_shared<Transaction>(std::move(*lease));
    }
    PGconn* c = transaction->lease.get();
    Result r(PQexec(c, sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
      return FromPq(c, r.get(), "taking record locks");
    return std::shared_ptr<void>(std::move(transaction));
  }

 private:
  struct Transaction {
    explicit Transaction(ConnectionPool::Lease l) : lease(std::move(l)) {}
    ~Transaction() { lease.ReleaseAfter("ROLLBACK"); }
    ConnectionPool::Lease lease;
  };
  ConnectionPool pool_;
};

// The database's background lease (Store::LeadsBackgroundWork): a session-level advisory
// lock, space 3 (KeyLocks' stripes are spaces 1 and 2), on a connection of its own. The first
// server to ask takes it and holds it while that session lives: a server that stops or is
// killed (its socket closes) frees it at once; one cut off from the database frees it when
// the database's TCP timeouts end the session (kAsk's settings: about 10 s). The holder
// believes its lease for kRecheck after the database last confirmed it, far below that, so two
// servers never start passes at once (a pass asks when it starts; docs/notifications.md).
class BackgroundLease {
 public:
  static constexpr auto kRecheck = std::chrono::seconds(2);
  // One round trip: the database's side of the session's TCP timeouts (the client's are the
  // pool's short_tcp_timeouts), then the lock — already this session's (a session lock taken
  // twice would have to be released twice), or taken now if nobody holds it.
  static constexpr char kAsk[] =
      "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
      "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 10000; "
      "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
      "AND classid = 3 AND objid = 0 AND objsubid = 2 AND pid = pg_backend_pid() AND granted) "
      "THEN true ELSE pg_try_advisory_lock(3, 0) END";

  explicit BackgroundLease(std::string conninfo)
      : pool_(std::move(conninfo), 1, /*sync_writes=*/true, /*short_tcp_timeouts=*/true) {}

  bool Held() {
    std::lock_guard lock(mu_);
    const auto asked = std::chrono::steady_clock::now();
    if (held_ && asked - confirmed_ < kRecheck) return true;
    const bool held = Ask();
    if (held) confirmed_ = asked;
    held_ = held;
    return held;
  }
  bool LastAnswer() const { return held_; }

 private:
  bool Ask() {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return false;
    Result r(PQexec(lease->get(), kAsk));
    return PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 &&
           std::string_view(PQgetvalue(r.get(), 0, 0)) == "t";
  }

  ConnectionPool pool_;  // of one connection, kept open: its session holds the lock
  std::mutex mu_;        // one question at a time
  std::atomic<bool> held_{false};
  std::chrono::steady_clock::time_point confirmed_;
};

class PostgresBatch final : public EngineBatch {
 public:
  struct Op {
    std::string key;  // family byte + key
    std::string value;
    bool is_delete;
  };
  void Put(Cf cf, std::string_view key, std::string_view value) override {
    ops_.push_back({FamilyKey(cf, key), std::string(value), false});
  }
  void Delete(Cf cf, std::string_view key) override {
    ops_.push_back({FamilyKey(cf, key), {}, true});
  }
  void PutIfAbsent(Cf cf, std::string_view key, std::string_view value) override {
    guards_.push_back({FamilyKey(cf, key), std::string(value), false});
  }
  // A change-log write, numbered by the commit statement (kWrite).
  struct Sequenced {
    std::string key_prefix;  // family byte + key up to the sequence
    std::string place;       // int8, binary
    std::string value;
    bool sequence_field;
  };
  void PutSequenced(Cf cf, std::string_view key_prefix, uint32_t place, std::string_view value,
                    bool sequence_field) override {
    sequenced_.push_back(
        {FamilyKey(cf, key_prefix), Be64(place), std::string(value), sequence_field});
  }
  void SetSavePoint() override {
    save_points_.push_back({ops_.size(), sequenced_.size(), guards_.size()});
  }
  void RollbackToSavePoint() override {
    if (save_points_.empty()) return;
    ops_.resize(save_points_.back().ops);
    sequenced_.resize(save_points_.back().sequenced);
    guards_.resize(save_points_.back().guards);
    save_points_.pop_back();
  }
  void PopSavePoint() override {
    if (!save_points_.empty()) save_points_.pop_back();
  }
  size_t Count() const override { return ops_.size() + sequenced_.size() + guards_.size(); }
  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<Sequenced>& sequenced() const { return sequenced_; }
  const std::vector<Op>& guards() const { return guards_; }

 private:
  struct SavePoint {
    size_t ops, sequenced, guards;
  };
  std::vector<Op> ops_;
  std::vector<Sequenced> sequenced_;
  std::vector<Op> guards_;
  std::vector<SavePoint> save_points_;
};

class PostgresEngine final : public Engine {
 public:
  explicit PostgresEngine(const StoreOptions& options)
      : pool_(options.postgres, options.postgres_connections, options.sync_writes),
        snapshots_(options.postgres, std::max(2, options.postgres_connections / 2),
                   /*sync_writes=*/true),
        locks_(options.postgres, kLockConnectionsPerConnection * options.postgres_connections),
        lease_(options.postgres) {}
  ~PostgresEngine() override { FollowStableChangeSequence(nullptr); }

  absl::Status Prepare();
  bool existed() const override { return existed_; }

  absl::StatusOr<std::optional<std::string>> Get(Cf cf, std::string_view key) const override {
    Params p;
    p.Binary(FamilyKey(cf, key));
    auto r = Run(Sql::kGet, p, "reading " + std::string(kCfNames[CfIndex(cf)]));
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return std::nullopt;
    return std::string(PQgetvalue(r->get(), 0, 0), PQgetlength(r->get(), 0, 0));
  }

  absl::StatusOr<bool> GetMessage(Cf cf, std::string_view key,
                                  google::protobuf::MessageLite* message) const override {
    Params p;
    p.Binary(FamilyKey(cf, key));
    auto r = Run(Sql::kGet, p, "reading " + std::string(kCfNames[CfIndex(cf)]));
    if (!r.ok()) return r.status();
    if (PQntuples(r->get()) == 0) return false;
    if (!message->ParseFromArray(PQgetvalue(r->get(), 0, 0), PQgetlength(r->get(), 0, 0))) {
      return UnparseableRecordError(cf);
    }
    return true;
  }

  // All of them in one statement, the first present picked here.
  absl::StatusOr<std::optional<std::pair<size_t, std::string>>> GetFirst(
      Cf cf, const std::vector<std::string>& keys) const override {
    std::vector<std::string> family_keys;
    family_keys.reserve(keys.size());
    for (const auto& key : keys) family_keys.push_back(FamilyKey(cf, key));
    Params p;
    p.Binary(BinaryArray(kByteaOid, {family_keys.begin(), family_keys.end()}));
    auto r = Run(Sql::kMultiGet, p, "reading " + std::string(kCfNames[CfIndex(cf)]));
    if (!r.ok()) return r.status();
    std::optional<std::pair<size_t, std::string>> first;
    for (int row = 0; row < PQntuples(r->get()); ++row) {
      const auto at = std::find(family_keys.begin(), family_keys.end(), Cell(r->get(), row, 0));
      const size_t place = at - family_keys.begin();
      if (at != family_keys.end() && (!first || place < first->first)) {
        first.emplace(place, Cell(r->get(), row, 1));
      }
    }
    return first;
  }

  std::unique_ptr<EngineBatch> NewBatch() const override {
    return std::make_unique<PostgresBatch>();
  }

  // One statement; when its connection breaks, it learns whether the commit landed before
  // answering (ResolveOutcome) and sends it again if it did not.
  absl::Status Write(EngineBatch& batch, bool force_sync) override;
  absl::Status AcceptingWrites() const override;
  absl::Status Scan(Cf cf, std::string_view prefix, std::string_view start_after,
                    const ScanVisitor& visit) const override;
  absl::Status ScanReverse(Cf cf, std::string_view prefix, std::string_view start_before,
                           const ScanVisitor& visit) const override;
  absl::StatusOr<uint64_t> Reserve(std::string_view key, uint64_t initial, uint64_t count) override;

  SharedStripeLocks* shared_locks() override { return &locks_; }
  bool LeadsBackgroundWork() override { return lease_.Held(); }
  bool LedBackgroundWork() const override { return lease_.LastAnswer(); }
  bool SequencesChanges() const override { return true; }
  absl::StatusOr<uint64_t> StableChangeSequence() const override;
  void FollowStableChangeSequence(std::function<void(uint64_t)> publish) override;

  absl::StatusOr<BackupInfo> CreateBackup(const std::string&) override {
    return absl::FailedPreconditionError(
        "this server keeps its data in PostgreSQL: back it up with PostgreSQL's own tools "
        "(pg_basebackup and WAL archiving for point-in-time recovery, docs/cluster.md)");
  }
  absl::Status FlushAndCompact() override { return absl::OkStatus(); }
  StoreStats Stats() const override;
  absl::StatusOr<std::map<uint32_t, uint64_t>> CountKeysByTenant(Cf cf,
                                                                 size_t key_size) const override;

 private:
  // Runs one prepared statement on a pooled connection; binary results.
  absl::StatusOr<Result> Run(Sql sql, Params& params, std::string_view what) const {
    auto conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    return RunOn(conn->get(), sql, params, what);
  }
  // The same on a connection the caller holds.
  static absl::StatusOr<Result> RunOn(PGconn* c, Sql sql, Params& params, std::string_view what) {
    Result r(Execute(c, sql, params));
    auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return FromPq(c, r.get(), what);
    return r;
  }
  absl::Status ScanRange(Cf cf, ScanBounds bounds, const ScanVisitor& visit) const;
  // Visits `b` from `limit` rows a page on: on `c` (one transaction) when given, otherwise
  // each page on a pooled connection.
  absl::Status VisitPages(PGconn* c, ScanBounds& b, int limit, const ScanVisitor& visit,
                          const std::string& what) const;
  // A connection of snapshots_ inside a REPEATABLE READ READ ONLY transaction. Waits up to
  // kSnapshotWait for one, or not at all when `nested`; UNAVAILABLE when none came free.
  absl::StatusOr<ConnectionPool::Lease> BeginSnapshot(bool nested) const;
  // Unique per commit statement across servers: its time, then this engine's random nonce
  // plus a counter.
  std::string NextToken() { return Be64(UnixMicros()) + Be64(nonce_ + next_token_++); }
  // Whether the commit that carried `token` landed, found on a new connection (libpq's
  // target_session_attrs takes it to whichever host is primary now); retried until `deadline`.
  absl::StatusOr<bool> ResolveOutcome(const std::string& token,
                                      std::chrono::steady_clock::time_point deadline);
  // Deletes tokens older than kTokenRetention, at most once per kPruneInterval per engine.
  void PruneTokens();

  // Registers a commit in flight for AcceptingWrites, from construction to destruction.
  class InFlight {
   public:
    explicit InFlight(PostgresEngine& e) : e_(e) {
      std::lock_guard lock(e_.in_flight_mu_);
      at_ = e_.in_flight_.insert(std::chrono::steady_clock::now());
    }
    ~InFlight() {
      std::lock_guard lock(e_.in_flight_mu_);
      e_.in_flight_.erase(at_);
    }

   private:
    PostgresEngine& e_;
    std::multiset<std::chrono::steady_clock::time_point>::iterator at_;
  };

  mutable ConnectionPool pool_;
  // Long scans hold theirs while their visitors run (whose reads use pool_), so they have a
  // pool of their own: a burst of reports cannot starve point reads and commits.
  mutable ConnectionPool snapshots_;
  // A mutation holds its lock connection from its first lock to its commit: more of them
  // than of the connections reads and commits share.
  static constexpr int kLockConnectionsPerConnection = 4;
  AdvisoryLocks locks_;
  BackgroundLease lease_;
  bool existed_ = false;
  mutable std::mutex in_flight_mu_;
  std::multiset<std::chrono::steady_clock::time_point> in_flight_;  // start times
  const uint64_t nonce_ = std::random_device{}() * (uint64_t{1} << 32) ^ std::random_device{}();
  std::atomic<uint64_t> next_token_{0};
  std::atomic<int64_t> last_prune_micros_{0};

  // FollowStableChangeSequence: a thread asking for the mark every kStablePoll, and at once
  // after a commit of this engine wrote change-log entries.
  void NudgeFollower();
  std::mutex follow_mu_;
  std::condition_variable follow_wake_;
  bool follow_nudged_ = false;
  bool follow_stop_ = false;
  std::thread follower_;
};

absl::Status PostgresEngine::Prepare() {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  PGconn* c = lease->get();
  auto exec = [&](const char* sql) -> absl::StatusOr<Result> {
    Result r(PQexec(c, sql));
    auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      return FromPq(c, r.get(), "creating Branchline's table");
    }
    return r;
  };
  for (const char* sql :
       {"BEGIN", kSchemaLock, kCreateTable, kCreateCommitsTable, kAddCommitsXid, kCreateVarint}) {
    if (auto r = exec(sql); !r.ok()) {
      PQclear(PQexec(c, "ROLLBACK"));
      return r.status();
    }
  }
  // "Existed" means holding rows: a table created by a start that died before writing its
  // schema version is still new.
  auto rows = exec("SELECT EXISTS (SELECT 1 FROM branchline_kv)");
  if (!rows.ok()) {
    PQclear(PQexec(c, "ROLLBACK"));
    return rows.status();
  }
  existed_ = std::string_view(PQgetvalue(rows->get(), 0, 0)) == "t";
  auto commit = exec("COMMIT");
  if (!commit.ok()) return commit.status();
  // The tables exist: this connection and every later one get the prepared statements.
  if (auto s = ConnectionPool::PrepareStatements(c); !s.ok()) return s;
  pool_.PrepareFromNowOn();
  snapshots_.PrepareFromNowOn();
  return absl::OkStatus();
}

absl::Status PostgresEngine::Write(EngineBatch& batch, bool) {
  const auto& ops = static_cast<PostgresBatch&>(batch).ops();
  const auto& sequenced = static_cast<PostgresBatch&>(batch).sequenced();
  const auto& guards = static_cast<PostgresBatch&>(batch).guards();
  // Collapse repeated keys (the last operation wins, as applying them in order would), then
  // sort: concurrent commits lock rows in one order, which keeps them from deadlocking.
  std::unordered_map<std::string_view, size_t> last;
  last.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) last[ops[i].key] = i;
  std::vector<size_t> order;
  order.reserve(last.size());
  for (const auto& [key, index] : last) order.push_back(index);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return ops[a].key < ops[b].key; });
  std::vector<std::string_view> deleted, keys, values;
  for (size_t i : order) {
    if (ops[i].is_delete) {
      deleted.push_back(ops[i].key);
    } else {
      keys.push_back(ops[i].key);
      values.push_back(ops[i].value);
    }
  }
  std::vector<std::string_view> prefixes, places, change_values, fields;
  for (const auto& entry : sequenced) {
    prefixes.push_back(entry.key_prefix);
    places.push_back(entry.place);
    change_values.push_back(entry.value);
    fields.push_back(entry.sequence_field ? std::string_view("\1", 1) : std::string_view("\0", 1));
  }
  std::vector<std::string_view> guard_keys, guard_values;
  for (const auto& guard : guards) {
    guard_keys.push_back(guard.key);
    guard_values.push_back(guard.value);
  }
  const std::string deleted_array = BinaryArray(kByteaOid, deleted),
                    keys_array = BinaryArray(kByteaOid, keys),
                    values_array = BinaryArray(kByteaOid, values),
                    prefixes_array = BinaryArray(kByteaOid, prefixes),
                    places_array = BinaryArray(kInt8Oid, places),
                    change_values_array = BinaryArray(kByteaOid, change_values),
                    fields_array = BinaryArray(kBoolOid, fields),
                    guard_keys_array = BinaryArray(kByteaOid, guard_keys),
                    guard_values_array = BinaryArray(kByteaOid, guard_values);
  // Once the commit is known to have landed: followers of the change log hear of it now.
  auto landed = [&] {
    if (!sequenced.empty()) NudgeFollower();
    return absl::OkStatus();
  };
  const InFlight in_flight(*this);
  const auto deadline = std::chrono::steady_clock::now() + kOutcomeWait;
  for (;;) {
    const std::string token = NextToken();
    absl::Status lost;
    {
      auto conn = pool_.Acquire();
      if (!conn.ok()) return conn.status();  // nothing was sent
      Params p;
      p.Binary(deleted_array);
      p.Binary(keys_array);
      p.Binary(values_array);
      p.Binary(token);
      p.Binary(prefixes_array);
      p.Binary(places_array);
      p.Binary(change_values_array);
      p.Binary(fields_array);
      p.Binary(guard_keys_array);
      p.Binary(guard_values_array);
      Result r(Execute(conn->get(), Sql::kWrite, p));
      auto status = PQresultStatus(r.get());
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        PruneTokens();
        return landed();
      }
      // Only a guarded key can violate the key's uniqueness (the other writes are upserts);
      // PostgreSQL's own message would quote the key.
      if (const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
          state != nullptr && std::string_view(state) == "23505") {
        return GuardTakenError();
      }
      lost = FromPq(conn->get(), r.get(), "commit");
      if (!OutcomeUnknown(conn->get(), r.get())) return lost;
    }  // the broken connection is closed here, not reused
    auto committed = ResolveOutcome(token, deadline);
    if (!committed.ok()) {
      return absl::UnavailableError(std::string(lost.message()) +
                                    "; whether it committed could not be learned: " +
                                    std::string(committed.status().message()));
    }
    if (*committed) return landed();
    // It did not commit and can no longer (its token is taken): send it again. The caller's
    // key locks are still held, so the values it computed are still right.
    if (std::chrono::steady_clock::now() >= deadline) return lost;
  }
}

absl::Status PostgresEngine::AcceptingWrites() const {
  std::chrono::steady_clock::time_point oldest;
  {
    std::lock_guard lock(in_flight_mu_);
    if (in_flight_.empty()) return absl::OkStatus();
    oldest = *in_flight_.begin();
  }
  const auto running = std::chrono::steady_clock::now() - oldest;
  if (running < kStallAfter) return absl::OkStatus();
  absl::Status status = absl::UnavailableError(
      "PostgreSQL has not completed a commit for " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(running).count()) +
      " s (a failover, or no synchronous standby): writes are refused until it does; try again "
      "in " +
      std::to_string(kStallRetrySeconds) + " s");
  return WithRetryAfter(std::move(status), kStallRetrySeconds);
}

StoreStats PostgresEngine::Stats() const {
  StoreStats stats;
  for (const ConnectionPool* pool :
       std::initializer_list<const ConnectionPool*>{&pool_, &locks_.pool(), &snapshots_}) {
    const auto [open, busy] = pool->OpenAndBusy();
    stats.postgres_connections_open += open;
    stats.postgres_connections_busy += busy;
  }
  {
    std::lock_guard lock(in_flight_mu_);
    stats.postgres_commits_in_flight = in_flight_.size();
    if (!in_flight_.empty()) {
      stats.postgres_oldest_commit_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - *in_flight_.begin())
              .count();
    }
  }
  Params p;
  auto r = Run(Sql::kStats, p, "reading statistics");
  if (!r.ok() || PQntuples(r->get()) != 1) return stats;
  const PGresult* row = r->get();
  auto number = [&](int column) {
    return static_cast<int64_t>(Int8Cell(row, 0, column).value_or(0));
  };
  stats.postgres_up = true;
  stats.postgres_transactions_committed_total = number(0);
  stats.postgres_transactions_rolled_back_total = number(1);
  stats.postgres_deadlocks_total = number(2);
  stats.postgres_database_bytes = number(3);
  stats.postgres_synchronous_standbys = number(4);
  stats.postgres_replication_lag_bytes = number(5);
  return stats;
}

absl::StatusOr<uint64_t> PostgresEngine::StableChangeSequence() const {
  Params p;
  auto r = Run(Sql::kStable, p, "reading the change log's stable mark");
  if (!r.ok()) return r.status();
  auto v = Int8Cell(r->get(), 0, 0);
  if (!v) return absl::DataLossError("unreadable stable mark");
  return *v;
}

void PostgresEngine::FollowStableChangeSequence(std::function<void(uint64_t)> publish) {
  if (follower_.joinable()) {
    {
      std::lock_guard lock(follow_mu_);
      follow_stop_ = true;
    }
    follow_wake_.notify_all();
    follower_.join();
    follow_stop_ = false;
  }
  if (!publish) return;
  follower_ = std::thread([this, publish = std::move(publish)] {
    std::unique_lock lock(follow_mu_);
    while (!follow_stop_) {
      follow_nudged_ = false;
      lock.unlock();
      // A failure (a failover) keeps the last mark until a later poll succeeds.
      if (auto stable = StableChangeSequence(); stable.ok()) publish(*stable);
      lock.lock();
      follow_wake_.wait_for(lock, kStablePoll, [&] { return follow_stop_ || follow_nudged_; });
    }
  });
}

void PostgresEngine::NudgeFollower() {
  {
    std::lock_guard lock(follow_mu_);
    follow_nudged_ = true;
  }
  follow_wake_.notify_all();
}

absl::StatusOr<bool> PostgresEngine::ResolveOutcome(
    const std::string& token, std::chrono::steady_clock::time_point deadline) {
  absl::Status last = absl::DeadlineExceededError("no answer in time");
  for (auto pause = std::chrono::milliseconds(50);;
       pause = std::min(pause * 2, std::chrono::milliseconds(1000))) {
    Params p;
    p.Binary(token);
    auto r = Run(Sql::kFence, p, "checking a commit after a lost connection");
    if (r.ok()) return PQntuples(r->get()) == 0;  // no row inserted: the token was there
    last = r.status();
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return last;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
  }
}

void PostgresEngine::PruneTokens() {
  const int64_t now = UnixMicros();
  int64_t last = last_prune_micros_.load();
  const int64_t interval = std::chrono::microseconds(kPruneInterval).count();
  if (now - last < interval || !last_prune_micros_.compare_exchange_strong(last, now)) return;
  Params p;
  p.Binary(Be64(now - std::chrono::microseconds(kTokenRetention).count()));
  // Best effort: a failure leaves the rows to the next minute's pass.
  (void)Run(Sql::kPruneCommits, p, "pruning commit tokens");
}

// How many snapshot scans this thread is inside (their visitors are running).
thread_local int snapshot_scans_entered = 0;

Sql PageSql(const ScanBounds& b) { return b.reverse ? Sql::kScanReverse : Sql::kScanForward; }

Params PageParams(const ScanBounds& b, int limit) {
  Params p;
  p.Binary(b.lower);
  if (!b.reverse) p.Binary(b.after);
  p.Binary(b.upper);
  p.Text(std::to_string(limit));
  return p;
}

// Visits a page's rows in order and moves `b` past the last one. False once the visitor
// stopped.
bool VisitPage(const PGresult* page, ScanBounds& b, const ScanVisitor& visit) {
  const int rows = PQntuples(page);
  for (int i = 0; i < rows; ++i) {
    if (!visit(Cell(page, i, 0).substr(1), Cell(page, i, 1))) return false;
  }
  if (rows > 0) (b.reverse ? b.upper : b.after).assign(Cell(page, rows - 1, 0));
  return true;
}

absl::Status PostgresEngine::VisitPages(PGconn* c, ScanBounds& b, int limit,
                                        const ScanVisitor& visit, const std::string& what) const {
  for (;;) {
    Params p = PageParams(b, limit);
    auto page = c ? RunOn(c, PageSql(b), p, what) : Run(PageSql(b), p, what);
    if (!page.ok()) return page.status();
    if (!VisitPage(page->get(), b, visit) || PQntuples(page->get()) < limit) {
      return absl::OkStatus();
    }
    limit = kNextPage;
  }
}

absl::StatusOr<ConnectionPool::Lease> PostgresEngine::BeginSnapshot(bool nested) const {
  auto lease = snapshots_.Acquire(std::chrono::steady_clock::now() +
                                  (nested ? std::chrono::seconds(0) : kSnapshotWait));
  if (!lease.ok()) {
    return WithRetryAfter(
        absl::UnavailableError("a long scan's snapshot: " + std::string(lease.status().message())),
        kSnapshotRetrySeconds);
  }
  Result r(PQexec(lease->get(), kBeginSnapshot));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return FromPq(lease->get(), r.get(), "starting a long scan's snapshot");
  }
  return lease;
}

absl::Status PostgresEngine::ScanRange(Cf cf, ScanBounds bounds, const ScanVisitor& visit) const {
  const std::string what = "scanning " + std::string(kCfNames[CfIndex(cf)]);
  const ScanBounds from_start = bounds;
  // Most scans end within their first page: one statement on a shared connection, which
  // reads one snapshot by itself.
  Params p = PageParams(bounds, kFirstPage);
  auto first = Run(PageSql(bounds), p, what);
  if (!first.ok()) return first.status();
  if (PQntuples(first->get()) < kFirstPage) {
    VisitPage(first->get(), bounds, visit);
    return absl::OkStatus();
  }
  // A long scan: read again from its start, every page in one REPEATABLE READ transaction, so
  // a write committed meanwhile shows in all of its pages or in none (RocksDB's iterator reads
  // one snapshot too). A scan nested in another's visitor takes a snapshot connection only if
  // one is free at once: waiting, it could wait for ever on outer scans that all wait for
  // their nested ones. Without one it reads page by page, each page its own snapshot.
  const bool nested = snapshot_scans_entered > 0;
  auto snapshot = BeginSnapshot(nested);
  if (!snapshot.ok()) {
    if (!nested) return snapshot.status();
    if (!VisitPage(first->get(), bounds, visit)) return absl::OkStatus();
    return VisitPages(nullptr, bounds, kNextPage, visit, what);
  }
  first->reset();
  ++snapshot_scans_entered;
  bounds = from_start;
  auto status = VisitPages(snapshot->get(), bounds, kNextPage, visit, what);
  --snapshot_scans_entered;
  // Read only: COMMIT and ROLLBACK end it alike; its answer is read by the next user.
  snapshot->ReleaseAfter("COMMIT");
  return status;
}

absl::Status PostgresEngine::Scan(Cf cf, std::string_view prefix, std::string_view start_after,
                                  const ScanVisitor& visit) const {
  std::string successor = PrefixSuccessor(prefix);
  std::string upper = successor.empty() ? FamilyEnd(cf) : FamilyKey(cf, successor);
  // No start: '' is below every key (each has at least the family byte).
  std::string after = start_after.empty() ? std::string() : FamilyKey(cf, start_after);
  return ScanRange(cf, {false, FamilyKey(cf, prefix), std::move(after), std::move(upper)}, visit);
}

absl::Status PostgresEngine::ScanReverse(Cf cf, std::string_view prefix,
                                         std::string_view start_before,
                                         const ScanVisitor& visit) const {
  std::string successor = PrefixSuccessor(prefix);
  std::string upper = successor.empty() ? FamilyEnd(cf) : FamilyKey(cf, successor);
  if (!start_before.empty()) upper = std::min(upper, FamilyKey(cf, start_before));
  return ScanRange(cf, {true, FamilyKey(cf, prefix), {}, std::move(upper)}, visit);
}

// One statement: the row lock of INSERT … ON CONFLICT DO UPDATE makes concurrent reservations,
// from this process or another server, follow one another.
absl::StatusOr<uint64_t> PostgresEngine::Reserve(std::string_view key, uint64_t initial,
                                                 uint64_t count) {
  Params p;
  p.Binary(FamilyKey(Cf::kMeta, key));
  p.Text(std::to_string(initial));
  p.Text(std::to_string(count));
  auto r = Run(Sql::kReserve, p, "reserving ids");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) != 1) return absl::InternalError("reserving ids: no row returned");
  auto v = Int8Cell(r->get(), 0, 0);
  if (!v) return absl::DataLossError("high-water mark is unreadable");
  return *v;
}

absl::StatusOr<std::map<uint32_t, uint64_t>> PostgresEngine::CountKeysByTenant(
    Cf cf, size_t key_size) const {
  Params p;
  p.Binary(FamilyKey(cf, ""));
  p.Binary(FamilyEnd(cf));
  p.Text(std::to_string(key_size));
  auto r = Run(Sql::kCount, p, "counting keys");
  if (!r.ok()) return r.status();
  std::map<uint32_t, uint64_t> counts;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    KeyReader tenant(Cell(r->get(), i, 0));
    auto t = tenant.U32();
    auto n = Int8Cell(r->get(), i, 1);
    if (t && tenant.done() && n) counts[*t] = *n;
  }
  return counts;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> OpenPostgresEngine(const StoreOptions& options) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.postgres.c_str(), &error);
  if (!parsed) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return absl::InvalidArgumentError("bad PostgreSQL connection string: " + message);
  }
  PQconninfoFree(parsed);
  auto engine = std::make_unique<PostgresEngine>(options);
  if (auto s = engine->Prepare(); !s.ok()) return s;
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace branchline::storage
