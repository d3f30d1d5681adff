#include "server/server.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>
#include <type_traits>

#include "absl/strings/match.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "rpc/async_stream_call.h"
#include "rpc/call_interceptor.h"
#include "rpc/services/admin_grpc.h"
#include "rpc/services/attendance_grpc.h"
#include "rpc/services/audit_grpc.h"
#include "rpc/services/auth_grpc.h"
#include "rpc/services/calendar_grpc.h"
#include "rpc/services/duties_grpc.h"
#include "rpc/services/evaluation_grpc.h"
#include "rpc/services/feedback_grpc.h"
#include "rpc/services/files_grpc.h"
#include "rpc/services/handbook_grpc.h"
#include "rpc/services/notifications_grpc.h"
#include "rpc/services/org_grpc.h"
#include "rpc/services/people_grpc.h"
#include "rpc/services/records_grpc.h"
#include "rpc/services/study_grpc.h"
#include "rpc/services/sync_grpc.h"
#include "server/backup_schedule.h"
#include "server/bootstrap.h"
#include "server/call_recorder.h"
#include "server/completion_queue_pollers.h"
#include "server/connection_churn.h"
#include "server/json_log_formatter.h"
#include "server/listen_guard.h"
#include "server/memory_release.h"
#include "server/metrics.h"
#include "server/operations_metrics.h"
#include "server/server_settings.h"
#include "services/auth/token_signer.h"
#include "services/common/blocking_work_pool.h"
#include "services/common/clock.h"
#include "services/common/stream_bounds.h"
#include "services/common/stream_watchdog.h"
#include "services/domain.h"
#include "spdlog/spdlog.h"
#include "storage/migrations.h"
#include "storage/storage_uri.h"
#include "storage/store.h"

