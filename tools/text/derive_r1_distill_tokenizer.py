#!/usr/bin/env python3
"""Derives DeepSeek-R1-Distill-Qwen's tokenizer.json from Qwen3's, for when the model's own file is not at
hand (no public copy was found; see /work/shared/data/SOURCES.md, "deepseek_r1_distill_qwen").

R1-Distill-Qwen keeps Qwen2.5's byte-level BPE (the same 151,643 vocabulary entries and merges as Qwen3),
NFC normaliser and Split regex, and remaps the added tokens 151643-151649 to DeepSeek's chat tokens:
151643 <｜end▁of▁sentence｜>, 151644 <｜User｜>, 151645 <｜Assistant｜>, 151646 <｜begin▁of▁sentence｜>,
151647 <|EOT|>, 151648 <think>, 151649 </think>. 151650-151664 stay as in Qwen2.5 (<|quad_start|> ...
<|file_sep|>); Qwen3's additions 151665-151668 do not exist. Its post-processor prepends the bos token.

Usage: derive_r1_distill_tokenizer.py QWEN3_TOKENIZER_JSON OUTPUT_TOKENIZER_JSON
"""
import json
import sys

REMAPPED = {
    151643: ("<｜end▁of▁sentence｜>", True),
    151644: ("<｜User｜>", False),
    151645: ("<｜Assistant｜>", False),
    151646: ("<｜begin▁of▁sentence｜>", True),
    151647: ("<|EOT|>", False),
    151648: ("<think>", False),
    151649: ("</think>", False),
}
LAST_QWEN25_ID = 151664
BOS_ID = 151646


def derive(qwen3):
    tokenizer = dict(qwen3)
    added = []
    for token in qwen3["added_tokens"]:
        if token["id"] > LAST_QWEN25_ID:
            continue
        token = dict(token)
        if token["id"] in REMAPPED:
            token["content"], token["special"] = REMAPPED[token["id"]]
        added.append(token)
    tokenizer["added_tokens"] = added
    bos = REMAPPED[BOS_ID][0]
    tokenizer["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {bos: {"id": bos, "ids": [BOS_ID], "tokens": [bos]}},
    }
    return tokenizer


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        qwen3 = json.load(f)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(derive(qwen3), f, ensure_ascii=False)


if __name__ == "__main__":
    main()
