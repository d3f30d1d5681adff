#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "branchline/v1/error_reasons.h"  // generated from the catalogue: reasons::k...

namespace branchline {

// The google.rpc.ErrorInfo domain of every refusal reason (docs/errors.md).
inline constexpr std::string_view kErrorDomain = "branchline.v1";

// ErrorInfo metadata: {"distance_m", "312"}, ... Values fill the catalogue's {placeholders}.
using ReasonMetadata = std::initializer_list<std::pair<std::string_view, std::string>>;

// A refusal with a stable reason (one of reasons::k..., a catalogue entry): status `code`
// carrying google.rpc.ErrorInfo{kErrorDomain, reason, metadata} and, when `field` is not
// empty, a google.rpc.BadRequest naming it. The status message (for developers) is
// "field: " + the catalogue's English message rendered with `metadata`. The caller's
// localized message is added at the transport (rpc/call_interceptor.cc).
absl::Status Refusal(absl::StatusCode code, std::string_view reason, std::string_view field = {},
                     ReasonMetadata metadata = {});

// The same with the developer message `description` (after "field: ") instead of the
// catalogue's English: for the older areas' detailed messages.
absl::Status DescribedRefusal(absl::StatusCode code, std::string_view reason,
                              std::string_view field, std::string_view description,
                              ReasonMetadata metadata = {});

// The ErrorInfo reason of `status` ("" when it carries none).
std::string ReasonOf(const absl::Status& status);

}  // namespace branchline