namespace branchline {

// Everything one server owns, in construction order (destroyed in reverse: the gRPC server
// first, the store last).
struct BranchlineServer::State {
  ServerOptions options;
  SystemClock clock;
  std::unique_ptr<storage::Store> store;
  BackupFigures backup_figures;                     // read by metrics: goes before them
  std::unique_ptr<ServerMetrics> metrics;           // reads the store: goes before it
  std::unique_ptr<TokenSigner> signer;              // follows the key files
  std::unique_ptr<Domain> domain;                   // every domain object (services/domain.h)
  std::unique_ptr<BackupSchedule> backup_schedule;  // uses the domain's backups and the store
  // Shared by the server streams; built before the services, destroyed after them.
  std::unique_ptr<StreamBounds> stream_bounds;
  std::unique_ptr<StreamWatchdog> stream_watchdog;
  std::unique_ptr<BlockingWorkPool> blocking_pool;
  std::unique_ptr<StreamEnvironment> streams;
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::vector<AcceptsAsyncCalls*> async_services;   // in services
  std::unique_ptr<CancelledCallGuard> churn;        // used by the recorder
  std::unique_ptr<CallRecorder> recorder;           // told of every call by the interceptor
  std::unique_ptr<MemoryTrimmer> trimmer;           // with tcmalloc only
  std::unique_ptr<CompletionQueuePollers> pollers;  // outlives the server, which uses its queue
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::mutex shutdown_mu;
  bool shut_down = false;
  // Calls in progress, counted by the interceptor: what a stop waits for.
  rpc::CallsInProgress calls;
};

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The anonymous-letter allowances, named by their flags (main.cc) so a bad start says which
// flag to fix. A per-organisation allowance above the tenant's could never be used up.
absl::Status CheckAnonymousLetterLimits(const feedback::AnonymousLetterLimit::Limits& limits) {
  if (limits.per_organization_per_day <= 0) {
    return absl::InvalidArgumentError(
        "--anonymous-letters-per-organization-per-day must be greater than 0");
  }
  if (limits.per_tenant_per_day <= 0) {
    return absl::InvalidArgumentError(
        "--anonymous-letters-per-tenant-per-day must be greater than 0");
  }
  if (limits.per_organization_per_day > limits.per_tenant_per_day) {
    return absl::InvalidArgumentError("--anonymous-letters-per-organization-per-day (" +
                                      std::to_string(limits.per_organization_per_day) +
                                      ") must not exceed --anonymous-letters-per-tenant-per-day (" +
                                      std::to_string(limits.per_tenant_per_day) + ")");
  }
  return absl::OkStatus();
}

// Stream limits of 0 or less would refuse every stream; a stall timeout under 100 ms would cut
// healthy streams between two window updates.
absl::Status CheckStreamLimits(const StreamLimits& limits) {
  if (limits.per_person <= 0) {
    return absl::InvalidArgumentError("--max-streams-per-person must be greater than 0");
  }
  if (limits.per_connection <= 0) {
    return absl::InvalidArgumentError("--max-streams-per-connection must be greater than 0");
  }
  if (limits.stall_timeout < std::chrono::milliseconds(100)) {
    return absl::InvalidArgumentError("--stream-stall-timeout-seconds must be at least 0.1");
  }
  return absl::OkStatus();
}

// How often tcmalloc's free pages are looked at, and how many must be free to return them.
constexpr std::chrono::milliseconds kTrimPeriod{5000};
constexpr size_t kTrimAtFreeBytes = 16 << 20;

// CSV export starts that may read at once (each walks a meeting's or a subtree's people);
// more wait in order. Bounds the threads and the database reads a burst of exports costs.
constexpr int kBlockingStreamStarts = 4;

// The domain's share of the server's options.
DomainOptions DomainOptionsOf(const ServerOptions& options) {
  DomainOptions d;
  d.password_hashing = options.fast_password_hashing ? PasswordHasher::Strength::kFastForTests
                                                     : PasswordHasher::Strength::kInteractive;
  d.backup_dir = options.backup_dir;
  d.token_key_file = options.data_dir + "/token.key";
  d.device_time = options.device_time;
  d.change_retention_micros = options.change_retention_micros;
  d.audit_retention_micros = options.audit_retention_micros;
  d.retention_clock = options.retention_clock;
  d.publication_clock = options.publication_clock;
  d.evaluation_clock = options.evaluation_clock;
  d.anonymous_letters = options.anonymous_letters;
  d.calendar = options.calendar;
  d.notifications = options.notifications;
  d.files = options.files;
  return d;
}

}  // namespace

absl::Status CheckServerOptions(const ServerOptions& options) {
  if (auto limits = CheckAnonymousLetterLimits(options.anonymous_letters); !limits.ok()) {
    return limits;
  }
  if (auto streams = CheckStreamLimits(options.streams); !streams.ok()) return streams;
  if (auto exposure =
          CheckListenExposure(options.listen, {.tls = !options.tls_cert_file.empty(),
                                               .behind_edge = options.behind_edge,
                                               .accept_no_edge = options.accept_no_edge});
      !exposure.ok()) {
    return exposure;
  }
  if (options.backup_interval_micros < 0) {
    return absl::InvalidArgumentError("--backup-interval-minutes must not be negative (0: off)");
  }
  if (options.backup_keep < 1) {
    return absl::InvalidArgumentError("--backup-keep must be at least 1");
  }
  if (!options.backup_copy.command.empty() && options.backup_interval_micros <= 0) {
    return absl::InvalidArgumentError(
        "--backup-copy-command copies the scheduled backups: set --backup-interval-minutes too");
  }
  if (options.backup_interval_micros > 0 && absl::StartsWith(options.storage, "postgres")) {
    return absl::InvalidArgumentError(
        "--backup-interval-minutes: scheduled backups are for the embedded RocksDB storage; with "
        "--storage postgres:// back up with PostgreSQL's own tools (pg_basebackup with WAL "
        "archiving, or pgBackRest; docs/cluster.md, docs/operations.md) and leave "
        "backup_interval_minutes at 0");
  }
  if (!options.tls_client_ca_file.empty() && options.tls_cert_file.empty()) {
    return absl::InvalidArgumentError("--tls-client-ca needs TLS (--tls-cert and --tls-key)");
  }
  return absl::OkStatus();
}

