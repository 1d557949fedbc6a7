// evalflow plugin SDK: a header-only C++ layer over plugin.h, compiled into each plugin.
//
// A plugin writes ordinary C++ classes and describes them as static data:
//
//   class Upper {
//    public:
//     Upper(const evalflow::sdk::json& options, const evalflow::sdk::NodeInfo& info);
//     void process(evalflow::sdk::Record& record);  // throw sdk::Error to fail this record
//   };
//   const ef_field kReads[] = {{"prediction", EF_TYPE_STRING}};
//   const ef_node_type kUpper = evalflow::sdk::function_node_type<Upper>({
//       .name = "upper", .description = "...", .reads = kReads});
//   EVALFLOW_PLUGIN("upper", "1.0.0", "MIT", "Upper-cases the prediction", &kUpper)
//
// Every C entry point catches every exception, so none crosses the ABI.
#ifndef EVALFLOW_PLUGIN_HPP
#define EVALFLOW_PLUGIN_HPP

#include <evalflow/plugin.h>

#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace evalflow::sdk {

using json = nlohmann::json;

namespace detail {
// Each plugin library holds its own copy (symbols are hidden), set once by the entry point.
inline const ef_host_api*& host_slot() {
  static const ef_host_api* host = nullptr;
  return host;
}
}  // namespace detail

inline const ef_host_api& host() {
  return *detail::host_slot();
}

// Thrown by plugin code; becomes an ef_status at the ABI boundary.
class Error : public std::runtime_error {
 public:
  Error(ef_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ef_code code() const { return code_; }

 private:
  ef_code code_;
};

inline Error invalid_argument(const std::string& message) {
  return {EF_INVALID_ARGUMENT, message};
}

// A borrowed view of one record.
class Record {
 public:
  explicit Record(ef_record* record) : record_(record) {}

  [[nodiscard]] std::string_view dataset() const { return host().record_dataset(record_); }
  [[nodiscard]] int64_t index() const { return host().record_index(record_); }
  [[nodiscard]] int32_t replica() const { return host().record_replica(record_); }
  void set_index(int64_t index) { host().record_set_index(record_, index); }

  [[nodiscard]] ef_type type(const char* field) const { return host().field_type(record_, field); }
  [[nodiscard]] bool has(const char* field) const { return type(field) != EF_TYPE_MISSING; }

  [[nodiscard]] std::optional<std::string_view> string(const char* field) const {
    const char* data = nullptr;
    size_t size = 0;
    if (host().get_string(record_, field, &data, &size) == 0) return std::nullopt;
    return std::string_view(data, size);
  }
  [[nodiscard]] std::optional<int64_t> integer(const char* field) const {
    int64_t value = 0;
    if (host().get_int(record_, field, &value) == 0) return std::nullopt;
    return value;
  }
  // Also reads integer fields, converted.
  [[nodiscard]] std::optional<double> number(const char* field) const {
    double value = 0;
    if (host().get_double(record_, field, &value) != 0) return value;
    if (auto integer_value = integer(field)) return static_cast<double>(*integer_value);
    return std::nullopt;
  }
  [[nodiscard]] std::optional<bool> boolean(const char* field) const {
    int value = 0;
    if (host().get_bool(record_, field, &value) == 0) return std::nullopt;
    return value != 0;
  }
  [[nodiscard]] std::optional<json> value(const char* field) const {
    std::string text;
    auto append = [](void* context, const char* data, size_t size) {
      static_cast<std::string*>(context)->append(data, size);
    };
    if (host().get_json(record_, field, append, &text) == 0) return std::nullopt;
    return json::parse(text);
  }
  // The string field, or an EF_INVALID_ARGUMENT error naming it.
  [[nodiscard]] std::string_view require_string(const char* field) const {
    if (auto text = string(field)) return *text;
    throw invalid_argument(std::string("field '") + field + "' is missing or not a string");
  }

  void set(const char* field, std::string_view text) {
    host().set_string(record_, field, text.data(), text.size());
  }
  void set(const char* field, const char* text) { set(field, std::string_view(text)); }
  void set(const char* field, const std::string& text) { set(field, std::string_view(text)); }
  void set(const char* field, bool flag) { host().set_bool(record_, field, flag ? 1 : 0); }
  void set(const char* field, int64_t number) { host().set_int(record_, field, number); }
  void set(const char* field, int number) { host().set_int(record_, field, number); }
  void set(const char* field, double number) { host().set_double(record_, field, number); }
  void set_null(const char* field) { host().set_null(record_, field); }
  void set_value(const char* field, const json& value) { set_json_text(field, value.dump()); }
  // A list or map field from its JSON text (text a node built itself, without a json value in between).
  void set_json_text(const char* field, std::string_view text) {
    if (ef_status* status = host().set_json(record_, field, text.data(), text.size())) {
      const std::string message = host().status_message(status);
      host().status_free(status);
      throw Error(EF_INTERNAL, std::string("writing `") + field + "`: " + message);
    }
  }
  void remove(const char* field) { host().remove_field(record_, field); }

