/* evalflow plugin ABI: the one C header shared by the host and every plugin.
 *
 * Stability rules (the hourglass of Triton's backend API and LevelDB's c.h):
 *  - only C types cross the boundary: no C++ types, no exceptions, no torch or curl types;
 *  - structs are only ever extended by appending members; struct_size says which members are present;
 *  - the host refuses a plugin with another EF_ABI_MAJOR or a newer EF_ABI_MINOR than its own;
 *  - a plugin exports exactly one symbol, evalflow_plugin_entry, and hides everything else.
 *
 * Every call that can fail returns an ef_status*: NULL means success. A status is created with
 * host->status_new and owned by whoever receives it (the host frees what plugins return).
 */
#ifndef EVALFLOW_PLUGIN_H
#define EVALFLOW_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EF_ABI_MAJOR 1
#define EF_ABI_MINOR 1

#if defined(_WIN32)
#define EF_EXPORT __declspec(dllexport)
#else
#define EF_EXPORT __attribute__((visibility("default")))
#endif

/* ---- status ------------------------------------------------------------------------------------ */

typedef enum ef_code {
  EF_OK = 0,
  EF_INVALID_ARGUMENT = 1, /* bad options or bad input data */
  EF_NOT_FOUND = 2,        /* a file, field or resource does not exist */
  EF_UNAVAILABLE = 3,      /* a service or device cannot be reached (after retries) */
  EF_INTERNAL = 4,         /* a bug or an unexpected library failure */
  EF_CANCELLED = 5,        /* the run is stopping */
  EF_DEADLINE_EXCEEDED = 6,
  EF_RESOURCE_EXHAUSTED = 7,
  /* Returned by process/submit/next, stops the whole run instead of failing one record
   * (for example CUDA out of memory). Every other code fails only the record at hand. */
  EF_ABORTED = 8
} ef_code;

typedef struct ef_status ef_status; /* opaque, allocated by the host */

/* ---- records ----------------------------------------------------------------------------------- */

/* Field types. Lists and maps cross the ABI as JSON text. EF_TYPE_ANY is only used in declarations:
 * a field whose type depends on the data (a dataset column) matches every other type. */
typedef enum ef_type {
  EF_TYPE_MISSING = 0, /* returned by field_type when the record has no such field */
  EF_TYPE_NULL = 1,
  EF_TYPE_BOOL = 2,
  EF_TYPE_INT = 3,
  EF_TYPE_DOUBLE = 4,
  EF_TYPE_STRING = 5,
  EF_TYPE_LIST = 6,
  EF_TYPE_MAP = 7,
  EF_TYPE_ANY = 8
} ef_type;

typedef struct ef_record ef_record; /* one sample travelling through the graph; opaque */
typedef struct ef_ticket ef_ticket; /* one pending async submission; opaque */

/* Receives text produced by the host (JSON of a list or map field, a report). */
typedef void (*ef_write_fn)(void* context, const char* data, size_t size);

/* A declared field: a name and its type. */
typedef struct ef_field {
  const char* name;
  ef_type type;
} ef_field;

/* Declared as a written field, "*" stands for fields known only at run time (a loader that reads every
 * column of its file): the validator then accepts reads of fields it cannot see. */
#define EF_ANY_FIELDS "*"

/* Lets a node declare fields that depend on its options (a template reads the columns it names). */
typedef struct ef_field_list ef_field_list; /* opaque, filled with host->field_list_add */

/* ---- what the host tells a node instance about itself ------------------------------------------ */

typedef struct ef_node_info {
  uint32_t struct_size;
  const char* node_name;    /* the node's name in the pipeline, e.g. "aime2024.prompt" */
  const char* dataset_abbr; /* the dataset this instance serves; "" for shared inferencers */
  const char* model_abbr;   /* the model of the run */
  const char* pipeline_dir; /* relative paths in options are resolved against it */
  const char* run_dir;      /* outputs/<run-id>, "" when not running a pipeline */
} ef_node_info;

typedef enum ef_log_level {
  EF_LOG_DEBUG = 0,
  EF_LOG_INFO = 1,
  EF_LOG_WARNING = 2,
  EF_LOG_ERROR = 3
} ef_log_level;

/* ---- the host's services, passed to evalflow_plugin_entry -------------------------------------- */

