#include "clients/branchctl/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "absl/status/status.h"
#include "clients/branchctl/session.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace branchline::ctl {

nlohmann::json ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) return nullptr;
  return nlohmann::json::parse(text);
}

void PrintJson(const nlohmann::json& json) { std::cout << json.dump(2) << "\n"; }

void WriteOutputFile(const std::string& path, const std::string& data, const std::string& what,
                     bool private_file) {
  if (path == "-") {
    std::cout << data;
    return;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, private_file ? 0600 : 0644);
  bool ok = fd >= 0;
  for (size_t done = 0; ok && done < data.size();) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (!ok) throw CtlError(kExitOther, "cannot write " + path);
  if (!what.empty()) std::cerr << what << " written to " << path << "\n";
}

std::vector<std::pair<std::string, std::string>> FieldViolations(
    const std::string& serialized_rpc_status) {
  std::vector<std::pair<std::string, std::string>> fields;
  google::rpc::Status status;
  if (!status.ParseFromString(serialized_rpc_status)) return fields;
  for (const auto& detail : status.details()) {
    google::rpc::BadRequest bad_request;
    if (!detail.UnpackTo(&bad_request)) continue;
    for (const auto& v : bad_request.field_violations())
      fields.emplace_back(v.field(), v.description());
  }
  return fields;
}

std::vector<std::pair<std::string, std::string>> FieldViolations(const grpc::Status& status) {
  return FieldViolations(status.error_details());
}

std::string LocalizedMessage(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return "";
  for (const auto& detail : rpc.details()) {
    google::rpc::LocalizedMessage localized;
    if (detail.Is<google::rpc::LocalizedMessage>() && detail.UnpackTo(&localized)) {
      return localized.message();
    }
  }
  return "";
}

std::string ErrorReason(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return "";
  for (const auto& detail : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (detail.Is<google::rpc::ErrorInfo>() && detail.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::string AcceptLanguageFromLocale(const char* (*get)(const char*)) {
  std::string locale;
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = get(name);
    if (value != nullptr && *value != '\0') {
      locale = value;
      break;
    }
  }
  // "zh_CN.UTF-8@variant" → "zh_CN" → "zh-CN".
  locale = locale.substr(0, locale.find_first_of(".@"));
  if (locale.empty() || locale == "C" || locale == "POSIX") return "zh-CN";
  for (char& c : locale) {
    if (c == '_') c = '-';
  }
  return locale;
}

std::string CodeName(grpc::StatusCode code) {
  // gRPC's codes are absl's codes, number for number.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? std::to_string(static_cast<int>(code)) : name;
}

std::string DescribeFailure(const std::string& message,
                            const std::vector<std::pair<std::string, std::string>>& fields) {
  if (fields.empty()) return message;
  std::string out;
  for (const auto& [field, why] : fields) {
    if (!out.empty()) out += "; ";
    out += field + ": " + why;
  }
  return out;
}

}  // namespace branchline::ctl
