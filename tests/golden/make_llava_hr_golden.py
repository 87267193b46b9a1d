#!/usr/bin/env python3
# Writes the LLaVA-HR golden fixtures under tests/data/golden/hr/: a tiny random LLaVA-HR checkpoint in the layout
# the reference training code saves (llava-detail.md §7.2), and what the reference dual-path vision tower computes
# for it (fp32), down to the LLaMA logits and 32 greedy tokens.
#
# Usage: python3 tests/golden/make_llava_hr_golden.py [--out tests/data/golden/hr]   (needs timm, see below)
#
# The reference is LLaVA-HR's `llava_hr/model/multimodal_encoder/{multipath_encoder_wapper,clip_encoder,
# convnext_encoder,convnext}.py` (repositories luogen1996/LLaVA-HR and aihao2000/DPN-LLaVA). Its code is not copied
# here. The script builds the same modules from PyPI packages and re-writes the glue itself:
#   - slow branch  = timm.models.convnext.ConvNeXt (the reference's convnext.py is timm's file with the layer-scale
#                    parameter renamed gamma -> weight; the checkpoint therefore says `blocks.{b}.weight`);
#   - fast branch  = transformers.CLIPVisionModel; its embedding forward is replaced by `hr_embeddings` below, the
#                    reference's `forward_embeddings` + `resample_pos_embed` (clip_encoder.py);
#   - adapters     = `MrAdapter` and `FinalAlign` below, the reference's `S2FStitchAlignModuleV2` and
#                    `MultiPathAlignModule` (multipath_encoder_wapper.py), module names kept so the state-dict keys
#                    are the checkpoint's;
#   - the forward  = `hr_tower_forward` below, `MultiPathCLIPVisionTower.forward` step by step.
# Each function says which reference lines it stands for. An independent plain-torch ConvNeXt (`plain_convnext`)
# cross-checks timm.
#
# Tiny shapes (the reference hard-codes CLIP-L/14-336; this script generalises its constants as noted):
#   input_image_size S = 256 (real: 1024). Slow ConvNeXt dims 8/16/24/32, depths 1/1/2/1, LN eps 1e-6 (the
#   convnext_large_mlp setting), stride 32 -> slow grid 8x8 (real: 32x32).
#   Fast CLIP: hidden 32, 4 layers (quarters of 1 layer; real 24 = 4 x 6), 2 heads, patch P = 4, image_size 16
#   (base grid 4x4, 17 positions). Fast input size = max(int(S/32*P), image_size) (reference:
#   max(int(S/32*14), 336), i.e. P = 14 and image_size = 336) = max(32, 16) = 32 px -> fast grid 8x8, so the position
#   embeddings are resampled 4x4 -> 8x8 (real 24x24 -> 32x32) and the slow and fast grids are equal, as at 1024 px.
#   64 visual tokens; projector mlp2x_gelu 32 -> 64 -> 64; LLaMA d 64, 4 layers, vocab 512 (the tokenizer of
#   make_llava_golden.py).
#   Extra vision-only cases: (B) the same weights at S = 64: fast size max(8, 16) = 16 px -> grid 4x4 (no resample),
#   slow grid 2x2 -> bilinear align-corners upsampling in the adapters; (C) adapter 0 and the final align on a 4x4
#   fast grid with an 8x8 slow map -> the 2x2 average-pooling branch.
import argparse
import math
import os
import shutil
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_llava_golden as G  # noqa: E402  (LLaMA config, greedy loop, decoder hooks, test image)
import tiny_llava as T  # noqa: E402

FORMAT_VERSION = 1
SEEDS = range(2000, 2100)
PREFIX_FAST = "model.vision_tower.fast_vision_tower.vision_tower.vision_model."
PREFIX_SLOW = "model.vision_tower.slow_vision_tower.vision_tower."
IMAGE_NAME = "odd_37x23.png"

