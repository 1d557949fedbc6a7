#include "store/run_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include <evalflow/url_credentials.hpp>

namespace evalflow {

namespace {
const char* level_name(ef_log_level level) {
  switch (level) {
    case EF_LOG_DEBUG:
      return "debug";
    case EF_LOG_INFO:
      return "info";
    case EF_LOG_WARNING:
      return "warning";
    case EF_LOG_ERROR:
      return "error";
  }
  return "info";
}
}  // namespace

RunLog::RunLog(std::filesystem::path directory, bool echo_warnings)
    : directory_(std::move(directory)), echo_warnings_(echo_warnings) {}

std::ofstream& RunLog::stream_for(const std::string& node) {
  auto it = streams_.find(node);
  if (it == streams_.end()) {
    it = streams_.emplace(node, std::ofstream(directory_ / (node + ".log"), std::ios::app)).first;
  }
  return it->second;
}

void RunLog::write(const std::string& node, ef_log_level level, const std::string& message) {
  const auto now = std::chrono::system_clock::now();
  const std::string line = fmt::format("{:%Y-%m-%d %H:%M:%S} [{}] {}: {}\n",
                                       fmt::localtime(std::chrono::system_clock::to_time_t(now)),
                                       level_name(level), node, strip_url_credentials(message));
  std::function<void(const std::string&)> echo;
  {
    const std::lock_guard lock(mutex_);
    if (node != "run") stream_for(node) << line << std::flush;
    stream_for("run") << line << std::flush;
    if (!echo_warnings_ || level < EF_LOG_WARNING) return;
    echo = echo_;
  }
  if (echo) {
    echo(line.substr(0, line.size() - 1));
  } else {
    std::fputs(line.c_str(), stderr);
  }
}

void RunLog::set_echo(std::function<void(const std::string&)> echo) {
  const std::lock_guard lock(mutex_);
  echo_ = std::move(echo);
}

}  // namespace evalflow
