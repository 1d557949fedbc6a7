#!/usr/bin/env python3
"""Makes the tiny random-weight checkpoints and HuggingFace reference outputs that torch_local's tests use.

Runs where transformers and torch are installed (the GPU machine: transformers 5.17, torch 2.11); computes on
the CPU in fp32 so that the references are exact IEEE fp32 without TF32. Writes, per model, a checkpoint folder
(config.json, generation_config.json, *.safetensors) and reference.json:
  prompts[i].ids           the prompt token ids
  prompts[i].last_logits   fp32 logits at the last prompt position
  prompts[i].greedy        32 greedy tokens, each from a full forward pass over the sequence so far (no cache)
  prompts[i].min_margin    smallest top-1/top-2 logit gap along the greedy path (how robust the test is)
Usage: python3 tools/gen_torch_fixtures.py OUT_DIR
"""
import json
import os
import sys

import torch
import transformers

PROMPT_LENGTHS = [1, 7, 64, 200]
GREEDY_STEPS = 32
VOCAB = 512


def tiny_qwen2():
    config = transformers.Qwen2Config(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=160, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, rms_norm_eps=1e-6, tie_word_embeddings=False,
        initializer_range=0.08, rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
        bos_token_id=1, eos_token_id=2)
    return transformers.Qwen2ForCausalLM(config), torch.float32, None


def tiny_llama():
    # Tied embeddings, llama3 rope scaling with a small original context so that every band is exercised,
    # bf16 storage, and a sharded checkpoint (model.safetensors.index.json).
    config = transformers.LlamaConfig(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=176, num_hidden_layers=3, num_attention_heads=8,
        num_key_value_heads=2, max_position_embeddings=512, rms_norm_eps=1e-5, tie_word_embeddings=True,
        initializer_range=0.08,
        rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
        bos_token_id=1, eos_token_id=[2, 3])
    return transformers.LlamaForCausalLM(config), torch.bfloat16, "60KB"


def make(name, builder, out_dir, eos_ids):
    torch.manual_seed(1234)
    model, storage_dtype, shard = builder()
    model.eval()
    # Biases are zero-initialised by transformers; random ones make the q/k/v bias path observable.
    with torch.no_grad():
        for pname, param in model.named_parameters():
            if pname.endswith("bias"):
                param.normal_(0.0, 0.1)
            if "norm" in pname:
                param.uniform_(0.5, 1.5)
            # Weights exactly representable in the storage dtype, so the fp32 reference is the stored model.
            param.copy_(param.to(storage_dtype).to(torch.float32))
    folder = os.path.join(out_dir, name)
    saved = model.to(storage_dtype)
    kwargs = {"max_shard_size": shard} if shard else {}
    saved.save_pretrained(folder, **kwargs)
    transformers.GenerationConfig(bos_token_id=1, eos_token_id=eos_ids).save_pretrained(folder)
    model = model.to(torch.float32)

    generator = torch.Generator().manual_seed(99)
    prompts = []
    with torch.no_grad():
        for length in PROMPT_LENGTHS:
            ids = torch.randint(3, VOCAB, (1, length), generator=generator)
            logits = model(ids).logits[0, -1]
            sequence = ids
            greedy, margin = [], float("inf")
            for _ in range(GREEDY_STEPS):
                step_logits = model(sequence).logits[0, -1]
                top = torch.topk(step_logits, 2).values
                margin = min(margin, float(top[0] - top[1]))
                token = int(step_logits.argmax())
                greedy.append(token)
                sequence = torch.cat([sequence, torch.tensor([[token]])], dim=1)
            prompts.append({"ids": ids[0].tolist(), "last_logits": [float(x) for x in logits],
                            "greedy": greedy, "min_margin": margin})
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump({"transformers": transformers.__version__, "torch": torch.__version__,
                   "dtype": "float32", "device": "cpu", "prompts": prompts}, f)
    print(name, "min margins", [p["min_margin"] for p in prompts], "files", sorted(os.listdir(folder)))


def main():
    out_dir = sys.argv[1]
    torch.set_num_threads(8)
    make("tiny_qwen2", tiny_qwen2, out_dir, 2)
    make("tiny_llama", tiny_llama, out_dir, [2, 3])


if __name__ == "__main__":
    main()
