#include "clients/branchctl/session.h"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>

#include "branchline/v1/auth.grpc.pb.h"
#include "clients/branchctl/output.h"

namespace branchline::ctl {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CtlError(kExitUsage, "cannot read --tls-ca file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string NewRequestId() {
  std::random_device random;
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id.push_back(kHex[random() % 16]);
  return id;
}

std::string Session::server() {
  if (!options_.server_given && signed_in() && !login_->server.empty()) return login_->server;
  return options_.server;
}

std::shared_ptr<grpc::Channel> Session::channel() {
  if (channel_) return channel_;
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options_.tls_ca.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(options_.tls_ca);
    credentials = grpc::SslCredentials(ssl);
  }
  channel_ = grpc::CreateChannel(server(), credentials);
  return channel_;
}

std::unique_ptr<grpc::ClientContext> Session::NewContext(const std::string& token) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_seconds * 1000)));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  // The server's refusals come with a message in this language (docs/errors.md).
  static const std::string language =
      AcceptLanguageFromLocale([](const char* name) -> const char* { return std::getenv(name); });
  context->AddMetadata("accept-language", language);
  return context;
}

bool Session::signed_in() {
  if (!loaded_) {
    loaded_ = true;
    try {
      login_ = ReadLogin(options_.token_file);
    } catch (const std::runtime_error& e) {
      // Unusable is not signed in (so `login` can replace the file), but say why.
      load_error_ = e.what();
    }
  }
  return login_.has_value();
}

const StoredLogin& Session::login() {
  if (!signed_in() && !load_error_.empty()) throw CtlError(kExitUnauthenticated, load_error_);
  if (!signed_in()) {
    throw CtlError(kExitUnauthenticated, "not signed in (no token file " + options_.token_file +
                                             "): run `branchctl login --user LOGIN` first");
  }
  return *login_;
}

void Session::SaveLogin(const StoredLogin& login) {
  try {
    WriteLogin(options_.token_file, login);
  } catch (const std::runtime_error& e) {
    throw CtlError(kExitOther, e.what());
  }
  login_ = login;
  loaded_ = true;
}

void Session::ForgetLogin() {
  RemoveLogin(options_.token_file);
  login_.reset();
  loaded_ = true;
}

int32_t Session::utc_offset_minutes() { return signed_in() ? login_->utc_offset_minutes : 480; }

std::string Session::AccessToken() {
  const StoredLogin& stored = login();
  // Renew a minute early so a slow call does not arrive with an expired token.
  if (stored.access_expire_unix != 0 && stored.access_expire_unix < std::time(nullptr) + 60) {
    TryRefresh();
  }
  return login_->access_token;
}

bool Session::TryRefresh() {
  if (refreshed_ || !login_ || login_->refresh_token.empty()) return false;
  refreshed_ = true;
  v1::RefreshTokenRequest request;
  request.set_refresh_token(login_->refresh_token);
  v1::RefreshTokenResponse response;
  auto stub = v1::AuthService::NewStub(channel());
  if (!stub->RefreshToken(NewContext("").get(), request, &response).ok()) return false;
  StoredLogin renewed = *login_;
  renewed.access_token = response.access_token();
  renewed.access_expire_unix = response.access_token_expire_time().seconds();
  SaveLogin(renewed);
  return true;
}

}  // namespace branchline::ctl
