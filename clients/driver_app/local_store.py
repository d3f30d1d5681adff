"""The app's local database (sqlite3 from the standard library): the offline queue, the sync
cursor, the changes received and a snapshot of state. Survives the app process restarting.

Every change received is stored together with the cursor after it in ONE transaction, so a
crash between the two can never make the app skip or repeat a change on the next start."""

import sqlite3
import threading
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- queue order (the order things happened)
  request_id TEXT NOT NULL UNIQUE,         -- chosen once, when the action is recorded
  kind TEXT NOT NULL,
  payload BLOB NOT NULL,                   -- serialized OfflineAction, request_id inside
  device_time_us INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',   -- pending | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  error_code INTEGER,
  error_message TEXT
);
CREATE TABLE IF NOT EXISTS receipts (      -- answers to actions the server stored
  request_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  outcome TEXT NOT NULL,                   -- DONE | ALREADY_DONE
  result BLOB NOT NULL                     -- serialized ActionResult (a letter's receipt code!)
);
CREATE TABLE IF NOT EXISTS changes (       -- every change delivered, in delivery order
  delivery INTEGER PRIMARY KEY AUTOINCREMENT,
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  via TEXT NOT NULL                        -- stream | list
);
CREATE TABLE IF NOT EXISTS snapshot (      -- state read by a resync
  kind TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  payload BLOB NOT NULL,
  PRIMARY KEY (kind, record_id)
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class LocalStore:
    """Thread-safe: one connection behind a lock (the app's threads are few)."""

    def __init__(self, path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a recorded action survives a power cut
        self._db.executescript(SCHEMA)

    def close(self):
        with self._lock:
            self._db.close()

    # --- the offline queue ---

    def enqueue(self, request_id, kind, payload, device_time_us):
        with self._lock:
            self._db.execute(
                "INSERT INTO actions (request_id, kind, payload, device_time_us) VALUES (?,?,?,?)",
                (request_id, kind, payload, device_time_us))

    def pending(self, limit=1_000_000):
        """[(seq, request_id, kind, payload)] still to upload, oldest first."""
        with self._lock:
            return self._db.execute(
                "SELECT seq, request_id, kind, payload FROM actions WHERE state='pending' "
                "ORDER BY seq LIMIT ?", (limit,)).fetchall()

    def failed(self):
        """[(request_id, kind, error_code, error_message)]: refused actions, for the user."""
        with self._lock:
            return self._db.execute(
                "SELECT request_id, kind, error_code, error_message FROM actions "
                "WHERE state='failed' ORDER BY seq").fetchall()

    def count_attempt(self, seqs):
        with self._lock:
            self._db.executemany("UPDATE actions SET attempts = attempts + 1 WHERE seq=?",
                                 [(s,) for s in seqs])

    def settle(self, done, failed):
        """Applies one batch answer atomically. done: [(seq, request_id, kind, outcome, result
        bytes)] leave the queue for the receipts; failed: [(seq, code, message)] stay, marked."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for seq, request_id, kind, outcome, result in done:
                    self._db.execute("INSERT OR REPLACE INTO receipts VALUES (?,?,?,?)",
                                     (request_id, kind, outcome, result))
                    self._db.execute("DELETE FROM actions WHERE seq=?", (seq,))
                for seq, code, message in failed:
                    self._db.execute("UPDATE actions SET state='failed', error_code=?, "
                                     "error_message=? WHERE seq=?", (code, message, seq))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def receipts(self):
        with self._lock:
            return self._db.execute(
                "SELECT request_id, kind, outcome, result FROM receipts").fetchall()

    # --- changes and the cursor ---

    def cursor(self):
        return self.get("cursor")

    def get(self, key):
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key=?", (key,)).fetchone()
            return row[0] if row else None

    def put(self, key, value):
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO kv VALUES (?,?)", (key, value))

    def apply_changes(self, changes, cursor, via):
        """Records `changes` (api Change messages) and the cursor after them in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for c in changes:
                    self._db.execute(
                        "INSERT INTO changes (sequence, kind, record_id, action, via) "
                        "VALUES (?,?,?,?,?)", (c.sequence, c.kind, c.record_id, c.action, via))
                self._db.execute("INSERT OR REPLACE INTO kv VALUES ('cursor', ?)", (cursor,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def delivered(self):
        """[(sequence, kind, record_id, action)] in delivery order, repeats included."""
        with self._lock:
            return self._db.execute(
                "SELECT sequence, kind, record_id, action FROM changes ORDER BY delivery").fetchall()

    def replace_snapshot(self, rows, cursor):
        """A resync: the state read (rows of (kind, record_id, payload)) and the cursor taken
        BEFORE reading it, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM snapshot")
                self._db.executemany("INSERT OR REPLACE INTO snapshot VALUES (?,?,?)", rows)
                self._db.execute("INSERT OR REPLACE INTO kv VALUES ('cursor', ?)", (cursor,))
                resyncs = int(self._get_locked("resyncs") or 0) + 1
                self._db.execute("INSERT OR REPLACE INTO kv VALUES ('resyncs', ?)", (str(resyncs),))
                self._db.execute("INSERT OR REPLACE INTO kv VALUES ('resync_time', ?)",
                                 (str(time.time()),))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def snapshot(self, kind):
        with self._lock:
            return self._db.execute("SELECT record_id, payload FROM snapshot WHERE kind=? "
                                    "ORDER BY record_id", (kind,)).fetchall()

    def _get_locked(self, key):
        row = self._db.execute("SELECT value FROM kv WHERE key=?", (key,)).fetchone()
        return row[0] if row else None
