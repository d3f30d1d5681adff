#pragma once

#include <string>

#include "google/protobuf/descriptor.h"

namespace branchline::ctl {

// Enum values on the command line and in tables, from the proto descriptors so a new value
// needs no client change: ROLE_FULL_MEMBER <-> "full-member" (the type's prefix dropped,
// lower case, '-' for '_').
std::string EnumText(const google::protobuf::EnumDescriptor* type, int value);

// Accepts "full-member", "full_member", "FULL_MEMBER" or "ROLE_FULL_MEMBER". Throws
// CtlError(kExitUsage) naming `flag` and the choices otherwise.
int ParseEnum(const google::protobuf::EnumDescriptor* type, const std::string& text,
              const std::string& flag);

// "secretary, committee-member, ..." (without the unspecified value).
std::string EnumChoices(const google::protobuf::EnumDescriptor* type);

}  // namespace branchline::ctl
