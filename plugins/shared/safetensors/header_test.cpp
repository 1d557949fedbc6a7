#include <gtest/gtest.h>
#include <evalflow/safetensors/header.hpp>

#include <cstring>
#include <string>

namespace evalflow::safetensors {
namespace {

std::string file_with(const std::string& header, size_t data_bytes, uint64_t declared_length = UINT64_MAX) {
  const uint64_t length = declared_length == UINT64_MAX ? header.size() : declared_length;
  std::string file(sizeof(length), '\0');
  std::memcpy(file.data(), &length, sizeof(length));
  return file + header + std::string(data_bytes, '\x01');
}

std::string error_of(const std::string& file) {
  try {
    parse_header(file, "m.safetensors");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST(SafetensorsHeader, ReadsTensorsWithTheirPlaceInTheFile) {
  const std::string header =
      R"({"__metadata__": {"format": "pt"}, "w": {"dtype": "BF16", "shape": [2, 3], "data_offsets": [0, 12]},)"
      R"( "b": {"dtype": "F32", "shape": [], "data_offsets": [12, 16]}})";
  const auto tensors = parse_header(file_with(header, 16), "m.safetensors");
  ASSERT_EQ(tensors.size(), 2u);
  const auto& w = tensors[0].name == "w" ? tensors[0] : tensors[1];
  EXPECT_EQ(w.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(w.offset, 8 + header.size());
  EXPECT_EQ(w.size, 12u);
}

TEST(SafetensorsHeader, CraftedNumbersAreErrorsNamingTheFile) {
  // A header length near 2^64 once wrapped around the bounds check.
  EXPECT_NE(error_of(file_with("{}", 0, UINT64_MAX - 3)).find("m.safetensors: the header length"),
            std::string::npos);
  EXPECT_NE(error_of("short").find("too short"), std::string::npos);
  EXPECT_NE(error_of(file_with("[1]", 0)).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(file_with(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4))
                .find("dimension"),
            std::string::npos);
  EXPECT_NE(
      error_of(
          file_with(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}})",
                    0))
          .find("more bytes than any file"),
      std::string::npos);
  EXPECT_NE(error_of(file_with(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4))
                .find("leave the file"),
            std::string::npos);
  EXPECT_NE(error_of(file_with(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}})", 8))
                .find("data_offsets"),
            std::string::npos);
  EXPECT_NE(error_of(file_with(R"({"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}})", 1))
                .find("not supported"),
            std::string::npos);
  EXPECT_NE(error_of(file_with(R"({"w": {"dtype": "F32"}})", 0)).find("needs"), std::string::npos);
}

}  // namespace
}  // namespace evalflow::safetensors
