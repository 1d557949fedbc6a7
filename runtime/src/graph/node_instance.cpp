#include "graph/node_instance.hpp"

#include <algorithm>
#include <cstddef>

#include <fmt/format.h>

namespace evalflow {

Result<std::unique_ptr<NodeInstance>> NodeInstance::create(const ResolvedNode& node,
                                                           std::unique_ptr<NodeContext> context) {
  std::unique_ptr<NodeInstance> instance(new NodeInstance());
  instance->type_ = node.type.type;
  instance->context_ = std::move(context);
  instance->context_->publish();
  void* created = nullptr;
  StatusPtr status(
      instance->type_->create(&host_api(), &instance->context_->info, node.options_json.c_str(), &created));
  if (status) {
    return Error{fmt::format("node '{}' ({} from {}): create failed: {}", node.display_name,
                             node.type.type->name, node.type.plugin->path.filename().string(),
                             status->message)};
  }
  instance->instance_ = created;
  return instance;
}

NodeInstance::~NodeInstance() {
  if (instance_ != nullptr && type_->destroy != nullptr) type_->destroy(instance_);
}

Result<bool> NodeInstance::next(Record& out) {
  int produced = 0;
  StatusPtr status(type_->next(instance_, &out, &produced));
  if (status) return Error{status->message};
  return produced != 0;
}

int64_t NodeInstance::count() const {
  return type_->count != nullptr ? type_->count(instance_) : -1;
}

int64_t NodeInstance::capacity() const {
  // Members appended in ABI 1.1 exist only when the plugin's struct is long enough to hold them.
  if (type_->struct_size < offsetof(ef_node_type, capacity) + sizeof(type_->capacity)) return 0;
  return type_->capacity != nullptr ? std::max<int64_t>(type_->capacity(instance_), 0) : 0;
}

StatusPtr NodeInstance::process(Record& record) {
  return StatusPtr(type_->process(instance_, &record));
}

StatusPtr NodeInstance::submit(ef_ticket* ticket) {
  return StatusPtr(type_->submit(instance_, ticket));
}

namespace {
void append_text(void* context, const char* data, size_t size) {
  static_cast<std::string*>(context)->append(data, size);
}
}  // namespace

nlohmann::json NodeInstance::stats() const {
  if (type_->struct_size < offsetof(ef_node_type, stats) + sizeof(type_->stats) || type_->stats == nullptr) {
    return nullptr;
  }
  std::string text;
  if (StatusPtr status(type_->stats(instance_, append_text, &text)); status) return nullptr;
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json(nullptr);
}

Result<nlohmann::json> NodeInstance::report() {
  std::string text;
  auto append = append_text;
  if (type_->report == nullptr) return nlohmann::json::object();
  StatusPtr status(type_->report(instance_, append, &text));
  if (status) return Error{status->message};
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Error{fmt::format("node '{}' reported metrics that are not a JSON object", name())};
  }
  return parsed;
}

StatusPtr NodeInstance::flush() {
  if (type_->flush == nullptr) return nullptr;
  return StatusPtr(type_->flush(instance_));
}

}  // namespace evalflow