CLIP_CONFIG = {
    "architectures": ["CLIPVisionModel"], "model_type": "clip_vision_model", "hidden_size": 32,
    "intermediate_size": 64, "num_hidden_layers": 4, "num_attention_heads": 2, "image_size": 16, "patch_size": 4,
    "torch_dtype": "float32",
}
SLOW = {"dims": [8, 16, 24, 32], "depths": [1, 1, 2, 1], "norm_eps": 1e-6, "head_hidden_size": 32,
        "num_classes": 10}
HR_CONFIG = dict(G.ORIG_CONFIG)
HR_CONFIG.update({
    "architectures": ["LlavaLlamaForCausalLM"],
    "mm_vision_tower": "openai/tiny-clip-hr-golden",
    "mm_hidden_size": 32,
    "mm_vision_select_layer": -2,  # ignored by the multipath tower (all layers run)
    "is_multipath_encoder": True,
    "input_image_size": 256,
    "vision_tower_slow": "convnext_tiny_hr_golden",
    # DPN Studio extension for test models: the real names convnext_large_mlp.* / convnext_xxlarge.* imply these.
    "slow_vision_config": {"dims": SLOW["dims"], "depths": SLOW["depths"], "norm_eps": SLOW["norm_eps"]},
    "freeze_vision": False,
    "tokenizer_model_max_length": 2496,
})


# --- reference modules ------------------------------------------------------------------------------------------

