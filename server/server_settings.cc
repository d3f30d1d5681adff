#include "server/server_settings.h"

#include "rpc/methods.h"

namespace branchline {

namespace {
// Handler threads kept waiting for calls between bursts (see below).
constexpr int kIdleHandlerThreadsKept = 128;
}  // namespace

void ApplyServerSettings(grpc::ServerBuilder& builder, grpc::ResourceQuota& quota) {
  // Ping idle connections every 2 minutes so dead phones are noticed and NATs stay open.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  // Phones may ping (without calls in flight) as often as every 30 s, not more.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 30'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  // Close connections idle for 30 minutes; clients reconnect transparently.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 30 * 60'000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 100);
  // gRPC sets SO_REUSEPORT by default: a second server started on the same port (another data
  // directory, a forgotten test instance) would start fine and take half the connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(rpc::kMaxReceiveBytes);
  builder.SetMaxSendMessageSize(16 << 20);
  builder.SetDefaultCompressionAlgorithm(GRPC_COMPRESS_NONE);
  // Handlers block on the synced commit; many in flight at once is what lets RocksDB share
  // one WAL sync between them. The quota bounds the threads that may exist.
  quota.SetMaxThreads(512);
  builder.SetResourceQuota(quota);
  // gRPC's sync server keeps only 2 idle threads by default: a thread finishing a call with
  // two others already waiting exits, and the next call starts a new one. With 64 check-ins
  // parked on WAL syncs that meant ~2,600 thread starts and exits a second (one every other
  // call; 239 -> 166 us of server CPU per check-in once the threads are kept). Idle threads
  // sleep on the completion queue and cost only their stacks.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              kIdleHandlerThreadsKept);
}

}  // namespace branchline
