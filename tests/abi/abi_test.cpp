// The plugin ABI from the host's side: a C plugin runs; wrong major, missing entry symbol and
// missing plugin each give one line naming the file (or every path searched) and the reason.
#include <gtest/gtest.h>

#include <filesystem>

#include "graph/node_instance.hpp"
#include "loader/plugin_registry.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {
namespace {

namespace fs = std::filesystem;

const fs::path kAbiPlugins = EVALFLOW_ABI_PLUGIN_DIR;

TEST(PluginAbi, PluginWrittenInCLoadsAndProcessesRecords) {
  PluginRegistry registry({kAbiPlugins});
  auto type = registry.find_node_type("c_upper");
  ASSERT_TRUE(type) << type.error();
  EXPECT_STREQ(type->plugin->descriptor->name, "c_plugin");

  ResolvedNode node;
  node.type = *type;
  node.display_name = "test.upper";
  node.options_json = R"({"field": "answer"})";
  auto instance = NodeInstance::create(node, std::make_unique<NodeContext>());
  ASSERT_TRUE(instance) << instance.error();

  Record record;
  record.at("answer") = "x = 42, done";
  EXPECT_EQ((*instance)->process(record), nullptr);
  ASSERT_NE(record.find("answer_upper"), nullptr);
  EXPECT_EQ(*record.find("answer_upper"), "X = 42, DONE");

  Record missing;
  StatusPtr status = (*instance)->process(missing);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_INVALID_ARGUMENT);
}

TEST(PluginAbi, OtherMajorVersionIsRefusedWithBothNumbers) {
  PluginRegistry registry({kAbiPlugins});
  auto loaded = registry.load_file(kAbiPlugins / "libevalflow_other_major_plugin.so");
  ASSERT_FALSE(loaded);
  const std::string& error = loaded.error();
  EXPECT_NE(error.find("libevalflow_other_major_plugin.so"), std::string::npos) << error;
  EXPECT_NE(error.find(std::to_string(EF_ABI_MAJOR + 1) + ".0"), std::string::npos) << error;
  EXPECT_NE(error.find(std::to_string(EF_ABI_MAJOR) + "." + std::to_string(EF_ABI_MINOR)), std::string::npos)
      << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
}

TEST(PluginAbi, LibraryWithoutEntrySymbolIsRefused) {
  PluginRegistry registry({kAbiPlugins});
  auto loaded = registry.load_file(kAbiPlugins / "libevalflow_no_entry_plugin.so");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("libevalflow_no_entry_plugin.so"), std::string::npos) << loaded.error();
  EXPECT_NE(loaded.error().find("evalflow_plugin_entry"), std::string::npos) << loaded.error();
  EXPECT_EQ(loaded.error().find('\n'), std::string::npos);
}

TEST(PluginAbi, UnknownNodeTypeListsEveryPathSearched) {
  const fs::path first = fs::temp_directory_path() / "evalflow_abi_empty_a";
  const fs::path second = fs::temp_directory_path() / "evalflow_abi_empty_b";
  fs::create_directories(first);
  PluginRegistry registry({first, second});
  auto type = registry.find_node_type("no_such_node_type");
  ASSERT_FALSE(type);
  EXPECT_NE(type.error().find("no_such_node_type"), std::string::npos) << type.error();
  EXPECT_NE(type.error().find(first.string()), std::string::npos) << type.error();
  EXPECT_NE(type.error().find(second.string()), std::string::npos) << type.error();
  EXPECT_EQ(type.error().find('\n'), std::string::npos);
}

TEST(PluginAbi, ScanningADirectoryReportsBadPluginsButKeepsGoodOnes) {
  PluginRegistry registry({kAbiPlugins});
  const auto errors = registry.load_all();
  EXPECT_EQ(errors.size(), 2U);
  ASSERT_EQ(registry.plugins().size(), 1U);
  EXPECT_STREQ(registry.plugins()[0]->descriptor->name, "c_plugin");
}

}  // namespace
}  // namespace evalflow
