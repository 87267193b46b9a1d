#!/usr/bin/env python3
# Writes tests/data/golden/hf5/: tiny LLaVA checkpoints exactly as the current transformers writes them
# (LlavaForConditionalGeneration.save_pretrained), and what that transformers computes for them.
#
# What today's save_pretrained does that older checkpoints did not (issue 14):
#   - the CLIP tower is saved without its `vision_model.` level (vision_tower.embeddings.*, vision_tower.encoder.*);
#   - with tie_word_embeddings the LM head is not in the file at all;
#   - text_config may carry an explicit head_dim different from hidden_size / num_attention_heads;
#   - multimodal_projector_bias false leaves the projector without biases.
# Two checkpoints cover them: `tied_headdim` (tied head, head_dim 32 with hidden 64 and 4 heads, GQA) and `untied`
# (separate head, default head_dim, projector without biases).
#
# Usage: /work/venv/bin/python tests/golden/make_hf5_golden.py [--out tests/data/golden/hf5]
# Inputs reused from the other fixtures (their sha256 goes into expected/*.json): the test image and the tiny
# SentencePiece tokenizer of tests/data/golden (make_llava_golden.py).
import argparse
import os
import shutil
import sys
import tempfile

import torch

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_llava as T  # noqa: E402
from make_llava_golden import versions  # noqa: E402

FORMAT_VERSION = 1
GREEDY_STEPS = 16
MIN_MARGIN = 1e-2   # top-1 minus top-2 logit at every greedy step, so a 2e-5-accurate engine picks the same tokens
MIN_DISTINCT_TOKENS = 4
QUESTION = "What is the color of the big square?\n" + T.SHORT_ANSWER_SUFFIX
IMAGE_TOKEN = 512
VOCAB_REAL = 512    # SentencePiece pieces; 512 <image>, 513 <pad>, 514..519 padding rows
SEEDS = range(2000, 2100)

VISION = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 3, "num_attention_heads": 2,
          "image_size": 42, "patch_size": 6}
TEXT = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 3, "num_attention_heads": 4,
        "num_key_value_heads": 2, "vocab_size": 520, "rms_norm_eps": 1e-5, "max_position_embeddings": 512}
VARIANTS = {
    "tied_headdim": {"text": {"head_dim": 32, "tie_word_embeddings": True}, "tie": True, "projector_bias": True},
    "untied": {"text": {"tie_word_embeddings": False}, "tie": False, "projector_bias": False},
}


