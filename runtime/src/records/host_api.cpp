#include "records/host_api.hpp"

#include <cstring>
#include <optional>
#include <string_view>

#include "records/json_text.hpp"

namespace evalflow {

void NodeContext::publish() {
  info.struct_size = sizeof(ef_node_info);
  info.node_name = node_name.c_str();
  info.dataset_abbr = dataset_abbr.c_str();
  info.model_abbr = model_abbr.c_str();
  info.pipeline_dir = pipeline_dir.c_str();
  info.run_dir = run_dir.c_str();
}

namespace {

ef_status* status_new(ef_code code, const char* message) {
  return new ef_status{code, message != nullptr ? message : ""};
}
ef_code status_code(const ef_status* status) {
  return status != nullptr ? status->code : EF_OK;
}
const char* status_message(const ef_status* status) {
  return status != nullptr ? status->message.c_str() : "";
}
void status_free(ef_status* status) {
  delete status;
}

const char* record_dataset(const ef_record* record) {
  return record->dataset ? record->dataset->c_str() : "";
}
int64_t record_index(const ef_record* record) {
  return record->index;
}
int32_t record_replica(const ef_record* record) {
  return record->replica;
}
void record_set_index(ef_record* record, int64_t index) {
  record->index = index;
}

ef_type field_type(const ef_record* record, const char* field) {
  const nlohmann::json* value = record->find(field);
  return value != nullptr ? type_of(*value) : EF_TYPE_MISSING;
}

int get_bool(const ef_record* record, const char* field, int* out) {
  const nlohmann::json* value = record->find(field);
  if (value == nullptr || !value->is_boolean()) return 0;
  *out = value->get<bool>() ? 1 : 0;
  return 1;
}

int get_int(const ef_record* record, const char* field, int64_t* out) {
  const nlohmann::json* value = record->find(field);
  if (value == nullptr || !value->is_number_integer()) return 0;
  *out = value->get<int64_t>();
  return 1;
}

int get_double(const ef_record* record, const char* field, double* out) {
  const nlohmann::json* value = record->find(field);
  if (value == nullptr || !value->is_number_float()) return 0;
  *out = value->get<double>();
  return 1;
}

int get_string(const ef_record* record, const char* field, const char** data, size_t* size) {
  const nlohmann::json* value = record->find(field);
  if (value == nullptr || !value->is_string()) return 0;
  const auto& text = value->get_ref<const std::string&>();
  *data = text.data();
  *size = text.size();
  return 1;
}

int get_json(const ef_record* record, const char* field, ef_write_fn write, void* context) {
  const nlohmann::json* value = record->find(field);
  if (value == nullptr) return 0;
  const std::string text = value->dump();
  write(context, text.data(), text.size());
  return 1;
}

void set_null(ef_record* record, const char* field) {
  record->at(field) = nullptr;
}
void set_bool(ef_record* record, const char* field, int value) {
  record->at(field) = value != 0;
}
void set_int(ef_record* record, const char* field, int64_t value) {
  record->at(field) = value;
}
void set_double(ef_record* record, const char* field, double value) {
  record->at(field) = value;
}
void set_string(ef_record* record, const char* field, const char* data, size_t size) {
  record->at(field) = std::string(data, size);
}

ef_status* set_json(ef_record* record, const char* field, const char* json, size_t size) {
  std::optional<nlohmann::json> value = parse_json_text(std::string_view(json, size));
  if (!value) {
    return status_new(EF_INVALID_ARGUMENT,
                      (std::string("set_json: field '") + field + "': invalid JSON").c_str());
  }
  record->at(field) = std::move(*value);
  return nullptr;
}

void remove_field(ef_record* record, const char* field) {
  record->erase(field);
}

void field_list_add(ef_field_list* list, const char* name, ef_type type) {
  list->fields.push_back({name, type});
}

void complete(ef_ticket* ticket, ef_status* status) {
  StatusPtr owned(status);
  ticket->on_complete(std::move(ticket->record), std::move(owned));
  delete ticket;
}

ef_record* ticket_record(ef_ticket* ticket) {
  return ticket->record.get();
}

void log(const ef_node_info* node, ef_log_level level, const char* message) {
  // info is the first member of the non-polymorphic NodeContext, so both share one address.
  const auto* context = reinterpret_cast<const NodeContext*>(node);
  if (context != nullptr && context->log) context->log(level, message);
}

const ef_host_api kHostApi = {
    sizeof(ef_host_api),
    EF_ABI_MAJOR,
    EF_ABI_MINOR,
    status_new,
    status_code,
    status_message,
    status_free,
    record_dataset,
    record_index,
    record_replica,
    record_set_index,
    field_type,
    get_bool,
    get_int,
    get_double,
    get_string,
    get_json,
    set_null,
    set_bool,
    set_int,
    set_double,
    set_string,
    set_json,
    remove_field,
    field_list_add,
    complete,
    ticket_record,
    log,
};

}  // namespace

const ef_host_api& host_api() {
  return kHostApi;
}

}  // namespace evalflow
