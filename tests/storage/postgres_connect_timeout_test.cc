// A PostgreSQL host that accepts the TCP connection and then says nothing (a hung server, a
// firewall that swallows the startup packet) must not hold the engine for minutes: libpq
// waits forever without connect_timeout, so the engine gives it a default of 5 s, and a
// connection string that names its own timeout keeps it. Needs no PostgreSQL.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "storage/postgres_engine.h"

namespace branchline::storage {
namespace {

// A loopback listener that never accepts: the kernel completes the handshake into the
// backlog, and the startup packet is never answered.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// How long opening the engine on `conninfo` takes, and that it ends UNAVAILABLE.
double SecondsToGiveUp(const std::string& conninfo) {
  StoreOptions options;
  options.postgres = conninfo;
  const auto start = std::chrono::steady_clock::now();
  auto engine = OpenPostgresEngine(options);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(engine.ok());
  EXPECT_TRUE(absl::IsUnavailable(engine.status())) << engine.status();
  return took.count();
}

TEST(PostgresConnectTimeoutTest, ASilentHostIsGivenUpAfterTheDefaultTimeout) {
  SilentListener silent;
  const double seconds =
      SecondsToGiveUp("postgresql://branchline@127.0.0.1:" + std::to_string(silent.port()) +
                      "/branchline?sslmode=disable");
  EXPECT_GE(seconds, 4.0);
  EXPECT_LT(seconds, 15.0);
}

TEST(PostgresConnectTimeoutTest, TheConnectionStringsOwnTimeoutWins) {
  SilentListener silent;
  const double seconds = SecondsToGiveUp("host=127.0.0.1 port=" + std::to_string(silent.port()) +
                                         " dbname=branchline user=branchline sslmode=disable "
                                         "connect_timeout=2");
  EXPECT_GE(seconds, 1.5);
  EXPECT_LT(seconds, 4.0);
}

}  // namespace
}  // namespace branchline::storage
