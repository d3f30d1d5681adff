#include "server/config/config_sources.h"

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "toml++/toml.h"

namespace branchline {

namespace {

using Value = std::variant<std::string, bool, int64_t, double, std::vector<std::string>>;

const Setting* FindSetting(std::string_view key) {
  for (const Setting& s : Settings()) {
    if (key == s.key) return &s;
  }
  return nullptr;
}

// What a setting's value must be, for error messages.
std::string_view TypeName(const Setting& s) {
  switch (s.field.index()) {
    case 0:
      return "a string";
    case 1:
      return "a boolean (true or false)";
    case 2:
      return "an integer";
    case 3:
      return "a number";
    default:
      return "a list of strings";
  }
}

absl::Status Refuse(std::string_view where, const Setting& s, std::string_view why) {
  return absl::InvalidArgumentError(std::string(where) + ": " + s.key + " " + std::string(why));
}

std::string NumberText(double d) {
  if (d == std::floor(d) && std::abs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  std::ostringstream out;
  out << d;
  return out.str();
}

// Checks `value` against the setting's range and choices, then stores it.
absl::Status Assign(const Setting& s, Value value, const std::string& where, LoadedConfig& config) {
  if (value.index() != s.field.index()) {
    return Refuse(where, s, "must be " + std::string(TypeName(s)));
  }
  if (s.min != 0 || s.max != 0) {
    double number = value.index() == 2   ? static_cast<double>(std::get<int64_t>(value))
                    : value.index() == 3 ? std::get<double>(value)
                                         : 0;
    if (!(number >= s.min && number <= s.max)) {
      return Refuse(where, s,
                    "= " + NumberText(number) + " is outside " + NumberText(s.min) + ".." +
                        NumberText(s.max));
    }
  }
  if (*s.choices != '\0') {
    const std::string& text = std::get<std::string>(value);
    std::vector<std::string> choices = absl::StrSplit(s.choices, '|');
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
      return Refuse(where, s, "= \"" + text + "\" is not one of " + s.choices);
    }
  }
  std::visit(
      [&](auto field) {
        using T = std::remove_reference_t<decltype(config.values.*field)>;
        config.values.*field = std::get<T>(std::move(value));
      },
      s.field);
  config.origins[s.key] = where;
  return absl::OkStatus();
}

// A value typed on a command line or in an environment variable.
absl::StatusOr<Value> ParseText(const Setting& s, const std::string& text,
                                const std::string& where) {
  switch (s.field.index()) {
    case 0:
      return Value(text);
    case 1: {
      if (text == "true" || text == "1" || text == "yes" || text == "on") return Value(true);
      if (text == "false" || text == "0" || text == "no" || text == "off" || text.empty()) {
        return Value(false);
      }
      break;
    }
    case 2: {
      int64_t number;
      if (absl::SimpleAtoi(text, &number)) return Value(number);
      break;
    }
    case 3: {
      double number;
      if (absl::SimpleAtod(text, &number) && std::isfinite(number)) return Value(number);
      break;
    }
    default: {
      std::vector<std::string> items;
      for (absl::string_view item : absl::StrSplit(text, ',')) {
        item = absl::StripAsciiWhitespace(item);
        if (!item.empty()) items.emplace_back(item);
      }
      return Value(std::move(items));
    }
  }
  return Refuse(where, s, "must be " + std::string(TypeName(s)) + ", not \"" + text + "\"");
}

// A value of the config file, checked against the setting's type.
absl::StatusOr<Value> FromToml(const Setting& s, const toml::node& node, const std::string& where) {
  switch (s.field.index()) {
    case 0:
      if (auto v = node.value<std::string>(); v && node.is_string()) return Value(*v);
      break;
    case 1:
      if (node.is_boolean()) return Value(*node.value<bool>());
      break;
    case 2:
      if (node.is_integer()) return Value(*node.value<int64_t>());
      break;
    case 3:
      if (node.is_number()) return Value(*node.value<double>());
      break;
    default:
      if (const toml::array* array = node.as_array()) {
        std::vector<std::string> items;
        for (const toml::node& item : *array) {
          if (!item.is_string()) break;
          items.push_back(*item.value<std::string>());
        }
        if (items.size() == array->size()) return Value(std::move(items));
      }
      break;
  }
  std::ostringstream found;
  found << node.type();
  return Refuse(where, s, "must be " + std::string(TypeName(s)) + ", not " + found.str());
}

std::string MaskUriPassword(std::string uri) {
  // postgresql://user:PASSWORD@host… and …?password=PASSWORD&…
  static const std::regex userinfo(R"((://[^:/@]*:)[^@/]*@)");
  static const std::regex parameter(R"(([?&]password=)[^&]*)");
  uri = std::regex_replace(uri, userinfo, "$1****@");
  return std::regex_replace(uri, parameter, "$1****");
}

std::string TomlText(const Value& value) {
  // Basic "…" strings always (no 'literal' strings), Chinese left as it is.
  constexpr auto kFlags = toml::format_flags::allow_unicode_strings;
  std::ostringstream out;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          toml::array array;
          for (const auto& item : v) array.push_back(item);
          out << toml::toml_formatter(array, kFlags);
        } else {
          out << toml::toml_formatter(toml::value<T>(v), kFlags);
        }
      },
      value);
  return out.str();
}

}  // namespace