def llava_config(variant):
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig

    v = VARIANTS[variant]
    text = LlamaConfig(**TEXT, **v["text"])
    return LlavaConfig(text_config=text, vision_config=CLIPVisionConfig(**VISION), image_token_index=IMAGE_TOKEN,
                       tie_word_embeddings=v["tie"], multimodal_projector_bias=v["projector_bias"],
                       image_seq_length=(VISION["image_size"] // VISION["patch_size"]) ** 2)


def build(variant, seed):
    """A LlavaForConditionalGeneration with tiny_llava's well-separated random weights (set by in-memory name)."""
    from transformers import LlavaForConditionalGeneration

    model = LlavaForConditionalGeneration(llava_config(variant))
    model.set_attn_implementation("eager")
    model.eval()
    state = model.state_dict()
    own = {k: v for k, v in state.items() if not (VARIANTS[variant]["tie"] and k == "lm_head.weight")}
    w = T.random_weights({k: v.shape for k, v in own.items()}, seed)
    gen = torch.Generator().manual_seed(seed + 7919)
    for k in w:
        if k.endswith("embed_tokens.weight") or k == "lm_head.weight":
            w[k] = T.pad_vocab_rows(w[k], VOCAB_REAL, gen)
    # A smaller final-norm gain keeps |logit| near 10 (the tied head is the N(0, 1) embedding, 2x the usual head
    # scale): fp32 rounding (about 1e-6 of the largest logit here) then stays well inside the 2e-5 comparison.
    w["model.language_model.norm.weight"] *= 0.2 if VARIANTS[variant]["tie"] else 0.5
    model.load_state_dict(w, strict=not VARIANTS[variant]["tie"])
    if VARIANTS[variant]["tie"]:
        assert model.lm_head.weight.data_ptr() == model.model.language_model.embed_tokens.weight.data_ptr(), "not tied"
    return model


def greedy(model, ids, pixel_values):
    """Prefill logits (every position) and GREEDY_STEPS greedy tokens with the KV cache, EOS ignored."""
    out = model(input_ids=torch.tensor([ids]), pixel_values=pixel_values[None], use_cache=True)
    logits, cache = out.logits[0, -1], out.past_key_values
    tokens, margins = [], []
    for s in range(GREEDY_STEPS):
        top = torch.topk(logits, 2)
        tokens.append(int(top.indices[0]))
        margins.append(float(top.values[0] - top.values[1]))
        if s + 1 < GREEDY_STEPS:
            o = model(input_ids=torch.tensor([[tokens[-1]]]), past_key_values=cache, use_cache=True)
            logits, cache = o.logits[0, -1], o.past_key_values
    return out.logits[0], tokens, margins


def main():
    ap = argparse.ArgumentParser(description="Write the transformers-5 save_pretrained fixtures (tests/golden/README.md).")
    here = os.path.dirname(os.path.abspath(__file__))
    golden = os.path.abspath(os.path.join(here, "..", "data", "golden"))
    ap.add_argument("--out", default=os.path.join(golden, "hf5"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    shutil.rmtree(out, ignore_errors=True)

    import sentencepiece as spm
    from transformers import LlavaForConditionalGeneration

    tokenizer = os.path.join(golden, "llava_hf", "tokenizer.model")
    tokenizer_config = os.path.join(golden, "llava_hf", "tokenizer_config.json")
    image = os.path.join(golden, "images", "odd_37x23.png")
    sp = spm.SentencePieceProcessor(model_file=tokenizer)
    prompt = T.vicuna_v1_prompt(QUESTION)
    ids = T.per_chunk_ids(sp, prompt)
    n_vis = (VISION["image_size"] // VISION["patch_size"]) ** 2
    pos = ids.index(T.IMAGE_TOKEN_INDEX)
    ids_hf = ids[:pos] + [IMAGE_TOKEN] * n_vis + ids[pos + 1:]
    pixel_values = T.llava_preprocess(image, VISION["image_size"])[3]

    for variant in VARIANTS:
        with tempfile.TemporaryDirectory() as stage:
            for seed in SEEDS:
                folder = os.path.join(stage, f"seed{seed}")
                build(variant, seed).save_pretrained(folder)
                # The reference is what transformers makes of the folder it wrote.
                model = LlavaForConditionalGeneration.from_pretrained(folder, attn_implementation="eager",
                                                                      dtype=torch.float32).eval()
                logits, tokens, margins = greedy(model, ids_hf, pixel_values)
                if min(margins) >= MIN_MARGIN and len(set(tokens)) >= MIN_DISTINCT_TOKENS and max(tokens) < VOCAB_REAL:
                    break
                print(f"{variant}: seed {seed} rejected (min margin {min(margins):.3g}, {len(set(tokens))} distinct)")
            else:
                raise SystemExit(f"{variant}: no seed passed the margin checks")
            shutil.copytree(folder, os.path.join(out, variant))
        dst = os.path.join(out, variant)
        shutil.copy(tokenizer, os.path.join(dst, "tokenizer.model"))
        shutil.copy(tokenizer_config, os.path.join(dst, "tokenizer_config.json"))
        from safetensors import safe_open

        with safe_open(os.path.join(dst, "model.safetensors"), "pt") as f:
            names = set(f.keys())
        assert "vision_tower.embeddings.class_embedding" in names, "the tower kept its vision_model. level"
        assert VARIANTS[variant]["tie"] != ("language_model.lm_head.weight" in names), "LM head presence"
        assert VARIANTS[variant]["projector_bias"] == ("multi_modal_projector.linear_1.bias" in names)
        print(f"{variant}: seed {seed}, min margin {min(margins):.4g}, {len(names)} tensors")
        T.write_safetensors(os.path.join(out, "expected", f"{variant}.safetensors"), {
            "input_ids": torch.tensor(ids_hf, dtype=torch.int64), "pixel_values": pixel_values,
            "logits": logits.float().contiguous(), "greedy_tokens": torch.tensor(tokens, dtype=torch.int64)},
            {"format": "pt", "fixture": variant, "generator": "tests/golden/make_hf5_golden.py"})
        T.write_json(os.path.join(out, "expected", f"{variant}.json"), {
            "format_version": FORMAT_VERSION, "generator": "tests/golden/make_hf5_golden.py", "fixture": variant,
            "model_folder": variant, "written_by": "LlavaForConditionalGeneration.save_pretrained",
            "prompt": prompt, "image": "images/odd_37x23.png", "n_visual_tokens": n_vis, "seed": seed,
            "greedy_steps": GREEDY_STEPS, "greedy_tokens": tokens, "greedy_min_margin": min(margins),
            "eos_ignored": True, "dtype": "float32", "attn_implementation": "eager", "versions": versions(),
            "inputs_sha256": {"tokenizer.model": T.sha256_file(tokenizer), "odd_37x23.png": T.sha256_file(image)},
            "tensors": {"input_ids": "I64 [L] per-chunk SentencePiece ids, the image as n_visual_tokens copies of 512",
                        "pixel_values": "F32 [3,42,42] LLaVA eval preprocessing (pad, PIL bicubic, CLIP norm)",
                        "logits": "F32 [L,520] prefill logits at every position, from the folder as reloaded",
                        "greedy_tokens": f"I64 [{GREEDY_STEPS}] greedy with the KV cache, EOS ignored"},
            "notes": [f"variant: {VARIANTS[variant]}",
                      "Weights: tiny_llava.init_tensor by in-memory name, vocabulary rows 512..519 padded with the "
                      "mean row; final norm gain x0.5 (tied: x0.2, the head is the N(0,1) embedding) for |logit| near 10. The folder is "
                      "save_pretrained's output, untouched (config.json included)."]})
    for root, _, files in sorted(os.walk(out)):
        for f in sorted(files):
            p = os.path.join(root, f)
            print(f"{T.sha256_file(p)[:16]}  {os.path.getsize(p):8d}  {os.path.relpath(p, out)}")


if __name__ == "__main__":
    with torch.no_grad():
        main()
