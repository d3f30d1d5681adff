#include "clients/branchctl/enum_names.h"

#include <cctype>

#include "clients/branchctl/session.h"

namespace branchline::ctl {
namespace {

// "ROLE_" for Role: the name of the zero value without "UNSPECIFIED".
std::string Prefix(const google::protobuf::EnumDescriptor* type) {
  std::string zero = type->value_count() ? type->value(0)->name() : "";
  auto at = zero.rfind("UNSPECIFIED");
  return at == std::string::npos ? "" : zero.substr(0, at);
}

}  // namespace

std::string EnumText(const google::protobuf::EnumDescriptor* type, int value) {
  const auto* v = type->FindValueByNumber(value);
  if (!v) return std::to_string(value);
  std::string name = v->name().substr(Prefix(type).size());
  for (char& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return name;
}

int ParseEnum(const google::protobuf::EnumDescriptor* type, const std::string& text,
              const std::string& flag) {
  std::string name;
  for (char c : text) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  const std::string prefix = Prefix(type);
  const auto* v = type->FindValueByName(name.rfind(prefix, 0) == 0 ? name : prefix + name);
  if (!v || v->number() == 0) {
    throw CtlError(kExitUsage, flag + ": '" + text + "' is not one of: " + EnumChoices(type));
  }
  return v->number();
}

std::string EnumChoices(const google::protobuf::EnumDescriptor* type) {
  std::string out;
  for (int i = 1; i < type->value_count(); ++i) {
    if (!out.empty()) out += ", ";
    out += EnumText(type, type->value(i)->number());
  }
  return out;
}

}  // namespace branchline::ctl