BranchlineServer::BranchlineServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

BranchlineServer::~BranchlineServer() { Shutdown(); }

int BranchlineServer::port() const { return state_->port; }

int BranchlineServer::metrics_port() const { return state_->metrics ? state_->metrics->port() : 0; }

absl::StatusOr<std::unique_ptr<BranchlineServer>> BranchlineServer::Start(
    const ServerOptions& options) {
  // TLS files first: a bad path must not leave a bootstrapped data directory behind (its
  // generated admin password printed to a start that then fails).
  if (auto checked = CheckServerOptions(options); !checked.ok()) return checked;
  if (options.accept_no_edge && !IsLoopbackListen(options.listen)) {
    spdlog::warn(
        "!!! --i-accept-no-edge: clients reach gRPC 1.51's HTTP/2 on {} directly; its known "
        "denial-of-service issues are only partly bounded by the server (docs/security.md) !!!",
        options.listen);
  }
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto cert = ReadFile(options.tls_cert_file);
    auto pem_key = ReadFile(options.tls_key_file);
    if (!cert.ok()) return cert.status();
    if (!pem_key.ok()) return pem_key.status();
    // Without a client CA the default request type (DONT_REQUEST) stays.
    grpc::SslServerCredentialsOptions ssl;
    if (!options.tls_client_ca_file.empty()) {
      auto client_ca = ReadFile(options.tls_client_ca_file);
      if (!client_ca.ok()) return client_ca.status();
      ssl = grpc::SslServerCredentialsOptions(
          // Request, verify when sent, never require: phones have no certificates, and a
          // certificate only matters for the service accounts bound to one.
          GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
      ssl.pem_root_certs = *client_ca;
    }
    ssl.pem_key_cert_pairs.push_back({*pem_key, *cert});
    credentials = grpc::SslServerCredentials(ssl);
  } else {
    credentials = grpc::InsecureServerCredentials();
  }
  auto state = std::make_unique<State>();
  state->options = options;
  storage::StoreOptions store_options;
  store_options.path = options.data_dir + "/db";
  if (!options.storage.empty()) {
    if (auto parsed = storage::ParseStorageUri(options.storage, store_options); !parsed.ok()) {
      return parsed;
    }
  }
  store_options.sync_writes = options.sync_writes;
  store_options.record_cache_bytes = options.record_cache_bytes;
  if (!options.sync_writes) {
    spdlog::warn(
        "!!! --unsafe-no-sync: acknowledged writes are NOT synced and a power cut can "
        "lose them. Use only for benchmarks. !!!");
  }
  if (!options.metrics_listen.empty()) {
    // Before the database opens: a long schema migration shows its progress there. A taken
    // metrics port must not keep the service down: it serves without metrics and says so
    // (Prometheus then shows the target as down).
    auto metrics = ServerMetrics::Start(options.metrics_listen);
    if (metrics.ok()) {
      state->metrics = std::move(*metrics);
      spdlog::info("metrics on http://{}/metrics (metrics port {})", options.metrics_listen,
                   state->metrics->port());
    } else {
      spdlog::error("serving WITHOUT metrics: {}", metrics.status().ToString());
    }
  }
  // Migrations of an older database run inside Open, before anything is served; their
  // progress goes to the log (storage has no logger of its own) and to the metrics.
  storage::SetMigrationLog([](std::string_view line) { spdlog::info("{}", line); });
  auto store = storage::Store::Open(store_options);
  if (!store.ok()) {
    if (options.storage.empty()) return store.status();
    // Says which flag to fix; Store's message never carries the connection string (it may
    // hold a password).
    return absl::Status(store.status().code(),
                        "--storage: " + std::string(store.status().message()));
  }
  spdlog::info("storage: {}", (*store)->engine_name());
  state->store = std::move(*store);
  if (state->metrics) {
    state->metrics->AttachStore(*state->store);
    state->metrics->AddCollectable(
        MakeOperationsCollector({.store = state->store.get(),
                                 .data_dir = options.data_dir,
                                 .backups = &state->backup_figures,
                                 .change_retention_micros = options.change_retention_micros}));
  }

  // The keys stay in the data directory when the records live elsewhere (--storage).
  std::error_code dir_error;
  std::filesystem::create_directories(options.data_dir, dir_error);
  if (dir_error) {
    return absl::UnavailableError("cannot create " + options.data_dir + ": " + dir_error.message());
  }
  // The current signing key and those kept after a rotation (services/auth/token_keys.h),
  // followed while the server runs: `--rotate-token-key` needs no restart.
  auto signer = TokenSigner::FollowKeyFiles(options.data_dir + "/token.key");
  if (!signer.ok()) return signer.status();
  state->signer = std::move(*signer);
  // A key of its own for receipt codes of anonymous letters (never the token key).
  auto receipt_key = TokenSigner::LoadOrCreateKey(options.data_dir + "/feedback.key");
  if (!receipt_key.ok()) return receipt_key.status();
  state->domain = std::make_unique<Domain>(*state->store, *state->signer, std::move(*receipt_key),
                                           state->clock, DomainOptionsOf(options));
  Domain& d = *state->domain;
  auto boot = BootstrapIfEmpty(*state->store, d.orgs, d.people, d.hasher, options.admin_password,
                               std::cout);
  if (!boot.ok()) return boot;
  // After the bootstrap, so the first tenant's change cursor starts at its end.
  if (auto started = d.StartBackgroundPasses(
          {.change_prune_micros = options.change_prune_interval_micros,
           .audit_prune_micros = options.audit_prune_interval_micros,
           .deferred_change_micros = options.deferred_change_interval_micros});
      !started.ok()) {
    return started;
  }
  // After the bootstrap too: the first scheduled backup holds the admin account and both keys.
  LoadBackupTimes(options.backup_dir, state->backup_figures);
  d.backups.OnCreated([figures = &state->backup_figures](const storage::BackupInfo& info) {
    figures->last_success_seconds = info.create_time_seconds;
  });
  if (options.backup_interval_micros > 0) {
    state->backup_schedule = std::make_unique<BackupSchedule>(
        d.backups, state->backup_figures, std::chrono::microseconds(options.backup_interval_micros),
        static_cast<uint32_t>(options.backup_keep), options.backup_copy);
    state->backup_schedule->Start();
    spdlog::info("scheduled backups every {} s into {}, keeping {}{}",
                 options.backup_interval_micros / 1e6, options.backup_dir, options.backup_keep,
                 options.backup_copy.command.empty() ? "" : ", each copied off the machine");
  }

  auto& auth = d.authenticator;
  state->stream_bounds = std::make_unique<StreamBounds>(options.streams);
  state->stream_watchdog = std::make_unique<StreamWatchdog>(options.streams.stall_timeout);
  state->blocking_pool = std::make_unique<BlockingWorkPool>(kBlockingStreamStarts);
  state->streams = std::make_unique<StreamEnvironment>(StreamEnvironment{
      auth, *state->stream_bounds, *state->stream_watchdog, *state->blocking_pool});
  auto add = [&](auto service) {
    using Adapter = typename decltype(service)::element_type;
    if constexpr (std::is_base_of_v<AcceptsAsyncCalls, Adapter>) {
      state->async_services.push_back(service.get());
    }
    state->services.push_back(std::move(service));
  };
  add(std::make_unique<AuthGrpc>(d.sessions, auth, options.trusted_proxies));
  add(std::make_unique<OrganizationGrpc>(d.orgs, auth));
  add(std::make_unique<PersonGrpc>(d.people, auth));
  add(std::make_unique<AdminGrpc>(d.backups, auth));
  add(std::make_unique<SyncGrpc>(d.change_feed, d.notices, d.watch_hub, d.offline_batch, auth,
                                 *state->streams));
  add(std::make_unique<AttendanceGrpc>(d.meetings, d.check_ins, d.attendance_reports, auth,
                                       *state->streams));
  add(std::make_unique<CalendarGrpc>(d.recurring_meetings, d.holidays, d.absences,
                                     d.calendar_export, auth, *state->streams));
  add(std::make_unique<FeedbackGrpc>(d.mailbox, auth));
  add(std::make_unique<RecordsGrpc>(d.meeting_records, d.ledger, auth));
  add(std::make_unique<AuditGrpc>(d.audit_log, auth, *state->streams));
  add(std::make_unique<EvaluationGrpc>(d.evaluation_rounds, d.commitments, d.honours, auth,
                                       *state->streams));
  add(std::make_unique<DutiesGrpc>(d.duties, auth));
  add(std::make_unique<FilesGrpc>(d.uploads, d.file_library, auth));
  add(std::make_unique<HandbookGrpc>(d.handbooks, auth, *state->streams));
  add(std::make_unique<NotificationsGrpc>(d.outbox, d.devices, d.notification_settings, auth,
                                          *state->streams));
  add(std::make_unique<StudyGrpc>(d.study_catalog, d.study_journal, d.study_reports, d.quizzes,
                                  auth));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &state->port);
  grpc::ResourceQuota quota("branchline");
  ApplyServerSettings(builder, quota);
  for (auto& service : state->services) builder.RegisterService(service.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  // Every call reset before its request arrived is counted (no sampling: ordinary calls never
  // reach the guard), and 100 of them within a second close the connection. Measured: of a
  // flood's resets only ~1 in 30 reaches a handler (the rest die in gRPC's queue), so a flood
  // passes 100 within its first ~3,000 resets; a phone resets a call now and then.
  state->churn = std::make_unique<CancelledCallGuard>(
      CancelledCallGuard::Limits{.busy_calls = 0, .sample_every = 1, .max_cancelled = 100});
  state->recorder =
      std::make_unique<CallRecorder>(options.access_log, state->metrics.get(), state->churn.get());
  interceptors.push_back(
      std::make_unique<rpc::CallInterceptorFactory>(state->recorder.get(), &state->calls));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  state->pollers = std::make_unique<CompletionQueuePollers>(builder.AddCompletionQueue());
  // Memory freed after a burst (a rapid-reset flood, a report over a whole company) goes back
  // to the system within seconds instead of staying resident in the allocator.
  if (MemoryTrimmer::Supported()) {
    state->trimmer = std::make_unique<MemoryTrimmer>(kTrimPeriod, kTrimAtFreeBytes);
  }
  state->server = builder.BuildAndStart();
  // Started before anything can fail: a started server cannot even shut down unpolled.
  if (state->server) state->pollers->Start(std::max(2u, std::thread::hardware_concurrency()));
  if (!state->server || state->port == 0) {
    return absl::UnavailableError("cannot listen on " + options.listen);
  }
  for (auto* service : state->async_services) service->AcceptAsyncCalls(state->pollers->queue());
  spdlog::info("branchline-server listening on {} (port {}), data in {}", options.listen,
               state->port, options.data_dir);
  return std::unique_ptr<BranchlineServer>(new BranchlineServer(std::move(state)));
}

