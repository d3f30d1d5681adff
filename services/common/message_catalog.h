#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace branchline {

// The refusal message catalogue (services/common/messages/*.po, compiled by
// scripts/gen_messages.py): per reason and per status code, a message in each language the
// server speaks. docs/errors.md lists them. Thread-safe (read-only after static init).

enum class Locale { kZhCn, kEn };

// The locale of an `accept-language` value (RFC 9110: "en-US,en;q=0.8,zh;q=0.5"): the
// supported language with the highest q (q=0: not acceptable), the first listed on a tie.
// zh and its variants → zh-CN; en and its variants → en; "*" → zh-CN. Nothing supported,
// empty or malformed → zh-CN, the default.
Locale ParseAcceptLanguage(std::string_view header);
// "zh-CN" or "en": the google.rpc.LocalizedMessage locale.
std::string_view LocaleTag(Locale locale);

// The message template of `reason` in `locale`; nullopt for a reason not in the catalogue.
std::optional<std::string_view> ReasonMessage(std::string_view reason, Locale locale);
// The generic message of `code` for a refusal without a reason: with_field picks the form
// naming {field} when the code has one. Never empty for a non-OK code.
std::string_view StatusMessage(absl::StatusCode code, bool with_field, Locale locale);

// `tmpl` with each {name} replaced by value(name); a placeholder value() has no answer for
// is left as written ("{name}"), so a missing value shows instead of vanishing.
std::string RenderMessage(std::string_view tmpl,
                          const std::function<std::optional<std::string>(std::string_view)>& value);

// Every reason of the catalogue, in its order (for tests and docs).
std::vector<std::string_view> CatalogReasons();
// The status code name ("FAILED_PRECONDITION") the catalogue documents for `reason`.
std::string_view ReasonCode(std::string_view reason);

namespace catalog_internal {
// One catalogue entry (the generated table): context "" for a reason, "status"/"field" for a
// code's generic message.
struct CatalogRow {
  std::string_view context, id, code, en, zh;
};
extern const CatalogRow kRows[];
extern const size_t kRowCount;
}  // namespace catalog_internal

}  // namespace branchline
