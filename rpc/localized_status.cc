#include "rpc/localized_status.h"

#include <string>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/refusal.h"

namespace branchline {

void AddLocalizedMessage(google::rpc::Status& rpc, Locale locale) {
  if (rpc.code() == 0) return;
  const google::rpc::ErrorInfo* info = nullptr;
  google::rpc::ErrorInfo info_storage;
  std::string field;
  auto* details = rpc.mutable_details();
  for (int i = 0; i < details->size();) {
    const auto& any = details->Get(i);
    if (any.Is<google::rpc::LocalizedMessage>()) {
      details->DeleteSubrange(i, 1);
      continue;
    }
    if (info == nullptr && any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info_storage) &&
        info_storage.domain() == kErrorDomain) {
      info = &info_storage;
    }
    google::rpc::BadRequest bad;
    if (field.empty() && any.Is<google::rpc::BadRequest>() && any.UnpackTo(&bad) &&
        bad.field_violations_size() > 0) {
      field = bad.field_violations(0).field();
    }
    ++i;
  }
  std::string text;
  std::optional<std::string_view> reasoned =
      info ? ReasonMessage(info->reason(), locale) : std::nullopt;
  if (reasoned) {
    text = RenderMessage(*reasoned, [&](std::string_view name) -> std::optional<std::string> {
      auto it = info->metadata().find(std::string(name));
      if (it == info->metadata().end()) return std::nullopt;
      return it->second;
    });
  } else {
    auto code = static_cast<absl::StatusCode>(rpc.code());
    text = RenderMessage(StatusMessage(code, !field.empty(), locale),
                         [&](std::string_view name) -> std::optional<std::string> {
                           if (name == "field") return field;
                           return std::nullopt;
                         });
  }
  google::rpc::LocalizedMessage localized;
  localized.set_locale(std::string(LocaleTag(locale)));
  localized.set_message(std::move(text));
  rpc.add_details()->PackFrom(localized);
}

grpc::Status LocalizeStatus(const grpc::Status& status, std::string_view accept_language) {
  if (status.ok()) return status;
  google::rpc::Status rpc;
  if (status.error_details().empty() || !rpc.ParseFromString(status.error_details())) {
    rpc.Clear();
    rpc.set_code(static_cast<int>(status.error_code()));
    rpc.set_message(status.error_message());
  }
  AddLocalizedMessage(rpc, ParseAcceptLanguage(accept_language));
  return grpc::Status(status.error_code(), status.error_message(), rpc.SerializeAsString());
}

}  // namespace branchline
