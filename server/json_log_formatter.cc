#include "server/json_log_formatter.h"

#include <grpc/support/log.h>

#include <chrono>
#include <ctime>

#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace branchline {

namespace {

// 2026-11-21T19:41:10.123+08:00
std::string Rfc3339(spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &local);
  const long offset_minutes = local.tm_gmtoff / 60;
  char text[48];
  std::snprintf(text, sizeof text, "%s.%03d%c%02ld:%02ld", date, millis,
                offset_minutes < 0 ? '-' : '+', std::labs(offset_minutes) / 60,
                std::labs(offset_minutes) % 60);
  return text;
}

// gRPC's log lines, at the level gRPC gives them.
void ForwardGrpcLog(gpr_log_func_args* args) {
  const auto level = args->severity == GPR_LOG_SEVERITY_ERROR  ? spdlog::level::err
                     : args->severity == GPR_LOG_SEVERITY_INFO ? spdlog::level::info
                                                               : spdlog::level::debug;
  spdlog::log(level, "grpc {}:{}: {}", args->file, args->line, args->message);
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  nlohmann::ordered_json line;
  line["time"] = Rfc3339(msg.time);
  const auto level = spdlog::level::to_string_view(msg.level);
  line["level"] = std::string(level.data(), level.size());
  line["message"] = std::string(msg.payload.data(), msg.payload.size());
  const std::string text = line.dump(/*indent=*/-1, /*indent_char=*/' ', /*ensure_ascii=*/false,
                                     nlohmann::ordered_json::error_handler_t::replace);
  dest.append(text.data(), text.data() + text.size());
  dest.push_back('\n');
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

void UseJsonLogLines() {
  spdlog::set_formatter(std::make_unique<JsonLogFormatter>());
  gpr_set_log_function(&ForwardGrpcLog);
}

}  // namespace branchline