typedef struct ef_host_api {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;

  ef_status* (*status_new)(ef_code code, const char* message);
  ef_code (*status_code)(const ef_status* status);
  const char* (*status_message)(const ef_status* status);
  void (*status_free)(ef_status* status);

  /* Record key: dataset abbreviation, sample index (AISBench's `id`), replica index. */
  const char* (*record_dataset)(const ef_record* record);
  int64_t (*record_index)(const ef_record* record);
  int32_t (*record_replica)(const ef_record* record);
  /* Sources set the sample index of the records they produce. */
  void (*record_set_index)(ef_record* record, int64_t index);

  ef_type (*field_type)(const ef_record* record, const char* field);
  /* Getters return 1 and fill *out when the field exists with that type, else 0. String pointers
   * stay valid until the field is set again or the record leaves the node. */
  int (*get_bool)(const ef_record* record, const char* field, int* out);
  int (*get_int)(const ef_record* record, const char* field, int64_t* out);
  int (*get_double)(const ef_record* record, const char* field, double* out);
  int (*get_string)(const ef_record* record, const char* field, const char** data, size_t* size);
  /* Any field as JSON text (lists and maps are only readable this way). Returns 0 if missing. */
  int (*get_json)(const ef_record* record, const char* field, ef_write_fn write, void* context);

  void (*set_null)(ef_record* record, const char* field);
  void (*set_bool)(ef_record* record, const char* field, int value);
  void (*set_int)(ef_record* record, const char* field, int64_t value);
  void (*set_double)(ef_record* record, const char* field, double value);
  void (*set_string)(ef_record* record, const char* field, const char* data, size_t size);
  /* Parses JSON text into the field; EF_INVALID_ARGUMENT if it is not valid JSON. */
  ef_status* (*set_json)(ef_record* record, const char* field, const char* json, size_t size);
  void (*remove_field)(ef_record* record, const char* field);

  void (*field_list_add)(ef_field_list* list, const char* name, ef_type type);

  /* Completes an async submission exactly once, from any thread. status NULL = success; the
   * ticket and its record must not be used afterwards. */
  void (*complete)(ef_ticket* ticket, ef_status* status);
  ef_record* (*ticket_record)(ef_ticket* ticket);

  void (*log)(const ef_node_info* node, ef_log_level level, const char* message);
} ef_host_api;

/* ---- node types -------------------------------------------------------------------------------- */

typedef enum ef_node_kind {
  EF_NODE_SOURCE = 0,   /* produces the records of a dataset: implements next */
  EF_NODE_FUNCTION = 1, /* transforms one record in place: implements process */
  EF_NODE_ASYNC = 2,    /* answers records later from its own threads: implements submit */
  EF_NODE_AGGREGATE = 3 /* sees every finished record of a dataset, then reports metrics */
} ef_node_kind;

/* Concurrency of a function node: EF_CONCURRENCY_UNLIMITED, EF_CONCURRENCY_SERIAL or any N > 1. */
#define EF_CONCURRENCY_UNLIMITED 0
#define EF_CONCURRENCY_SERIAL 1

typedef struct ef_node_type {
  uint32_t struct_size;
  const char* name;        /* unique among loaded plugins, e.g. "jsonl_loader" */
  const char* description; /* one line for `evalflow plugins` */
  ef_node_kind kind;
  int32_t concurrency;

  /* Fields always read and written, whatever the options. */
  const ef_field* reads;
  size_t num_reads;
  const ef_field* writes;
  size_t num_writes;

  /* JSON Schema (draft 7) of the options object; the host validates options before create. */
  const char* options_schema;

  /* Optional: adds the fields that depend on the options (already validated against the schema). */
  ef_status* (*resolve_fields)(const ef_host_api* host, const char* options_json, ef_field_list* reads,
                               ef_field_list* writes);

  ef_status* (*create)(const ef_host_api* host, const ef_node_info* info, const char* options_json,
                       void** instance);
  void (*destroy)(void* instance);

  /* EF_NODE_SOURCE: fills `out` and sets *produced = 1, or sets *produced = 0 at the end. */
  ef_status* (*next)(void* instance, ef_record* out, int* produced);
  /* Optional for sources: the number of records next will produce, for progress and ETA. */
  int64_t (*count)(void* instance);

  /* EF_NODE_FUNCTION and EF_NODE_AGGREGATE: one record, in place. Aggregates are called serially. */
  ef_status* (*process)(void* instance, ef_record* record);

  /* EF_NODE_ASYNC: takes the record, answers later with host->complete(ticket, status). */
  ef_status* (*submit)(void* instance, ef_ticket* ticket);

  /* EF_NODE_AGGREGATE: writes a JSON object of metrics once every record has been seen. */
  ef_status* (*report)(void* instance, ef_write_fn write, void* context);

  /* Optional: called once after the last record, before destroy (async nodes finish their work). */
  ef_status* (*flush)(void* instance);
  /* ABI 1.1. Optional for async nodes: how many submissions the instance works on at once (requests in
   * flight, a GPU batch). The host holds the rest back, so that datasets sharing the node get its slots in
   * turn and a stopping run sends nothing new. 0 or absent: the host submits everything at once. */
  int64_t (*capacity)(void* instance);
  /* ABI 1.1. Optional for async nodes: writes a JSON object of numbers describing the work in progress, shown
   * in the run's live progress (e.g. {"running": 12, "queued": 4, "preempted": 1, "tokens_total": 80123}).
   * Keys ending in "_total" are counters, shown as a rate per second. Called from the progress thread. */
  ef_status* (*stats)(void* instance, ef_write_fn write, void* context);
} ef_node_type;

typedef struct ef_plugin {
  uint32_t struct_size;
  uint16_t abi_major; /* EF_ABI_MAJOR the plugin was built with */
  uint16_t abi_minor; /* EF_ABI_MINOR the plugin was built with */
  const char* name;
  const char* version;
  const char* license;
  const char* description;
  const ef_node_type* const* node_types;
  size_t num_node_types;
} ef_plugin;

/* The one exported symbol. Returns NULL if the plugin cannot work with this host. */
typedef const ef_plugin* (*ef_plugin_entry_fn)(const ef_host_api* host);
#define EF_PLUGIN_ENTRY_SYMBOL "evalflow_plugin_entry"

#ifdef __cplusplus
}
#endif

#endif /* EVALFLOW_PLUGIN_H */
