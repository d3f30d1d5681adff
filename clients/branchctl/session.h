#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "clients/branchctl/exit_codes.h"
#include "clients/branchctl/token_file.h"
#include "grpcpp/grpcpp.h"

namespace branchline::ctl {

// The flags every command shares.
struct GlobalOptions {
  std::string server = "127.0.0.1:50051";  // the server's default --listen
  bool server_given = false;               // else the server of the stored login is used
  std::string tls_ca;                      // PEM file: use TLS and trust this CA
  std::string token_file = DefaultTokenPath();
  bool json = false;
  double timeout_seconds = 30;
};

// A call the server answered with an error; the app prints it and exits with its code.
class RpcError : public std::runtime_error {
 public:
  explicit RpcError(grpc::Status status)
      : std::runtime_error(status.error_message()), status_(std::move(status)) {}
  const grpc::Status& status() const { return status_; }

 private:
  grpc::Status status_;
};

// A local failure (bad argument, unreadable file, not signed in) with its exit code.
class CtlError : public std::runtime_error {
 public:
  CtlError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// A fresh client-generated idempotency key (32 random hex digits).
std::string NewRequestId();

// The connection to the server plus the stored login. Calls throw RpcError.
class Session {
 public:
  explicit Session(const GlobalOptions& options) : options_(options) {}

  const GlobalOptions& options() const { return options_; }
  std::string server();
  std::shared_ptr<grpc::Channel> channel();

  // A context with the deadline of --timeout and, when `token` is set, the bearer token.
  std::unique_ptr<grpc::ClientContext> NewContext(const std::string& token) const;

  // `fn(grpc::ClientContext*, Resp*) -> grpc::Status`, as the signed-in user. An access token
  // about to expire is renewed first with the refresh token (and the file rewritten); a token
  // the server refuses is renewed once and the call repeated.
  template <typename Resp, typename Fn>
  Resp Call(Fn&& fn) {
    std::string token = AccessToken();
    Resp out;
    grpc::Status status = fn(NewContext(token).get(), &out);
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED && TryRefresh()) {
      out.Clear();
      status = fn(NewContext(login_->access_token).get(), &out);
    }
    if (!status.ok()) throw RpcError(status);
    return out;
  }

  // The same with an explicit token (empty: none), no refresh: sign-in, health, and the demo
  // acting as its own people.
  template <typename Resp, typename Fn>
  Resp CallAs(const std::string& token, Fn&& fn) {
    Resp out;
    grpc::Status status = fn(NewContext(token).get(), &out);
    if (!status.ok()) throw RpcError(status);
    return out;
  }

  // The stored login; CtlError(kExitUnauthenticated) when not signed in.
  const StoredLogin& login();
  bool signed_in();
  void SaveLogin(const StoredLogin& login);
  void ForgetLogin();
  // Offset for showing and reading local times (the login's organisation; +08:00 otherwise).
  int32_t utc_offset_minutes();
  // The stored access token, renewed first when it is about to expire (for streaming calls,
  // which Call does not cover).
  std::string AccessToken();

 private:
  bool TryRefresh();

  const GlobalOptions& options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::optional<StoredLogin> login_;
  std::string load_error_;  // why the token file could not be read, if it could not
  bool loaded_ = false;
  bool refreshed_ = false;
};

}  // namespace branchline::ctl