  [[nodiscard]] ef_record* raw() const { return record_; }

 private:
  ef_record* record_;
};

struct NodeInfo {
  std::string node_name;
  std::string dataset_abbr;
  std::string model_abbr;
  std::string pipeline_dir;
  std::string run_dir;
  const ef_node_info* raw = nullptr;

  void log(ef_log_level level, const std::string& message) const { host().log(raw, level, message.c_str()); }
};

// One pending async submission: complete it exactly once, from any thread.
class Ticket {
 public:
  explicit Ticket(ef_ticket* ticket) : ticket_(ticket) {}
  [[nodiscard]] Record record() const { return Record(host().ticket_record(ticket_)); }
  void succeed() { host().complete(std::exchange(ticket_, nullptr), nullptr); }
  void fail(ef_code code, const std::string& message) {
    host().complete(std::exchange(ticket_, nullptr), host().status_new(code, message.c_str()));
  }
  [[nodiscard]] bool pending() const { return ticket_ != nullptr; }

 private:
  ef_ticket* ticket_;
};

// Collects fields declared from options (see resolve_fields below).
class FieldList {
 public:
  explicit FieldList(ef_field_list* list) : list_(list) {}
  void add(const std::string& name, ef_type type) { host().field_list_add(list_, name.c_str(), type); }

