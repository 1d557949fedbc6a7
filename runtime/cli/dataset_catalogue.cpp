#include "dataset_catalogue.hpp"

namespace evalflow::cli {

namespace {

constexpr const char* kOpenCompass = "http://opencompass.oss-cn-shanghai.aliyuncs.com/datasets/data/";
constexpr const char* kLiveCodeBenchLite =
    "https://huggingface.co/datasets/livecodebench/code_generation_lite/resolve/main/";
constexpr const char* kHumanEval = "https://raw.githubusercontent.com/openai/human-eval/master/data/";

// LiveCodeBench's releases are cumulative: release_vN is test.jsonl, test2.jsonl ... testN.jsonl (the
// ALLOWED_FILES of code_generation_lite.py on HuggingFace). No checksums are published for them.
std::vector<SourceFile> livecodebench_release(int version) {
  std::vector<SourceFile> files;
  for (int part = 1; part <= version; ++part) {
    files.push_back({part == 1 ? "test.jsonl" : "test" + std::to_string(part) + ".jsonl"});
  }
  return files;
}

// The window DeepSeek reports R1 and its distillations on (LiveCodeBench 2024-08 to 2025-01).
const DateWindow kDeepSeekWindow{"contest_date", "2024-08-01", "2025-01-31"};

}  // namespace

const std::vector<DatasetEntry>& dataset_catalogue() {
  // OpenCompass's checksums are from opencompass/utils/datasets_info.py (MD5 only). Layout from AISBench's
  // docs: aime.zip is unpacked inside a folder `aime/` made for it; math.zip, gpqa.zip, gsm8k.zip,
  // aime2025.zip and mmlu_pro.zip carry their own folders. HumanEval.jsonl.gz: size and SHA-256 of
  // openai/human-eval's data/HumanEval.jsonl.gz (commit 6d43fb9).
  static const std::vector<DatasetEntry> entries = {
      {"aime",
       DataFormat::zip,
       kOpenCompass,
       {{"aime.zip", "fbe2d0577fc210962a549f8cea1a00c8"}},
       "data/opencompass",
       "aime",
       std::nullopt,
       "aime/aime.jsonl (AIME 2024, keys origin_prompt and gold_answer)",
       {}},
      {"math",
       DataFormat::zip,
       kOpenCompass,
       {{"math.zip", "cb5b4c8378085929e20345174e731fdf"}},
       "data/opencompass",
       "",
       std::nullopt,
       "math/ (MATH, including test_prm800k_500.jsonl = MATH-500)",
       {}},
      {"gpqa",
       DataFormat::zip,
       kOpenCompass,
       {{"gpqa.zip", "2e9657959030a765916f1f2aca29140d"}},
       "data/opencompass",
       "",
       std::nullopt,
       "gpqa/ (GPQA: gpqa_diamond.csv and the other subsets)",
       {"pipelines/datasets/gpqa_gen_0_shot_cot_chat_prompt.yaml",
        "pipelines/datasets/gpqa_diamond_simple_evals.yaml"}},
      {"gsm8k",
       DataFormat::zip,
       kOpenCompass,
       {{"gsm8k.zip", "901e5dc93a2889789a469da9850cdca8"}},
       "data/opencompass",
       "",
       std::nullopt,
       "gsm8k/ (GSM8K: test.jsonl and train.jsonl, keys question and answer)",
       {"pipelines/datasets/gsm8k_gen_0_shot_cot_chat_prompt.yaml",
        "pipelines/datasets/gsm8k_gen_5_shot_lm_eval_seeded.yaml"}},
      {"aime2025",
       DataFormat::zip,
       kOpenCompass,
       {{"aime2025.zip", "aa18cd5d2e2de246c5397f5eb1e61004"}},
       "data/opencompass",
       "",
       std::nullopt,
       "aime2025/aime2025.jsonl (AIME 2025, keys question and answer)",
       {"pipelines/datasets/aime2025_gen_0_shot_chat_prompt.yaml"}},
      {"mmlu_pro",
       DataFormat::zip,
       kOpenCompass,
       {{"mmlu_pro.zip", "e3200c7380f4cea5f13c768f2815fabb"}},
       "data/opencompass",
       "",
       std::nullopt,
       "mmlu_pro/ (MMLU-Pro as Parquet: convert test and validation to JSONL as the fragments' headers show)",
       {"pipelines/datasets/mmlu_pro_gen_0_shot_str.yaml",
        "pipelines/datasets/mmlu_pro_gen_5_shot_str.yaml"}},
      {"livecodebench_v5",
       DataFormat::jsonl_window,
       kLiveCodeBenchLite,
       livecodebench_release(5),
       "data/livecodebench",
       "release_v5_2408_2501.jsonl",
       kDeepSeekWindow,
       "LiveCodeBench code_generation_lite release_v5 rows with contest_date in 2024-08-01..2025-01-31, "
       "unchanged",
       {"pipelines/datasets/livecodebench_v5_gen_0_shot_chat_prompt.yaml"}},
      {"livecodebench_v6",
       DataFormat::jsonl_window,
       kLiveCodeBenchLite,
       livecodebench_release(6),
       "data/livecodebench",
       "release_v6_2408_2501.jsonl",
       kDeepSeekWindow,
       "LiveCodeBench code_generation_lite release_v6 rows with contest_date in 2024-08-01..2025-01-31, "
       "unchanged",
       {"pipelines/datasets/livecodebench_v6_gen_0_shot_chat_prompt.yaml"}},
      {"humaneval",
       DataFormat::gzip,
       kHumanEval,
       {{"HumanEval.jsonl.gz", "", "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef",
         44877}},
       "data/humaneval",
       "HumanEval.jsonl",
       std::nullopt,
       "HumanEval.jsonl (164 problems: task_id, prompt, canonical_solution, test, entry_point)",
       {"pipelines/datasets/humaneval_gen_0_shot_chat_prompt.yaml"}},
  };
  return entries;
}

}  // namespace evalflow::cli