class MrAdapter(nn.Module):
    """S2FStitchAlignModuleV2 (one of `align_stages_latent`): same submodule names and math."""

    def __init__(self, fast_dim, slow_dim):
        super().__init__()
        self.slow_conv = nn.Conv2d(slow_dim, slow_dim, 1)
        self.slow_proj = nn.Conv2d(slow_dim, fast_dim, 1)
        self.fast_conv = nn.Conv2d(fast_dim, fast_dim, 7, padding=3, groups=fast_dim)
        self.fast_proj = nn.Conv2d(fast_dim, fast_dim, 1)
        self.gate = nn.Sequential(nn.Linear(fast_dim * 2, fast_dim // 2), nn.GELU(), nn.Linear(fast_dim // 2, 1))

    def forward(self, fast, slow, record=None):
        b, _, _, _ = slow.shape
        d = fast.shape[2]
        s = self.slow_proj(F.gelu(self.slow_conv(slow)))           # slow 1x1 -> GELU -> 1x1 to the fast width
        s = s.view(b, d, -1).transpose(1, 2)                       # [b, h*w, d]
        s, g = src2dst_align(s, fast)                              # to the fast grid (upsample / pool / same)
        f = fast.transpose(1, 2).view(b, d, g, g)
        f = f + self.fast_proj(F.gelu(self.fast_conv(f)))          # depthwise 7x7 -> GELU -> 1x1, residual
        f = f.view(b, d, g * g).transpose(1, 2)
        gate = self.gate(torch.cat([f, s], -1).mean(1)).unsqueeze(1)  # one scalar per image
        if record is not None:
            record.append(gate.tanh().reshape(-1))
        return f + s * gate.tanh()


class FinalAlign(nn.Module):
    """MultiPathAlignModule (`align_stages.0`): align the raw slow map to the fast grid, add both projections."""

    def __init__(self, fast_dim, slow_dim):
        super().__init__()
        self.fast_proj = nn.Linear(fast_dim, fast_dim)
        self.slow_proj = nn.Linear(slow_dim, fast_dim)

    def forward(self, fast, slow):
        b, c, _, _ = slow.shape
        s = slow.view(b, c, -1).transpose(1, 2)
        s, _ = src2dst_align(s, fast)
        return self.fast_proj(fast) + self.slow_proj(s)


def src2dst_align(src, dst):
    """S2FStitchAlignModuleV2.src2dst_align / the body of MultiPathAlignModule.forward: token counts must divide;
    fewer source tokens -> bilinear align_corners=True (fp32), more -> avg_pool2d with kernel = stride = ratio."""
    dst_size = int(math.sqrt(dst.shape[1]))
    assert src.shape[1] % dst.shape[1] == 0 or dst.shape[1] % src.shape[1] == 0
    b, l, c = src.shape
    src_size = int(math.sqrt(l))
    if l < dst.shape[1]:
        x = src.transpose(1, 2).view(b, c, src_size, src_size)
        x = F.interpolate(x.float(), size=(dst_size, dst_size), mode="bilinear", align_corners=True).to(src.dtype)
        src = x.view(b, c, -1).transpose(1, 2)
    elif l > dst.shape[1]:
        x = src.transpose(1, 2).view(b, c, src_size, src_size)
        x = F.avg_pool2d(x, src_size // dst_size, src_size // dst_size)
        src = x.reshape(b, c, -1).transpose(1, 2)
    return src, dst_size


def resample_pos_embed(posemb, new_len):
    """clip_encoder.resample_pos_embed: class position kept, the grid resampled bicubic + antialias in fp32."""
    new = int(math.sqrt(new_len - 1))
    old = int(math.sqrt(posemb.shape[1] - 1))
    prefix, grid = posemb[:, :1], posemb[:, 1:]
    x = grid.float().reshape(posemb.shape[0], old, old, -1).permute(0, 3, 1, 2)
    x = F.interpolate(x, size=[new, new], mode="bicubic", antialias=True)
    x = x.permute(0, 2, 3, 1).reshape(posemb.shape[0], -1, posemb.shape[-1]).to(posemb.dtype)
    return torch.cat([prefix, x], 1)


def hr_embeddings(emb, pixels, record):
    """clip_encoder.forward_embeddings: patches + class token + (resampled) positions."""
    patches = emb.patch_embedding(pixels.to(emb.patch_embedding.weight.dtype)).flatten(2).transpose(1, 2)
    x = torch.cat([emb.class_embedding.expand(pixels.shape[0], 1, -1), patches], 1)
    pos = emb.position_embedding.weight[None]  # = position_embedding(position_ids)
    if pos.shape[1] != x.shape[1]:
        pos = resample_pos_embed(pos, x.shape[1])
    record["pos_embed"] = pos[0]
    return x + pos


def hr_tower_forward(clip, convnext, adapters, final, image_size, patch, clip_size, x, record):
    """MultiPathCLIPVisionTower.forward (eval, enable_adapter = not freeze_vision = True, prepooling off), with the
    fast-size constants generalised: max(int(S/32*14), 336) -> max(int(S/32*P), clip image_size)."""
    vm = getattr(clip, "vision_model", clip)  # transformers >= 5 flattens CLIPVisionModel.vision_model
    layers = vm.encoder.layers
    n = len(layers) // 4
    assert len(layers) == 4 * n
    fast_size = max(int(image_size / 32 * patch), clip_size)
    y = F.interpolate(x.float(), size=(fast_size, fast_size), mode="bilinear", align_corners=True).to(x.dtype)
    record["fast_pixels"] = y[0]
    y = hr_embeddings(vm.embeddings, y, record)
    y = vm.pre_layrnorm(y[:, 1:])  # class token dropped before pre_layrnorm
    record["fast_embed"] = y[0]
    s = convnext.stem(x)
    stages = []
    for st in convnext.stages:
        s = st(s)
        stages.append(s[0])
    record["slow_stages"] = stages
    gates, fast_layers, adapter_out = [], [], []
    for q in range(4):
        for blk in layers[q * n:(q + 1) * n]:
            y = blk(y, None)
            y = y[0] if isinstance(y, tuple) else y
            fast_layers.append(y[0])
        if q < 3:
            y = adapters[q](y, s, gates)
            adapter_out.append(y[0])
    record.update(fast_layers=fast_layers, adapter_out=adapter_out, gates=gates)
    return final[0](y, s)


# --- independent plain-torch ConvNeXt (checks timm and the gamma -> weight renaming) -------------------------------

def plain_convnext(w, p, dims, depths, eps, x):
    def ln2d(t, n):
        return F.layer_norm(t.permute(0, 2, 3, 1), (t.shape[1],), w[n + ".weight"], w[n + ".bias"], eps).permute(0, 3, 1, 2)

    x = F.conv2d(x, w[p + "stem.0.weight"], w[p + "stem.0.bias"], stride=4)
    x = ln2d(x, p + "stem.1")
    outs = []
    for s in range(4):
        q = p + f"stages.{s}."
        if s > 0:
            x = F.conv2d(ln2d(x, q + "downsample.0"), w[q + "downsample.1.weight"], w[q + "downsample.1.bias"], stride=2)
        for b in range(depths[s]):
            r = q + f"blocks.{b}."
            h = F.conv2d(x, w[r + "conv_dw.weight"], w[r + "conv_dw.bias"], padding=3, groups=dims[s]).permute(0, 2, 3, 1)
            h = F.layer_norm(h, (dims[s],), w[r + "norm.weight"], w[r + "norm.bias"], eps)
            h = F.linear(F.gelu(F.linear(h, w[r + "mlp.fc1.weight"], w[r + "mlp.fc1.bias"])), w[r + "mlp.fc2.weight"],
                         w[r + "mlp.fc2.bias"])
            x = x + (h * w[r + "weight"]).permute(0, 3, 1, 2)
        outs.append(x[0])
    return outs


# --- model --------------------------------------------------------------------------------------------------------

def build_modules():
    from timm.models.convnext import ConvNeXt
    from transformers import CLIPVisionConfig, CLIPVisionModel

    clip_cfg = CLIPVisionConfig(**CLIP_CONFIG)
    clip_cfg._attn_implementation = "eager"
    clip = CLIPVisionModel(clip_cfg).eval()
    convnext = ConvNeXt(depths=SLOW["depths"], dims=SLOW["dims"], norm_eps=SLOW["norm_eps"],
                        head_hidden_size=SLOW["head_hidden_size"], num_classes=SLOW["num_classes"]).eval()
    d, cs = CLIP_CONFIG["hidden_size"], SLOW["dims"][-1]
    adapters = nn.ModuleList([MrAdapter(d, cs) for _ in range(3)]).eval()
    final = nn.ModuleList([FinalAlign(d, cs)]).eval()
    return clip, convnext, adapters, final


def checkpoint_names(clip, convnext, adapters, final):
    """module -> {checkpoint key: module key}, the names the reference's state_dict() produces."""
    names = {}
    for k in clip.state_dict():
        if k.endswith("position_ids"):
            continue
        rest = k[len("vision_model."):] if k.startswith("vision_model.") else k
        names[PREFIX_FAST + rest] = ("clip", k)
    for k in convnext.state_dict():
        names[PREFIX_SLOW + k.replace("gamma", "weight")] = ("convnext", k)  # convnext.py renames gamma -> weight
    for k in adapters.state_dict():
        names["model.vision_tower.align_stages_latent." + k] = ("adapters", k)
    for k in final.state_dict():
        names["model.vision_tower.align_stages." + k] = ("final", k)
    return names


def hr_init(gen, name, shape):
    """Random init for the vision weights (T.init_tensor's scales where its rules apply)."""
    shape = tuple(shape)
    one_d = len(shape) == 1
    if name.endswith(".bias"):
        return 0.1 * torch.randn(shape, generator=gen)
    if one_d and (".norm." in name or "stem.1." in name or "downsample.0." in name or "layer_norm" in name
                  or "layrnorm" in name or "layernorm" in name):
        return 1.0 + 0.2 * torch.randn(shape, generator=gen)
    if one_d and ".blocks." in name and name.endswith(".weight"):  # ConvNeXt layer scale (timm gamma)
        return 0.5 + 0.1 * torch.randn(shape, generator=gen)
    if len(shape) == 4:  # conv: fan_in = in/groups * kh * kw
        fan_in = shape[1] * shape[2] * shape[3]
        return 1.2 / fan_in ** 0.5 * torch.randn(shape, generator=gen)
    return T.init_tensor(gen, name, shape)


def random_checkpoint(seed, modules, names):
    from transformers import LlamaForCausalLM

    llm_shapes = {k: v.shape for k, v in LlamaForCausalLM(G.llama_config(HR_CONFIG)).state_dict().items()}
    d, dv = HR_CONFIG["hidden_size"], HR_CONFIG["mm_hidden_size"]
    llm_shapes.update({"model.mm_projector.0.weight": (d, dv), "model.mm_projector.0.bias": (d,),
                       "model.mm_projector.2.weight": (d, d), "model.mm_projector.2.bias": (d,)})
    w = T.random_weights(llm_shapes, seed)
    gen = torch.Generator().manual_seed(seed + 104729)
    for key in sorted(names):
        mod, mk = names[key]
        w[key] = hr_init(gen, key, modules[mod].state_dict()[mk].shape).float().contiguous()
    for mod in modules:  # load into the reference modules by name, strictly
        sd = {mk: w[key] for key, (m, mk) in names.items() if m == mod}
        missing, unexpected = modules[mod].load_state_dict(sd, strict=False)
        assert not unexpected and all(k.endswith("position_ids") for k in missing), (mod, missing, unexpected)
    return w


def run_llm(w, ids, image_embeds):
    from transformers import LlamaForCausalLM

    llm = LlamaForCausalLM(G.llama_config(HR_CONFIG)).eval()
    llm.load_state_dict({k: v for k, v in w.items() if k.startswith(("model.layers", "model.embed", "model.norm",
                                                                      "lm_head"))}, strict=True)
    pos = ids.index(T.IMAGE_TOKEN_INDEX)
    emb = llm.model.embed_tokens
    inputs_embeds = torch.cat([emb(torch.tensor(ids[:pos])), image_embeds, emb(torch.tensor(ids[pos + 1:]))], 0)
    store, handles = G.capture_decoder(llm.model.layers, llm.model.norm)
    out = llm(inputs_embeds=inputs_embeds[None], use_cache=True)
    for h in handles:
        h.remove()
    cache = out.past_key_values

    def step(tok):
        nonlocal cache
        o = llm(input_ids=torch.tensor([[tok]]), past_key_values=cache, use_cache=True)
        cache = o.past_key_values
        return o.logits[0, -1]

    tokens, margins, _ = G.greedy(out.logits[0, -1], step)
    full = torch.cat([inputs_embeds, emb(torch.tensor(tokens[:-1]))], 0)
    assert llm(inputs_embeds=full[None]).logits[0, inputs_embeds.shape[0] - 1:].argmax(-1).tolist() == tokens
    return inputs_embeds, store, out.logits[0], tokens, margins


def projector(w, feats):
    p = lambda n: w["model.mm_projector." + n]
    return F.linear(F.gelu(F.linear(feats, p("0.weight"), p("0.bias"))), p("2.weight"), p("2.bias"))


def attempt(seed, ids, px_main, px_small):
    modules = dict(zip(("clip", "convnext", "adapters", "final"), build_modules()))
    names = checkpoint_names(*modules.values())
    w = random_checkpoint(seed, modules, names)
    clip, convnext, adapters, final = modules.values()
    P, C16 = CLIP_CONFIG["patch_size"], CLIP_CONFIG["image_size"]
    log, tensors = {}, {}

    rec = {}
    tokens_v = hr_tower_forward(clip, convnext, adapters, final, HR_CONFIG["input_image_size"], P, C16,
                                px_main[None], rec)[0]
    ref = plain_convnext(w, PREFIX_SLOW, SLOW["dims"], SLOW["depths"], SLOW["norm_eps"], px_main[None])
    for s in range(4):
        G.check_close(f"plain_vs_timm.slow_stage.{s}", ref[s], rec["slow_stages"][s], 1e-5, log)
    # The reference tower runs every CLIP layer; with no adapters it would equal CLIPVisionModel's last hidden state
    # minus the class token... only when the positions are not resampled, so check the layer math on case B instead.
    image_embeds = projector(w, tokens_v)
    inputs_embeds, store, logits, toks, margins = run_llm(w, ids, image_embeds)

    tensors.update({"pixel_values": px_main, "fast_pixels": rec["fast_pixels"], "pos_embed": rec["pos_embed"],
                    "fast_embed": rec["fast_embed"], "vision_tokens": tokens_v, "image_embeds": image_embeds,
                    "inputs_embeds": inputs_embeds, "logits": logits})
    # stage 0 (131 KB) is left out to keep the fixtures under 3 MB; stage 1 depends on the stem and stage 0
    tensors.update({f"slow_stage.{s}": t for s, t in enumerate(rec["slow_stages"]) if s > 0})
    tensors.update({f"fast_layer.{i}": t for i, t in enumerate(rec["fast_layers"])})
    tensors.update({f"adapter.{k}": t for k, t in enumerate(rec["adapter_out"])})
    tensors.update({f"gate_tanh.{k}": t for k, t in enumerate(rec["gates"])})
    tensors.update({f"layer_out.{i}": store[f"layer_out.{i}"][0] for i in range(HR_CONFIG["num_hidden_layers"])})

    # (B) the same tower at S = 64: no position resample (16 px = the CLIP size), slow 2x2 upsampled to 4x4.
    rec_b = {}
    tok_b = hr_tower_forward(clip, convnext, adapters, final, 64, P, C16, px_small[None], rec_b)[0]
    hs = clip(rec_b["fast_pixels"][None], output_hidden_states=True).hidden_states
    G.check_close("caseB.embed_vs_CLIPVisionModel", rec_b["fast_embed"], vm_pre_ln(clip, hs[0])[0], 1e-6, log)
    tensors.update({"b.pixel_values": px_small, "b.fast_pixels": rec_b["fast_pixels"],
                    "b.slow_stage.3": rec_b["slow_stages"][3], "b.adapter.0": rec_b["adapter_out"][0],
                    "b.vision_tokens": tok_b})

    # (C) adapter 0 and the final align with more slow tokens than fast ones (average-pooling branch).
    gen = torch.Generator().manual_seed(seed + 31)
    fast_c = torch.randn((1, 16, CLIP_CONFIG["hidden_size"]), generator=gen)
    slow_c = torch.randn((1, SLOW["dims"][-1], 8, 8), generator=gen)
    tensors.update({"c.fast": fast_c[0], "c.slow": slow_c[0], "c.adapter.0": adapters[0](fast_c, slow_c)[0],
                    "c.final": final[0](fast_c, slow_c)[0]})
    return w, tensors, toks, margins, log


def vm_pre_ln(clip, h0):
    """hidden_states[0] of CLIPVisionModel is pre_layrnorm(embeddings) with the class token; the HR tower drops the
    class token before pre_layrnorm, which is per-token, so the two agree on the patch rows."""
    return h0[:, 1:]


def main():
    ap = argparse.ArgumentParser(description="Write the LLaVA-HR golden fixtures (see the header comment).")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "golden",
                                                  "hr"))
    out = os.path.abspath(ap.parse_args().out)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "images"))

    import sentencepiece as spm
    import timm

    sp_bytes = T.train_sentencepiece(T.tokenizer_corpus())
    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    image_path = os.path.join(out, "images", IMAGE_NAME)
    G.odd_test_image().save(image_path)
    prompt = T.vicuna_v1_prompt(G.QUESTION)
    ids = T.per_chunk_ids(sp, prompt)
    px_main = T.llava_preprocess(image_path, HR_CONFIG["input_image_size"])[3]
    px_small = T.llava_preprocess(image_path, 64)[3]

    for seed in SEEDS:
        w, tensors, toks, margins, log = attempt(seed, ids, px_main, px_small)
        if min(margins) >= G.MIN_MARGIN and len(set(toks)) >= G.MIN_DISTINCT_TOKENS:
            break
        print(f"seed {seed} rejected (min margin {min(margins):.3g}, {len(set(toks))} distinct tokens)")
    else:
        raise SystemExit("no seed passed the margin checks")
    print(f"seed {seed}: min margin {min(margins):.4g}")

    model_dir, clip_dir = os.path.join(out, "llava_hr"), os.path.join(out, "tiny-clip-hr-golden")
    T.write_json(os.path.join(model_dir, "config.json"), HR_CONFIG)
    T.write_safetensors(os.path.join(model_dir, "model.safetensors"), w)
    with open(os.path.join(model_dir, "tokenizer.model"), "wb") as f:
        f.write(sp_bytes)
    T.write_json(os.path.join(clip_dir, "config.json"), CLIP_CONFIG)  # config only: the weights are in llava_hr
    tensors.update({"input_ids": torch.tensor(ids, dtype=torch.int64),
                    "greedy_tokens": torch.tensor(toks, dtype=torch.int64),
                    "greedy_margins": torch.tensor(margins, dtype=torch.float32)})
    tensors = {k: (v.float().contiguous() if v.is_floating_point() else v) for k, v in tensors.items()}
    versions = dict(G.versions(), timm=timm.__version__)
    T.write_safetensors(os.path.join(out, "expected", "llava_hr.safetensors"), tensors,
                        {"format": "pt", "fixture": "llava_hr", "format_version": str(FORMAT_VERSION),
                         "generator": "tests/golden/make_llava_hr_golden.py"})
    T.write_json(os.path.join(out, "expected", "llava_hr.json"), {
        "format_version": FORMAT_VERSION, "generator": "tests/golden/make_llava_hr_golden.py", "fixture": "llava_hr",
        "model_folder": "llava_hr", "image": "images/" + IMAGE_NAME, "question": G.QUESTION, "prompt": prompt,
        "input_image_size": HR_CONFIG["input_image_size"], "fast_image_size": 32, "grid": 8, "n_visual_tokens": 64,
        "case_b": {"input_image_size": 64, "fast_image_size": 16, "grid": 4, "slow_grid": 2},
        "case_c": {"fast_grid": 4, "slow_grid": 8, "what": "adapter 0 and align_stages.0 on synthetic inputs"},
        "greedy_tokens": toks, "greedy_min_margin": min(margins), "seed": seed, "dtype": "float32",
        "versions": versions, "cross_checks": log,
        "tensors": {
            "pixel_values": "F32 [3,S,S] LLaVA pad + PIL bicubic to S + CLIP mean/std (S = input_image_size)",
            "fast_pixels": "F32 [3,F,F] bilinear align_corners=True resize of pixel_values (F = fast size)",
            "pos_embed": "F32 [1+g*g,Dv] position embeddings resampled bicubic+antialias to the fast grid",
            "fast_embed": "F32 [g*g,Dv] patches + positions, class token dropped, after pre_layrnorm",
            "slow_stage.{s}": "F32 [C_s,H_s,W_s] ConvNeXt stage s output (stem + stages 0..s), s = 1..3",
            "fast_layer.{i}": "F32 [g*g,Dv] output of CLIP layer i (0-based), adapters applied in between",
            "adapter.{k}": "F32 [g*g,Dv] output of align_stages_latent.k", "gate_tanh.{k}": "F32 [1] tanh(gate)",
            "vision_tokens": "F32 [g*g,Dv] align_stages.0 output", "image_embeds": "F32 [g*g,D] projector output",
            "inputs_embeds": "F32 [L,D]", "layer_out.{i}": "F32 [L,D]",
            "logits": "F32 [L,V] prefill logits", "greedy_tokens": "I64 [32] EOS ignored",
            "b.*": "case B (S = 64)", "c.*": "case C inputs (c.fast [16,Dv], c.slow [C_s,8,8]) and outputs"},
    })
    for root, _, files in sorted(os.walk(out)):
        for f in sorted(files):
            p = os.path.join(root, f)
            print(f"{T.sha256_file(p)[:16]}  {os.path.getsize(p):8d}  {os.path.relpath(p, out)}")


if __name__ == "__main__":
    with torch.no_grad():
        main()