 private:
  ef_field_list* list_;
};

// What every node type declares; reads and writes are the fields used whatever the options.
struct NodeTypeInfo {
  const char* name = "";
  const char* description = "";
  int32_t concurrency = EF_CONCURRENCY_SERIAL;
  std::span<const ef_field> reads;
  std::span<const ef_field> writes;
  const char* options_schema = R"({"type": "object", "additionalProperties": false})";
};

namespace detail {

inline ef_status* status_from_current_exception() {
  try {
    throw;
  } catch (const Error& error) {
    return host().status_new(error.code(), error.what());
  } catch (const json::exception& error) {
    return host().status_new(EF_INVALID_ARGUMENT, error.what());
  } catch (const std::exception& error) {
    return host().status_new(EF_INTERNAL, error.what());
  } catch (...) {
    return host().status_new(EF_INTERNAL, "unknown C++ exception in plugin");
  }
}

template <class Function>
ef_status* guarded(Function&& function) noexcept {
  try {
    function();
    return nullptr;
  } catch (...) {
    return status_from_current_exception();
  }
}

inline NodeInfo node_info(const ef_node_info* info) {
  return NodeInfo{info->node_name,    info->dataset_abbr, info->model_abbr,
                  info->pipeline_dir, info->run_dir,      info};
}

template <class Node>
ef_status* create(const ef_host_api* /*host*/, const ef_node_info* info, const char* options_json,
                  void** instance) {
  return guarded([&] { *instance = new Node(json::parse(options_json), node_info(info)); });
}

template <class Node>
void destroy(void* instance) {
  delete static_cast<Node*>(instance);
}

template <class Node>
ef_status* resolve_fields(const ef_host_api* /*host*/, const char* options_json, ef_field_list* reads,
                          ef_field_list* writes) {
  return guarded([&] {
    FieldList read_list(reads);
    FieldList write_list(writes);
    Node::resolve_fields(json::parse(options_json), read_list, write_list);
  });
}

template <class Node>
ef_node_type base_type(const NodeTypeInfo& info, ef_node_kind kind) {
  ef_node_type type{};
  type.struct_size = sizeof(ef_node_type);
  type.name = info.name;
  type.description = info.description;
  type.kind = kind;
  type.concurrency = info.concurrency;
  type.reads = info.reads.data();
  type.num_reads = info.reads.size();
  type.writes = info.writes.data();
  type.num_writes = info.writes.size();
  type.options_schema = info.options_schema;
  type.create = &create<Node>;
  type.destroy = &destroy<Node>;
  if constexpr (requires(const json& options, FieldList& list) {
                  Node::resolve_fields(options, list, list);
                }) {
    type.resolve_fields = &resolve_fields<Node>;
  }
  if constexpr (requires(Node & node) { node.flush(); }) {
    type.flush = [](void* instance) { return guarded([&] { static_cast<Node*>(instance)->flush(); }); };
  }
  return type;
}

}  // namespace detail

// A source: `bool next(Record& out)` fills out and returns true, or returns false at the end.
// Optional: `int64_t count() const`.
template <class Node>
ef_node_type source_node_type(const NodeTypeInfo& info) {
  ef_node_type type = detail::base_type<Node>(info, EF_NODE_SOURCE);
  type.next = [](void* instance, ef_record* out, int* produced) {
    return detail::guarded([&] {
      Record record(out);
      *produced = static_cast<Node*>(instance)->next(record) ? 1 : 0;
    });
  };
  if constexpr (requires(const Node& node) { node.count(); }) {
    type.count = [](void* instance) -> int64_t {
      try {
        return static_cast<const Node*>(instance)->count();
      } catch (...) {
        return -1;
      }
    };
  }
  return type;
}

// A function: `void process(Record& record)` changes the record in place.
template <class Node>
ef_node_type function_node_type(const NodeTypeInfo& info) {
  ef_node_type type = detail::base_type<Node>(info, EF_NODE_FUNCTION);
  type.process = [](void* instance, ef_record* raw) {
    return detail::guarded([&] {
      Record record(raw);
      static_cast<Node*>(instance)->process(record);
    });
  };
  return type;
}

// An async node: `void submit(Ticket ticket)` must eventually complete the ticket, on any thread.
// Throwing from submit fails the record (the host completes the ticket).
// Optional: `int64_t capacity() const`, the submissions it works on at once (see ef_node_type::capacity), and
// `json stats() const`, numbers for the live progress (see ef_node_type::stats).
template <class Node>
ef_node_type async_node_type(const NodeTypeInfo& info) {
  ef_node_type type = detail::base_type<Node>(info, EF_NODE_ASYNC);
  type.submit = [](void* instance, ef_ticket* ticket) {
    return detail::guarded([&] { static_cast<Node*>(instance)->submit(Ticket(ticket)); });
  };
  if constexpr (requires(const Node& node) { node.capacity(); }) {
    type.capacity = [](void* instance) -> int64_t {
      try {
        return static_cast<const Node*>(instance)->capacity();
      } catch (...) {
        return 0;
      }
    };
  }
  if constexpr (requires(const Node& node) { node.stats(); }) {
    type.stats = [](void* instance, ef_write_fn write, void* context) {
      return detail::guarded([&] {
        const std::string text = static_cast<const Node*>(instance)->stats().dump();
        write(context, text.data(), text.size());
      });
    };
  }
  return type;
}

// An aggregate: `void process(const Record&)` for each finished record, then `json report()`.
template <class Node>
ef_node_type aggregate_node_type(const NodeTypeInfo& info) {
  ef_node_type type = detail::base_type<Node>(info, EF_NODE_AGGREGATE);
  type.process = [](void* instance, ef_record* raw) {
    return detail::guarded([&] {
      const Record record(raw);
      static_cast<Node*>(instance)->process(record);
    });
  };
  type.report = [](void* instance, ef_write_fn write, void* context) {
    return detail::guarded([&] {
      const std::string text = static_cast<Node*>(instance)->report().dump();
      write(context, text.data(), text.size());
    });
  };
  return type;
}

}  // namespace evalflow::sdk

// Defines the plugin's one exported entry point. The variadic arguments are `const ef_node_type*`.
#define EVALFLOW_PLUGIN(NAME, VERSION, LICENSE, DESCRIPTION, ...)                        \
  extern "C" EF_EXPORT const ef_plugin* evalflow_plugin_entry(const ef_host_api* host) { \
    if (host == nullptr || host->abi_major != EF_ABI_MAJOR) return nullptr;              \
    ::evalflow::sdk::detail::host_slot() = host;                                         \
    static const ef_node_type* const kNodeTypes[] = {__VA_ARGS__};                       \
    static const ef_plugin kPlugin = {sizeof(ef_plugin),                                 \
                                      EF_ABI_MAJOR,                                      \
                                      EF_ABI_MINOR,                                      \
                                      NAME,                                              \
                                      VERSION,                                           \
                                      LICENSE,                                           \
                                      DESCRIPTION,                                       \
                                      kNodeTypes,                                        \
                                      sizeof(kNodeTypes) / sizeof(kNodeTypes[0])};       \
    return &kPlugin;                                                                     \
  }

#endif  // EVALFLOW_PLUGIN_HPP
