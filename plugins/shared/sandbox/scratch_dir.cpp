#include "scratch_dir.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace evalflow::sandbox {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "sandbox scratch: " + what);
}

// The program may leave directories it made unreadable (mode 000); give them back before removing.
void make_removable(const fs::path& dir) {
  std::error_code error;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, error);
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_directory(error) && !entry.is_symlink(error)) make_removable(entry.path());
  }
}

}  // namespace

ScratchDir::ScratchDir(const std::vector<File>& files, uid_t owner, gid_t group) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/evalflow-sandbox-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) fail("cannot create " + pattern + " (is $TMPDIR writable?)");
  path_ = pattern;
  for (const File& file : files) {
    if (file.name.empty() || file.name.find('/') != std::string::npos || file.name[0] == '.') {
      throw std::invalid_argument("sandbox scratch: file name '" + file.name + "' must be a plain name");
    }
    const std::string file_path = path_ + "/" + file.name;
    std::ofstream(file_path, std::ios::binary) << file.content;
    if (chown(file_path.c_str(), owner, group) != 0) fail("chown " + file_path);
  }
  if (chown(path_.c_str(), owner, group) != 0) fail("chown " + path_);
}

ScratchDir::~ScratchDir() {
  std::error_code error;
  make_removable(path_);
  fs::remove_all(path_, error);
}

}  // namespace evalflow::sandbox
