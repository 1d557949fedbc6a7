// logs/run.log plus one log per node (logs/<node>.log); warnings and errors also go to stderr.
#pragma once

#include <evalflow/plugin.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace evalflow {

class RunLog {
 public:
  explicit RunLog(std::filesystem::path directory, bool echo_warnings = true);
  void write(const std::string& node, ef_log_level level, const std::string& message);
  // Where warnings and errors are echoed (default: stderr); the run points it above its progress block.
  void set_echo(std::function<void(const std::string&)> echo);

 private:
  std::ofstream& stream_for(const std::string& node);

  std::filesystem::path directory_;
  bool echo_warnings_;
  std::function<void(const std::string&)> echo_;
  std::mutex mutex_;
  std::map<std::string, std::ofstream> streams_;
};

}  // namespace evalflow
