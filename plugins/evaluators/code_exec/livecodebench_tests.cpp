#include "livecodebench_tests.hpp"

#include <zlib.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace evalflow::code_exec {
namespace {

using nlohmann::json;

std::string base64_decode(std::string_view text) {
  static const std::array<int8_t, 256> kValues = [] {
    std::array<int8_t, 256> values{};
    values.fill(-1);
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < alphabet.size(); ++i)
      values[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    return values;
  }();
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    if (c == '=') break;
    const int8_t value = kValues[static_cast<unsigned char>(c)];
    if (value < 0) throw std::runtime_error(std::string("not base64: character '") + c + "'");
    bits = (bits << 6) | static_cast<uint32_t>(value);
    if ((count += 6) >= 8) {
      count -= 8;
      bytes += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return bytes;
}

std::string zlib_inflate(std::string_view data) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) throw std::runtime_error("zlib: inflateInit failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 1 << 16> buffer{};
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = buffer.size();
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("zlib: the stream is damaged or cut short");
  return out;
}

uint64_t little_endian(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::vector<TestCase> tests_from(const json& list, const char* column) {
  if (!list.is_array()) throw std::runtime_error(std::string(column) + ": not a JSON list of tests");
  std::vector<TestCase> tests;
  for (const auto& test : list) {
    if (!test.is_object() || !test.contains("input") || !test.contains("output") ||
        !test["input"].is_string() || !test["output"].is_string()) {
      throw std::runtime_error(std::string(column) + ": a test without string `input` and `output`");
    }
    tests.push_back({test["input"].get<std::string>(), test["output"].get<std::string>()});
  }
  return tests;
}

const std::string& text_column(const json& row, const char* column) {
  if (!row.contains(column) || !row[column].is_string()) {
    throw std::runtime_error(std::string("column `") + column + "` is missing or not a string");
  }
  return row[column].get_ref<const std::string&>();
}

}  // namespace

std::string unpickle_string(std::string_view pickle) {
  size_t at = 0;
  auto take = [&](size_t size) {
    if (at + size > pickle.size()) throw std::runtime_error("pickle: cut short");
    const std::string_view bytes = pickle.substr(at, size);
    at += size;
    return bytes;
  };
  std::string text;
  bool have_text = false;
  while (true) {
    const auto opcode = static_cast<unsigned char>(take(1)[0]);
    switch (opcode) {
      case 0x80:
        take(1);
        break;  // PROTO n
      case 0x95:
        take(8);
        break;  // FRAME length
      case 0x94:
        break;  // MEMOIZE
      case 0x8c:
      case 'X':
      case 0x8d: {  // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
        const size_t width = opcode == 0x8c ? 1 : opcode == 'X' ? 4 : 8;
        text = std::string(take(little_endian(take(width))));
        have_text = true;
        break;
      }
      case '.':  // STOP
        if (!have_text) throw std::runtime_error("pickle: no string before STOP");
        return text;
      default:
        throw std::runtime_error("pickle: opcode " + std::to_string(opcode) +
                                 " is not part of a pickled string (expected LiveCodeBench's packed tests)");
    }
  }
}

std::string unpack_private_tests(std::string_view packed) {
  return unpickle_string(zlib_inflate(base64_decode(packed)));
}

Problem livecodebench_problem(const json& row) {
  Problem problem;
  problem.tests = tests_from(json::parse(text_column(row, "public_test_cases")), "public_test_cases");
  const std::string& private_tests = text_column(row, "private_test_cases");
  json decoded = json::parse(private_tests, nullptr, /*allow_exceptions=*/false);
  if (decoded.is_discarded()) {
    try {
      decoded = json::parse(unpack_private_tests(private_tests));
    } catch (const std::exception& error) {
      throw std::runtime_error(std::string("private_test_cases: neither JSON nor packed tests: ") +
                               error.what());
    }
  }
  for (auto& test : tests_from(decoded, "private_test_cases")) problem.tests.push_back(std::move(test));
  const json metadata = json::parse(text_column(row, "metadata"));
  if (metadata.is_object() && metadata.contains("func_name") && metadata["func_name"].is_string()) {
    problem.fn_name = metadata["func_name"].get<std::string>();
  }
  return problem;
}

}  // namespace evalflow::code_exec