absl::Status ApplyConfigFile(const std::string& path, LoadedConfig& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read config file " + path);
  toml::table table;
  try {
    table = toml::parse(in, path);
  } catch (const toml::parse_error& error) {
    const auto& at = error.source().begin;
    return absl::InvalidArgumentError(path + ":" + std::to_string(at.line) + ":" +
                                      std::to_string(at.column) + ": " +
                                      std::string(error.description()));
  }
  for (const auto& [key, node] : table) {
    const std::string where = path + ":" + std::to_string(node.source().begin.line);
    const Setting* s = FindSetting(key.str());
    if (s == nullptr) {
      return absl::InvalidArgumentError(where + ": unknown key '" + std::string(key.str()) +
                                        "' (branchline-server --help lists the settings)");
    }
    if (s->secrecy == Secrecy::kSecretValue) {
      return Refuse(where, *s,
                    "cannot be set in a config file: secrets come only from files the service "
                    "user alone can read; set " +
                        std::string(s->key) + "_file");
    }
    auto value = FromToml(*s, node, where);
    if (!value.ok()) return value.status();
    if (auto assigned = Assign(*s, std::move(*value), where, config); !assigned.ok()) {
      return assigned;
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv,
                              LoadedConfig& config) {
  for (const Setting& s : Settings()) {
    const std::string name = EnvName(s);
    const char* text = getenv(name.c_str());
    if (text == nullptr) continue;
    const std::string where = "environment " + name;
    auto value = ParseText(s, text, where);
    if (!value.ok()) return value.status();
    if (auto assigned = Assign(s, std::move(*value), where, config); !assigned.ok()) {
      return assigned;
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyFlag(const Setting& s, const std::vector<std::string>& values,
                       LoadedConfig& config) {
  const std::string where = "flag " + FlagName(s);
  if (std::holds_alternative<std::vector<std::string> ServerConfig::*>(s.field)) {
    return Assign(s, Value(values), where, config);
  }
  auto value = ParseText(s, values.empty() ? "" : values.back(), where);
  if (!value.ok()) return value.status();
  return Assign(s, std::move(*value), where, config);
}

std::string PrintConfig(const LoadedConfig& config) {
  std::ostringstream out;
  out << "# branchline-server: effective settings (flags > environment > file > defaults)\n";
  for (const Setting& s : Settings()) {
    Value value = std::visit([&](auto field) { return Value(config.values.*field); }, s.field);
    auto origin = config.origins.find(s.key);
    const std::string from = origin == config.origins.end() ? "default" : origin->second;
    if (s.secrecy == Secrecy::kSecretValue) {
      // Never printed, and not loadable from a file: a comment saying whether it is set.
      const bool set = !std::get<std::string>(value).empty();
      out << "# " << s.key << " = " << (set ? "\"********\"" : "\"\"") << "  # " << from
          << "; secret, masked\n";
      continue;
    }
    if (s.secrecy == Secrecy::kUriWithPassword) {
      value = MaskUriPassword(std::get<std::string>(value));
    }
    out << s.key << " = " << TomlText(value) << "  # " << from << "\n";
  }
  return out.str();
}

}  // namespace branchline
