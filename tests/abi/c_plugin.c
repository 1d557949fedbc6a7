/* A plugin written in plain C against plugin.h alone: proves the ABI needs no C++ on the plugin side.
 * Node type `c_upper` (function): copies the string field named by option "field" (default
 * "prediction") to "<field>_upper", upper-cased (ASCII). */
#include <evalflow/plugin.h>
#include <stdlib.h>
#include <string.h>

static const ef_host_api* g_host;

typedef struct upper_node {
  char field[64];
  char output[80];
} upper_node;

static ef_status* upper_create(const ef_host_api* host, const ef_node_info* info, const char* options_json,
                               void** instance) {
  (void)info;
  upper_node* node = calloc(1, sizeof(upper_node));
  if (node == NULL) return host->status_new(EF_RESOURCE_EXHAUSTED, "c_upper: out of memory");
  /* Options are tiny; a real plugin would use a JSON parser. Accept {"field": "NAME"} or {}. */
  strcpy(node->field, "prediction");
  const char* key = strstr(options_json, "\"field\"");
  if (key != NULL) {
    const char* start = strchr(key + 7, '"');
    const char* end = start != NULL ? strchr(start + 1, '"') : NULL;
    if (start == NULL || end == NULL || (size_t)(end - start - 1) >= sizeof(node->field)) {
      free(node);
      return host->status_new(EF_INVALID_ARGUMENT, "c_upper: option 'field' must be a short string");
    }
    memcpy(node->field, start + 1, (size_t)(end - start - 1));
    node->field[end - start - 1] = '\0';
  }
  strcpy(node->output, node->field);
  strcat(node->output, "_upper");
  *instance = node;
  return NULL;
}

static void upper_destroy(void* instance) {
  free(instance);
}

static ef_status* upper_process(void* instance, ef_record* record) {
  const upper_node* node = instance;
  const char* data = NULL;
  size_t size = 0;
  if (!g_host->get_string(record, node->field, &data, &size)) {
    return g_host->status_new(EF_INVALID_ARGUMENT, "c_upper: the field is missing or not a string");
  }
  char* upper = malloc(size + 1);
  if (upper == NULL) return g_host->status_new(EF_RESOURCE_EXHAUSTED, "c_upper: out of memory");
  for (size_t i = 0; i < size; ++i) {
    char c = data[i];
    upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
  }
  g_host->set_string(record, node->output, upper, size);
  free(upper);
  return NULL;
}

static ef_status* upper_resolve_fields(const ef_host_api* host, const char* options_json,
                                       ef_field_list* reads, ef_field_list* writes) {
  upper_node scratch;
  void* instance = NULL;
  ef_status* status = upper_create(host, NULL, options_json, &instance);
  if (status != NULL) return status;
  scratch = *(upper_node*)instance;
  upper_destroy(instance);
  host->field_list_add(reads, scratch.field, EF_TYPE_STRING);
  host->field_list_add(writes, scratch.output, EF_TYPE_STRING);
  return NULL;
}

static const ef_node_type kUpper = {
    .struct_size = sizeof(ef_node_type),
    .name = "c_upper",
    .description = "Upper-cases a string field (a plugin written in C)",
    .kind = EF_NODE_FUNCTION,
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .options_schema =
        "{\"type\": \"object\", \"properties\": {\"field\": {\"type\": \"string\"}}, "
        "\"additionalProperties\": false}",
    .resolve_fields = upper_resolve_fields,
    .create = upper_create,
    .destroy = upper_destroy,
    .process = upper_process,
};

static const ef_node_type* const kTypes[] = {&kUpper};

static const ef_plugin kPlugin = {
    .struct_size = sizeof(ef_plugin),
    .abi_major = EF_ABI_MAJOR,
    .abi_minor = EF_ABI_MINOR,
    .name = "c_plugin",
    .version = "1.0.0",
    .license = "Apache-2.0",
    .description = "ABI test: a plugin in plain C",
    .node_types = kTypes,
    .num_node_types = 1,
};

EF_EXPORT const ef_plugin* evalflow_plugin_entry(const ef_host_api* host) {
  if (host == NULL || host->abi_major != EF_ABI_MAJOR) return NULL;
  g_host = host;
  return &kPlugin;
}
