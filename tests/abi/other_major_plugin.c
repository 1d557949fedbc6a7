/* ABI test: a plugin that claims another ABI major version; the host must refuse it with both numbers. */
#include <evalflow/plugin.h>

static const ef_plugin kPlugin = {
    .struct_size = sizeof(ef_plugin),
    .abi_major = EF_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "other_major",
    .version = "9.0.0",
    .license = "Apache-2.0",
    .description = "ABI test: built against a future major ABI",
    .node_types = 0,
    .num_node_types = 0,
};

EF_EXPORT const ef_plugin* evalflow_plugin_entry(const ef_host_api* host) {
  (void)host;
  return &kPlugin;
}
