// The private writable directory of one sandboxed run, removed with everything in it afterwards.
#ifndef EVALFLOW_SANDBOX_SCRATCH_DIR_HPP
#define EVALFLOW_SANDBOX_SCRATCH_DIR_HPP

#include <sys/types.h>

#include <string>
#include <vector>

#include "evalflow/sandbox/sandbox.hpp"

namespace evalflow::sandbox {

class ScratchDir {
 public:
  // Under $TMPDIR (or /tmp), mode 0700, owned by `owner` (the user id the program runs as).
  ScratchDir(const std::vector<File>& files, uid_t owner, gid_t group);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace evalflow::sandbox

#endif  // EVALFLOW_SANDBOX_SCRATCH_DIR_HPP
