// One line of predictions/<model>/<dataset>.jsonl, written straight from the record: AISBench's fields
// first (data_abbr, id, replica, success, origin_prompt, prediction, gold), then every other field the chain
// wrote (dataset columns such as `level`, plugin outputs such as `extracted_gold`), then the error if any.
#pragma once

#include <string>
#include <string_view>

#include "records/record.hpp"

namespace evalflow {

// A hash of what the model and the scorer see of a sample: every field it carries when it reaches the
// model (the rendered prompt, the gold, the dataset columns). --resume reuses a stored prediction only when
// this matches, so an edited or reordered dataset file never pairs old answers with new questions.
std::string sample_content_hash(const Record& record);

// The row as one JSON line (no newline). `success` is false for a failure before or during inference.
std::string prediction_line(std::string_view dataset_abbr, const Record& record,
                            std::string_view content_hash);

}  // namespace evalflow
