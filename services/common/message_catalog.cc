#include "services/common/message_catalog.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "services/common/absl_compat.h"

namespace branchline {

namespace {

using catalog_internal::CatalogRow;

const CatalogRow* Find(std::string_view context, std::string_view id) {
  for (size_t i = 0; i < catalog_internal::kRowCount; ++i) {
    const CatalogRow& row = catalog_internal::kRows[i];
    if (row.context == context && row.id == id) return &row;
  }
  return nullptr;
}

std::string_view Text(const CatalogRow& row, Locale locale) {
  return locale == Locale::kEn ? row.en : row.zh;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The pieces of `s` between `separator`s.
std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = s.find(separator);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// The supported locale of one language range, if any.
std::optional<Locale> Supported(std::string_view range) {
  std::string tag = absl::AsciiStrToLower(AbslView(range));
  if (tag == "*") return Locale::kZhCn;
  std::string_view primary = std::string_view(tag).substr(0, tag.find_first_of("-_"));
  if (primary == "zh") return Locale::kZhCn;
  if (primary == "en") return Locale::kEn;
  return std::nullopt;
}

// The q of a range's parameters (";q=0.8"): 1 when absent, -1 when malformed.
double Quality(const std::vector<std::string_view>& params) {
  double q = 1;
  for (size_t i = 1; i < params.size(); ++i) {
    std::string_view param = Trim(params[i]);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    std::string text(param.substr(2));
    char* end = nullptr;
    q = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || q < 0 || q > 1) return -1;
  }
  return q;
}

}  // namespace

Locale ParseAcceptLanguage(std::string_view header) {
  std::optional<Locale> best;
  double best_q = 0;
  for (std::string_view item : Split(header, ',')) {
    std::vector<std::string_view> params = Split(item, ';');
    std::optional<Locale> locale = Supported(Trim(params[0]));
    double q = Quality(params);
    if (!locale || q <= 0) continue;
    if (!best || q > best_q) {
      best = locale;
      best_q = q;
    }
  }
  return best.value_or(Locale::kZhCn);
}

std::string_view LocaleTag(Locale locale) { return locale == Locale::kEn ? "en" : "zh-CN"; }

std::optional<std::string_view> ReasonMessage(std::string_view reason, Locale locale) {
  const CatalogRow* row = Find("", reason);
  if (row == nullptr) return std::nullopt;
  return Text(*row, locale);
}

std::string_view StatusMessage(absl::StatusCode code, bool with_field, Locale locale) {
  std::string name = absl::StatusCodeToString(code);
  const CatalogRow* row = with_field ? Find("field", name) : nullptr;
  if (row == nullptr) row = Find("status", name);
  if (row == nullptr) row = Find("status", "UNKNOWN");
  return Text(*row, locale);
}

std::string RenderMessage(
    std::string_view tmpl,
    const std::function<std::optional<std::string>(std::string_view)>& value) {
  std::string out;
  out.reserve(tmpl.size());
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find('{', i);
    if (open == std::string_view::npos) break;
    size_t close = tmpl.find('}', open + 1);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(i, open - i));
    std::string_view name = tmpl.substr(open + 1, close - open - 1);
    std::optional<std::string> v = value(name);
    if (v) {
      out += *v;
    } else {
      out.append(tmpl.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(tmpl.substr(i));
  return out;
}

std::vector<std::string_view> CatalogReasons() {
  std::vector<std::string_view> reasons;
  for (size_t i = 0; i < catalog_internal::kRowCount; ++i) {
    if (catalog_internal::kRows[i].context.empty())
      reasons.push_back(catalog_internal::kRows[i].id);
  }
  return reasons;
}

std::string_view ReasonCode(std::string_view reason) {
  const CatalogRow* row = Find("", reason);
  return row == nullptr ? std::string_view() : row->code;
}

}  // namespace branchline