void BranchlineServer::Shutdown(int grace_ms) {
  std::lock_guard lock(state_->shutdown_mu);
  if (state_->shut_down) return;
  state_->shut_down = true;
  using SteadyClock = std::chrono::steady_clock;
  const auto started = SteadyClock::now();
  const auto deadline = started + std::chrono::milliseconds(grace_ms);
  auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count();
  };
  // 1. Live streams end with UNAVAILABLE: clients resume from their cursor elsewhere or later.
  state_->domain->watch_hub.FinishAll();
  // 2. New calls are refused with UNAVAILABLE before their handlers run (the interceptor), and
  // the calls in progress finish and are answered. Not gRPC's own Shutdown yet: from the moment
  // it is called until a client has read its GOAWAY, gRPC 1.51 accepts calls and answers them
  // CANCELLED, which phones do not retry.
  state_->calls.stopping = true;
  // Then a quiet moment, no call started for kQuiet (refused clients back off), to make a call
  // arriving in step 3 unlikely; under steady load at most kMaxQuietWait of it.
  constexpr auto kQuiet = std::chrono::milliseconds(50);
  constexpr auto kMaxQuietWait = std::chrono::milliseconds(250);
  std::optional<SteadyClock::time_point> idle_since;
  for (;;) {
    const auto now = SteadyClock::now();
    if (now >= deadline) break;
    if (state_->calls.unary.load() > 0) {
      idle_since.reset();
    } else {
      if (!idle_since) idle_since = now;
      const auto last_start =
          SteadyClock::time_point(SteadyClock::duration(state_->calls.last_start_ns.load()));
      if (now - last_start >= kQuiet || now - *idle_since >= kMaxQuietWait) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const int left = state_->calls.unary.load();
  spdlog::info("stop: calls in progress finished after {:.0f} ms{}", elapsed_ms(),
               left > 0 ? " (" + std::to_string(left) + " still running at the grace's end)"
                        : std::string());
  // 3. gRPC's Shutdown with no time left: GOAWAY, and the connections closed at once. Given
  // time, it would wait for every client connection to go away, which an idle or unresponsive
  // phone does not do by itself (a stop with one idle connection took min(grace, 6 s) + 2 s,
  // and under load the whole grace). A call still running (only past the grace) ends with
  // UNAVAILABLE for its client, which retries it with the same request_id.
  state_->server->Shutdown(std::chrono::system_clock::now());
  state_->server->Wait();
  spdlog::info("stop: gRPC stopped after {:.0f} ms", elapsed_ms());
  // Stream starts still queued run now, while the pollers can still take their operations.
  state_->blocking_pool->Drain();
  state_->pollers->Shutdown();  // after the server's, as gRPC requires
  state_->server.reset();
  state_->backup_schedule.reset();  // finishes a backup being copied, then stops
  // Stops the background passes (series, reminders, retention, uploads, publication) before
  // the database closes.
  state_->domain.reset();
  state_->metrics.reset();  // stops scrapes before the store they read goes
  state_->store.reset();    // closes the database cleanly
  spdlog::info("branchline-server stopped ({:.0f} ms after the stop began)", elapsed_ms());
}

void BranchlineServer::Wait() {
  if (state_->server) state_->server->Wait();
}

absl::StatusOr<uint64_t> BranchlineServer::PruneAuditNow() {
  return state_->domain->audit_log.PruneNow();
}
absl::StatusOr<uint64_t> BranchlineServer::PruneUploadsNow() {
  return state_->domain->uploads.PruneNow();
}

absl::StatusOr<uint64_t> BranchlineServer::PruneChangesNow() {
  return state_->domain->change_retention.PruneNow();
}

absl::StatusOr<uint64_t> BranchlineServer::PublishDeferredChangesNow() {
  return state_->domain->deferred_changes.PublishNow();
}

absl::StatusOr<uint64_t> BranchlineServer::MaterializeSeriesNow() {
  return state_->domain->recurring_meetings.MaterializeDue();
}

absl::StatusOr<uint64_t> BranchlineServer::RunRemindersNow() {
  return state_->domain->reminder_rules.RunDue();
}

int Run(const ServerOptions& options) {
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (options.log_format == "json") UseJsonLogLines();
  // Block the stop signals in every thread gRPC and RocksDB start; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = BranchlineServer::Start(options);
  if (!server.ok()) {
    spdlog::error("cannot start: {}", server.status().ToString());
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("received {}, shutting down gracefully", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Shutdown(options.shutdown_grace_ms);
  return 0;
}

}  // namespace branchline
