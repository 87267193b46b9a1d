#!/usr/bin/env python3
# Writes the golden fixtures for VisionZip, PyramidDrop and SparseVLM under tests/data/golden/baselines/: a tiny random
# LLaVA-1.5 checkpoint (original layout, 16 attention heads so that SparseVLM v2.0's 14-head selection runs as
# written) with its CLIP tower, and, per case, what the OFFICIAL code computes on the CPU (run in a subprocess with
# transformers 4.37.2 and the official repositories at the pinned commits), checked against an independent Python
# reference written from /work/shared/reference/more-baselines.md (transformers 5 LlamaDecoderLayer modules driven
# layer by layer, and a plain-torch layer). See tests/golden/METHODS.md ("VisionZip, PyramidDrop, SparseVLM").
#
# Usage:
#   python3 tests/golden/make_baselines_golden.py --official DIR --legacy-site DIR [--out tests/data/golden/baselines]
# --official: a folder with VisionZip/ (dvlab-research/VisionZip@3151f6df), PyramidDrop/ (Cooperx521/PyramidDrop@
# 6444f304) and SparseVLMs/ (Gumpest/SparseVLMs main@26a5f48) checked out; --legacy-site: a folder holding
# transformers 4.37.2, tokenizers 0.15.2, huggingface_hub 0.20.3 and einops 0.6.1 (pip install --target DIR ...).
# VisionZip runs on haotian-liu's LLaVA package (PyPI llava-torch 1.2.2.post1, installed --no-deps) found on the
# normal path; PyramidDrop and SparseVLM bring their own llava package.
import argparse
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

GENERATOR = "tests/golden/make_baselines_golden.py"
FORMAT_VERSION = 1
GREEDY_STEPS = 16
MIN_MARGIN = 2e-3        # top-1 minus top-2 logit at every greedy step (fp32 errors of a correct engine: ~1e-6)
MIN_CUT_GAP = 2e-6       # k-th minus (k+1)-th score at every top-k cut and argmax (scores ~1e-2, fp32 errors ~1e-9)
NOISE_DRAWS = 32         # SparseVLM recycling: the clustering must not change under this many official noise draws
MIN_DISTINCT_TOKENS = 3
IMAGE_NAME = "odd_37x23.png"
MODEL = "llava_h16"
CLIP = "tiny-clip-golden"

# LLaMA: the methods fixtures' shape with 16 heads of width 4 (SparseVLM v2.0 keeps the top 14 heads).
LLM = {"hidden_size": 64, "intermediate_size": 64, "num_hidden_layers": 6, "num_attention_heads": 16,
       "num_key_value_heads": 16, "vocab_size": 512}

# Cases: name -> method (our --method text, and what each implementation needs).
CASES = {
    "visionzip_d10_c6": {"kind": "visionzip", "spec": "visionzip:dominant=10,contextual=6", "dominant": 10,
                         "contextual": 6},
    "visionzip_tokens32": {"kind": "visionzip", "spec": "visionzip:tokens=32", "dominant": 27, "contextual": 5},
    "pdrop_l2_3_5_lam05": {"kind": "pdrop", "spec": "pdrop:layers=2,3,5,lambda=0.5", "layers": [2, 3, 5],
                           "ratios": [0.5, 0.25, 0.125]},
    "pdrop_l1_2_4_r07": {"kind": "pdrop", "spec": "pdrop:layers=1,2,4,ratios=0.7,0.49,0.343", "layers": [1, 2, 4],
                         "ratios": [0.7, 0.49, 0.343]},
    "sparsevlm_v15": {"kind": "sparsevlm", "spec": "sparsevlm:layers=1,3,4,counts=40,20,10,version=1.5",
                      "layers": [1, 3, 4], "counts": [40, 20, 10], "version": 1, "recycle": False},
    "sparsevlm_v20": {"kind": "sparsevlm", "spec": "sparsevlm:layers=1,3,4,counts=40,20,10,version=2.0,heads=14",
                      "layers": [1, 3, 4], "counts": [40, 20, 10], "version": 2, "recycle": False},
    # Recycling (recycle=on) has no exact fixture: the official cluster_and_merge adds torch.rand * 1e-6 to the
    # densities, and on this model (as on most seeds tried, 7000-7399) that noise changes the clusters. It is tested
    # in C++ by what does not depend on the noise (the kept set, the recycled count), and labelled approximate.
}


def methods_module():
    import make_methods_golden as M  # the tiny LLaVA config, backends and CLIP helpers of the methods fixtures
    return M


# --- the reference, written from more-baselines.md ---------------------------------------------------------------

def visionzip_ref(clip_w, ccfg, px, dominant, contextual):
    """more-baselines.md §2 at the feature layer (hidden_states[-2]): dominant by the class row summed over heads,
    contextual by key cosine similarity to targets at a uniform stride, target + mean of the assigned."""
    from transformers import CLIPVisionModel, CLIPVisionConfig

    vis = CLIPVisionModel(CLIPVisionConfig(**ccfg, attn_implementation="eager")).eval()
    vis.load_state_dict({k[len("vision_model."):] if k.startswith("vision_model.") else k: v for k, v in clip_w.items()},
                        strict=False)
    out = vis(px[None], output_hidden_states=True, output_attentions=True)
    n_layers = ccfg["num_hidden_layers"]
    lf = n_layers - 2                                  # 0-based index of the layer whose output is hidden_states[-2]
    h_in, h = out.hidden_states[lf][0], out.hidden_states[lf + 1][0]
    attn = out.attentions[lf][0]                       # [heads, T, T]
    p = f"vision_model.encoder.layers.{lf}."
    ln = F.layer_norm(h_in, (ccfg["hidden_size"],), clip_w[p + "layer_norm1.weight"], clip_w[p + "layer_norm1.bias"], 1e-5)
    heads = ccfg["num_attention_heads"]
    keys = F.linear(ln, clip_w[p + "self_attn.k_proj.weight"], clip_w[p + "self_attn.k_proj.bias"])
    keys = keys.view(keys.shape[0], heads, -1).mean(1)  # [T, hd] raw keys, mean over heads
    T = h.shape[0]
    cls = attn[:, 0, 1:].sum(0)
    srt = cls.sort(descending=True).values
    gaps = [float(srt[dominant - 2] - srt[dominant - 1])] if dominant > 1 else []
    dom = torch.cat([torch.zeros(1, dtype=torch.long), cls.topk(dominant - 1).indices + 1]).sort().values
    rest = torch.tensor([i for i in range(T) if i not in set(dom.tolist())])
    step = max(1, len(rest) // contextual)
    targets = torch.arange(0, len(rest), step)[:contextual]
    others = torch.tensor([i for i in range(len(rest)) if i not in set(targets.tolist())])
    kn = keys[rest] / keys[rest].norm(dim=-1, keepdim=True)
    sim = kn[others] @ kn[targets].T
    top2 = sim.topk(2, dim=1).values
    gaps.append(float((top2[:, 0] - top2[:, 1]).min()))
    assign = sim.argmax(1)
    ctx = []
    for t in range(contextual):
        members = others[assign == t]
        ctx.append(h[rest[targets[t]]] + (h[rest[members]].mean(0) if len(members) else torch.zeros_like(h[0])))
    feats = torch.cat([h[dom], torch.stack(ctx)], 0)
    return {"features": feats, "dominant": dom, "rest": rest, "targets": targets, "others": others, "assign": assign,
            "feature_layer": h, "attn": attn, "keys": keys, "min_gap": min(gaps)}


def rope_ones_weight(pos_rows, pos_cols, head_dim, theta):
    """SparseVLM v2.0 rope_weights: RoPE applied to all-ones q and k, q.k / sqrt(head_dim) (MSL:244-250)."""
    inv = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim)

    def rot(p):
        ang = p.float()[:, None] * inv[None]
        ang = torch.cat([ang, ang], -1)
        ones = torch.ones(head_dim)
        half = torch.cat([-ones[head_dim // 2:], ones[: head_dim // 2]])
        return ones * ang.cos() + half * ang.sin()
    return rot(pos_rows) @ rot(pos_cols).T / head_dim ** 0.5


def dpc_knn(x, k, noise=None):
    """SparseVLM utils.py cluster_and_merge from the description in more-baselines.md §3 (batch 1): returns (merged
    [k, C], assignment [n], density gap)."""
    n, C = x.shape
    dist = (x[:, None] - x[None]).norm(dim=-1) / C ** 0.5
    nearest = dist.topk(k, dim=-1, largest=False).values
    density = (-(nearest ** 2).mean(-1)).exp()
    if noise is not None:
        density = density + noise
    mask = (density[None, :] > density[:, None]).float()
    parent = (dist * mask + dist.max() * (1 - mask)).min(-1).values
    centres = (parent * density).topk(k).indices
    assign = dist[centres].argmin(0)
    assign[centres] = torch.arange(k)
    counts = torch.zeros(k).index_add_(0, assign, torch.ones(n)) + 1e-6
    merged = torch.zeros(k, C).index_add_(0, assign, x / counts[assign][:, None])
    srt = density.sort().values
    return merged, assign, float((srt[1:] - srt[:-1]).min()) if n > 1 else 1.0


def run_ref(backend, cfg, case, ids, inputs_embeds, image_pos, n_vis):
    """Prefill layer by layer + greedy decode under one method (reference). Returns tensors and facts."""
    M = methods_module()
    w = backend.w if hasattr(backend, "w") else None
    kind = case["kind"]
    n_layers, heads = cfg["num_hidden_layers"], cfg["num_attention_heads"]
    hd = cfg["hidden_size"] // heads
    x, L0 = inputs_embeds, inputs_embeds.shape[0]
    pos = torch.arange(L0)
    start, n = image_pos, n_vis
    cache = backend.new_cache()
    res = {"layer_in": [], "layer_out": [], "seq_len": [], "visual_in": [], "positions": [], "kept": {}, "gaps": [], "scores": {},
           "stage_shift": []}
    orig = torch.arange(L0)  # original index of each row (for the kept sets)
    if kind == "sparsevlm":
        v, t = x[start: start + n], x[start + n:]
        m = (v @ t.T).softmax(1).mean(0)
        raters = torch.where(m > m.mean())[0]
        res["raters"] = raters
        res["rater_scores"] = m
        res["gaps"].append(float((m - m.mean()).abs().min()))
    for i in range(n_layers):
        if kind == "pdrop" and i in case["layers"]:
            s = case["layers"].index(i)
            full = [1.0] + case["ratios"]
            cur, keep = int(n_vis * full[s]), int(n_vis * full[s + 1])
            assert cur == n
            ww = M_weights(backend)
            p = f"model.layers.{i}."
            a = rms(x, ww[p + "input_layernorm.weight"], cfg["rms_norm_eps"])
            q = (a[-1:] @ ww[p + "self_attn.q_proj.weight"].T).view(1, heads, hd).transpose(0, 1)
            k = (a @ ww[p + "self_attn.k_proj.weight"].T).view(-1, heads, hd).transpose(0, 1)
            q, k = rope(q, pos[-1:], hd, cfg["rope_theta"]), rope(k, pos, hd, cfg["rope_theta"])
            probs = torch.softmax(q @ k.transpose(1, 2) / hd ** 0.5, -1, dtype=torch.float32)  # last row sees all
            scores = probs.mean(0)[0, start: start + n]
            srt = scores.sort(descending=True).values
            res["gaps"].append(float(srt[keep - 1] - srt[keep]))
            idx = scores.topk(keep).indices.sort().values
            res["scores"][i] = scores
            rows = torch.cat([torch.arange(start), idx + start, torch.arange(start + n, x.shape[0])])
            x, orig = x[rows], orig[rows]
            n = keep
            pos = torch.arange(x.shape[0])
            res["kept"][i] = (orig[start: start + n] - image_pos)
            res["stage_shift"].append(cur - keep)
        res["layer_in"].append(x)  # after a drop before this layer (PDrop), as the official hooks see it
        res["seq_len"].append(x.shape[0])
        res["visual_in"].append(n)
        res["positions"].append(pos.clone())
        prune = kind == "sparsevlm" and i in case["layers"]
        out, probs = backend.layer(i, x, pos, cache, M.causal_mask(x.shape[0]), prune)
        if prune:
            s = case["layers"].index(i)
            rows = res["raters"] + start + n
            P = probs[:, rows, start: start + n]                      # [H, R, n]
            if case["version"] == 2:
                P = P / rope_ones_weight(pos[rows], pos[start: start + n], hd, cfg["rope_theta"])
                hs = P.sum((1, 2))
                hsrt = hs.sort(descending=True).values
                res["gaps"].append(float(hsrt[13] - hsrt[14]))
                P = P[hs.topk(14).indices]
            scores = P.mean(0).mean(0)
            keep = min(case["counts"][s], n - 1)
            srt = scores.sort(descending=True).values
            res["gaps"].append(float(srt[keep - 1] - srt[keep]))
            idx = scores.topk(keep).indices.sort().values
            res["scores"][i] = scores
            res.setdefault("kept_local", {})[i] = idx
            vis = out[start: start + n]
            new_vis, new_orig = vis[idx], orig[start: start + n][idx]
            if case["recycle"]:
                pruned = torch.tensor([j for j in range(n) if j not in set(idx.tolist())])
                m_n = int(len(pruned) * 0.3) + 1
                chosen = pruned[scores[pruned].topk(m_n).indices]
                srt2 = scores[pruned].sort(descending=True).values
                if m_n < len(pruned):
                    res["gaps"].append(float(srt2[m_n - 1] - srt2[m_n]))
                k_c = int(m_n / 10) + 1
                merged, assign, dgap = dpc_knn(vis[chosen], k_c)
                gen = torch.Generator().manual_seed(i)
                stable = all(torch.equal(dpc_knn(vis[chosen], k_c, torch.rand(m_n, generator=gen) * 1e-6)[1], assign)
                             for _ in range(NOISE_DRAWS))
                res.setdefault("recycle", {})[i] = {"chosen": orig[start: start + n][chosen] - image_pos,
                                                     "assign": assign, "merged": merged, "density_gap": dgap,
                                                     "stable_under_noise": stable, "clusters": k_c}
                new_vis = torch.cat([new_vis, merged], 0)
                new_orig = torch.cat([new_orig, torch.full((k_c,), -1)])
            out = torch.cat([out[:start], new_vis, out[start + n:]], 0)
            if case["version"] == 2:  # original position ids kept
                pos = torch.cat([pos[:start], pos[start: start + n][idx], pos[start + n:]])
            else:
                pos = torch.arange(out.shape[0])
            orig = torch.cat([orig[:start], new_orig, orig[start + n:]])
            n = new_vis.shape[0]
            res["kept"][i] = new_orig[: len(idx)] - image_pos
        res["layer_out"].append(out)
        x = out
    logits = backend.head(x[-1:])[0]
    res["logits_last"] = logits
    tokens, margins, decode_pos = [], [], None
    for step in range(GREEDY_STEPS):
        top = torch.topk(logits, 2)
        tokens.append(int(top.indices[0]))
        margins.append(float(top.values[0] - top.values[1]))
        if step + 1 == GREEDY_STEPS:
            break
        h = backend.embed([tokens[-1]])
        step_pos = []
        for i in range(n_layers):
            if kind == "sparsevlm" and case["version"] == 2:
                p = L0 + step          # original positions continue
            else:
                p = cache.length(i)    # the layer's own cache length
            step_pos.append(p)
            h, _ = backend.layer(i, h, torch.tensor([p]), cache, torch.zeros(1, cache.length(i) + 1), False)
        if decode_pos is None:
            decode_pos = step_pos
        logits = backend.head(h)[0]
    if kind == "pdrop":  # the official per-stage shift gives the same positions
        shifted = [L0 - sum(res["stage_shift"][: sum(1 for l in case["layers"] if l <= i)]) for i in range(n_layers)]
        assert shifted == decode_pos, (shifted, decode_pos)
    res.update({"tokens": tokens, "margins": margins, "decode_positions_step1": decode_pos})
    return res


def M_weights(backend):
    return backend.w if hasattr(backend, "w") else {k: v for k, v in backend.llm.state_dict().items()}


def rms(t, wt, eps):
    return wt * (t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps))


def rope(t, pos, hd, theta):
    inv = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd)
    ang = pos.float()[:, None] * inv[None]
    ang = torch.cat([ang, ang], -1)
    rot = torch.cat([-t[..., hd // 2:], t[..., : hd // 2]], -1)
    return t * ang.cos() + rot * ang.sin()


# --- the official code (runs in a subprocess with transformers 4.37.2) ---------------------------------------------

class _CpuEvent:  # torch.cuda.Event stand-in: SparseVLM times its prefill with CUDA events
    def __init__(self, *a, **k):
        pass

    def record(self, *a, **k):
        pass

    def elapsed_time(self, other):
        return 0.0


def official_main(job_path):
    """Runs one case with the official code; writes a pickle of tensors next to the job file."""
    with open(job_path, "rb") as f:
        job = pickle.load(f)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    kind, case = job["kind"], job["case"]
    import transformers
    assert transformers.__version__ == "4.37.2", transformers.__version__
    if kind == "sparsevlm":  # CUDA-only calls of the official code, made no-ops on the CPU (timing, .cuda())
        os.environ["USE_VERSION"] = "2_0" if case["version"] == 2 else "1_0"
        torch.cuda.synchronize = lambda *a, **k: None
        torch.cuda.Event = _CpuEvent
        torch.Tensor.cuda = lambda self, *a, **k: self
    sys.path.insert(0, job["repo"])
    rec = {"layer_in": {}, "lm_head": [], "rope_positions": [], "kept": {}}

    def load(cls, attn):  # the official model class in fp32 with its CLIP tower loaded
        cfg = cls.config_class.from_pretrained(job["model_dir"])
        cfg.mm_vision_tower = job["clip_dir"]  # the tower folder (config.json names it openai/..., resolved by us)
        model = cls.from_pretrained(job["model_dir"], config=cfg, torch_dtype=torch.float32,
                                    attn_implementation=attn).eval()
        vt = model.get_model().get_vision_tower()
        if not vt.is_loaded:
            vt.load_model()
        return model, vt
    if kind == "visionzip":
        from llava.model.language_model.llava_llama import LlavaLlamaForCausalLM
        from visionzip import visionzip

        model, vt = load(LlavaLlamaForCausalLM, "eager")
        model = visionzip(model, dominant=case["dominant"], contextual=case["contextual"])
        n_clip = len(vt.vision_tower.vision_model.encoder.layers)
        vt.vision_tower.r = [0] * (n_clip - 2) + [1] + [0]  # the official 24-entry list, for this tower's depth
        tower_fwd = type(vt).forward

        def tower(self, images):
            feats, idx = tower_fwd(self, images)
            rec["visionzip_features"], rec["visionzip_dominant"] = feats[0].clone(), idx[0].clone()
            return feats, idx
        type(vt).forward = tower
        proj = model.get_model().mm_projector
        proj.register_forward_hook(lambda m, a, o: rec.__setitem__("image_embeds", o[0].clone()))
    elif kind == "pdrop":
        from llava.model.language_model.llava_llama_pdrop import LlavaLlamaForCausalLM_PDrop
        import llava.model.modeling_llama_pdrop as MLP

        model, vt = load(LlavaLlamaForCausalLM_PDrop, "sdpa")
        model.model.layer_list = list(case["layers"])
        model.model.image_token_ratio_list = [1.0] + list(case["ratios"])  # model_vqa_loader.py prepends 1.0
        rank_drop = type(model.model).pdrop_rank_drop

        def wrapped(self, cur_num, rank_layer, features, position_ids, attention_mask, labels):
            out = rank_drop(self, cur_num, rank_layer, features, position_ids, attention_mask, labels)
            rec.setdefault("positions_after", {})[rank_layer] = out[0][0].clone()
            return out
        type(model.model).pdrop_rank_drop = wrapped
        apply = MLP.apply_rotary_pos_emb

        def rope_rec(q, k, cos, sin, position_ids, *a, **kw):
            rec["rope_positions"].append(position_ids.clone() if torch.is_tensor(position_ids)
                                         else torch.stack([p for p in position_ids]).clone())
            return apply(q, k, cos, sin, position_ids, *a, **kw)
        MLP.apply_rotary_pos_emb = rope_rec
    else:
        import llava.model.language_model.modelling_sparse_llama as MSL
        from llava.model.language_model.sparse_llava_llama import LlavaLlamaDynamicForCausalLM

        import llava.model.language_model.score as SCORE

        SCORE.layer_dict = {l: s for s, l in enumerate(case["layers"])}   # score.py's {2:0, 6:1, 15:2} for this depth
        SCORE.sparse_token_dict[SCORE.RETAIN_TOKN] = list(case["counts"])   # the per-layer counts of this case
        model, vt = load(LlavaLlamaDynamicForCausalLM, "sdpa")
        model.model.pruning_loc = list(case["layers"])
        post = MSL.attn_postprocess_topk

        def topk_rec(w_, v_start, v_num, t_start, t_idx, layer_idx):
            mask, flag, rel = post(w_, v_start, v_num, t_start, t_idx, layer_idx)
            rec.setdefault("raters", t_idx[1].clone())
            rec["kept"][layer_idx] = mask[0].nonzero()[:, 0].clone()
            rec.setdefault("scores", {})[layer_idx] = rel[0].clone()
            # Prune-only: the official code's own no-merge branch (the one v2.0 takes), i.e. recycling switched off.
            return mask, flag and case["recycle"], rel
        MSL.attn_postprocess_topk = topk_rec
        if case["version"] == 2:
            sel = MSL.select_attn_head_by_sum

            def heads_rec(w_, t_idx, v_start, t_start):
                each = w_[0][:, t_idx, v_start:t_start].sum((1, 2))
                rec.setdefault("heads", []).append(each.topk(14)[1].clone())
                return sel(w_, t_idx, v_start, t_start)
            MSL.select_attn_head_by_sum = heads_rec
        cam = MSL.cluster_and_merge

        def cam_rec(x, cluster_num):
            merged = cam(x, cluster_num)
            rec.setdefault("recycled", []).append({"input": x[0].clone(), "merged": merged[0].clone()})
            return merged
        MSL.cluster_and_merge = cam_rec
        apply = MSL.apply_rotary_pos_emb

        def rope_rec(q, k, cos, sin, position_ids, *a, **kw):
            rec["rope_positions"].append(position_ids.clone())
            return apply(q, k, cos, sin, position_ids, *a, **kw)
        MSL.apply_rotary_pos_emb = rope_rec

    layers = model.get_model().layers
    state = {"prefill": True}

    def pre_hook(i):
        def f(mod, args, kwargs):
            h = kwargs.get("hidden_states", args[0] if args else None)
            if state["prefill"] and h.shape[1] > 1:
                rec["layer_in"][i] = h[0].clone()
        return f
    for i, layer in enumerate(layers):
        layer.register_forward_pre_hook(pre_hook(i), with_kwargs=True)
    model.get_model().norm.register_forward_pre_hook(
        lambda m, a: rec.__setitem__("final_in", a[0][0].clone()) if state["prefill"] and a[0].shape[1] > 1 else None)

    def head_hook(m, a, o):
        rec["lm_head"].append(o[0, -1].clone())
    model.lm_head.register_forward_hook(head_hook)

    ids = torch.tensor([job["ids"]])
    px = job["pixel_values"][None]
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    with torch.inference_mode():
        out = model.generate(ids, images=px, image_sizes=[[37, 23]], do_sample=False, num_beams=1,
                             max_new_tokens=GREEDY_STEPS, use_cache=True)
    rec["tokens"] = out[0].tolist()[-GREEDY_STEPS:]
    with open(job["out"], "wb") as f:
        pickle.dump(rec, f)


def run_official(args, kind, case, model_dir, clip_dir, ids, px, tmp):
    repo = {"visionzip": "VisionZip", "pdrop": "PyramidDrop", "sparsevlm": "SparseVLMs"}[kind]
    job = {"kind": kind, "case": case, "model_dir": model_dir, "clip_dir": clip_dir, "ids": ids, "pixel_values": px,
           "repo": os.path.join(args.official, repo), "out": os.path.join(tmp, "out.pkl")}
    path = os.path.join(tmp, "job.pkl")
    with open(path, "wb") as f:
        pickle.dump(job, f)
    env = dict(os.environ, PYTHONPATH=args.legacy_site, PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--run-official", path], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"official {kind} failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}")
    with open(job["out"], "rb") as f:
        return pickle.load(f)


# --- main --------------------------------------------------------------------------------------------------------

def model_config():
    M = methods_module()
    cfg = dict(M.LLM_FIELDS)
    cfg.update(LLM)
    return cfg


def model_weights(seed):
    from transformers import LlamaForCausalLM
    M = methods_module()
    T = M.T
    cfg = model_config()
    d, dv = cfg["hidden_size"], cfg["mm_hidden_size"]
    shapes = {k: v.shape for k, v in LlamaForCausalLM(M.llama_config(cfg)).state_dict().items()}
    shapes.update({"model.mm_projector.0.weight": (d, dv), "model.mm_projector.0.bias": (d,),
                   "model.mm_projector.2.weight": (d, d), "model.mm_projector.2.bias": (d,)})
    return T.random_weights(shapes, seed)


def check_case(name, r):
    if min(r["margins"]) < MIN_MARGIN:
        return f"{name}: greedy margin {min(r['margins']):.3g}"
    if len(set(r["tokens"])) < MIN_DISTINCT_TOKENS:
        return f"{name}: {len(set(r['tokens']))} distinct tokens"
    if r["gaps"] and min(r["gaps"]) < MIN_CUT_GAP:
        return f"{name}: cut gap {min(r['gaps']):.3g}"
    for rc in r.get("recycle", {}).values():
        if not rc["stable_under_noise"]:
            return f"{name}: the recycled clusters change with the official density noise"
    return None


def main():
    ap = argparse.ArgumentParser(description="Write the VisionZip / PyramidDrop / SparseVLM golden fixtures.")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "data", "golden", "baselines"))
    ap.add_argument("--official", required=True, help="folder with VisionZip/, PyramidDrop/, SparseVLMs/")
    ap.add_argument("--legacy-site", required=True, help="folder with transformers 4.37.2 and its pins")
    ap.add_argument("--run-official", help=argparse.SUPPRESS)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    M = methods_module()
    T = M.T
    import sentencepiece as spm

    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "expected"))
    os.makedirs(os.path.join(out, "images"))
    image_path = os.path.join(out, "images", IMAGE_NAME)
    shutil.copyfile(os.path.join(HERE, "..", "data", "golden", "images", IMAGE_NAME), image_path)
    ccfg = dict(M.CLIP_CONFIG)
    _, _, _, px = T.llava_preprocess(image_path, ccfg["image_size"])
    clip_w = M.clip_weights(ccfg, M.CLIP_SEEDS["tiny-clip-golden"])
    clip_dir = os.path.join(out, CLIP)
    os.makedirs(clip_dir)
    T.write_json(os.path.join(clip_dir, "config.json"), ccfg)
    T.write_json(os.path.join(clip_dir, "preprocessor_config.json"), {
        "crop_size": {"height": 48, "width": 48}, "do_center_crop": True, "do_convert_rgb": True,
        "do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": list(T.CLIP_MEAN),
        "image_processor_type": "CLIPImageProcessor", "image_std": list(T.CLIP_STD), "resample": 3,
        "rescale_factor": 1 / 255, "size": {"shortest_edge": 48}})
    T.write_safetensors(os.path.join(clip_dir, "model.safetensors"), clip_w)
    vis_log = {}
    clip_hs = M.clip_hidden_states(clip_dir, px, clip_w, ccfg, vis_log, CLIP)

    sp_bytes = T.train_sentencepiece(T.tokenizer_corpus())
    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    prompt = T.vicuna_v1_prompt(M.QUESTION)
    ids = T.per_chunk_ids(sp, prompt)
    image_pos = ids.index(T.IMAGE_TOKEN_INDEX)
    cfg = model_config()
    vz = {name: visionzip_ref(clip_w, ccfg, px, c["dominant"], c["contextual"])
          for name, c in CASES.items() if c["kind"] == "visionzip"}
    feats = clip_hs[cfg["mm_vision_select_layer"]][1:]
    for name, v in vz.items():  # the CLIP run of the reference equals the methods fixtures' CLIP
        assert (v["feature_layer"] - clip_hs[-2]).abs().max() < 1e-5

    def run_cases(w, backend, cases):
        emb = backend.embed([t for t in ids if t != T.IMAGE_TOKEN_INDEX])
        for name in cases:
            case = CASES[name]
            visual = M.mlp2x_gelu(w, vz[name]["features"] if case["kind"] == "visionzip" else feats)
            ie = torch.cat([emb[:image_pos], visual, emb[image_pos:]], 0)
            r = run_ref(backend, cfg, case, ids, ie, image_pos, visual.shape[0])
            r.update({"inputs_embeds": ie, "image_embeds": visual})
            yield name, r

    order = sorted(CASES, key=lambda c: CASES[c]["kind"] != "sparsevlm")  # the most demanding cases first
    for seed in range(7000, 7400):
        w = model_weights(seed)
        results, why = {}, None
        for name, r in run_cases(w, M.RefBackend(cfg, w), order):
            results[name] = r
            why = check_case(name, r)
            if not why and name in vz and vz[name]["min_gap"] < MIN_CUT_GAP:
                why = f"{name}: VisionZip cut or similarity gap {vz[name]['min_gap']:.3g}"
            if why:
                break
        if not why:
            break
        print(f"seed {seed} rejected ({why})")
    else:
        raise SystemExit("no seed passed")
    print(f"seed {seed}")
    for name, r in run_cases(w, M.HFBackend(cfg, w), CASES):  # transformers' own layers must agree
        ref = results[name]
        err = max(max((a - b).abs().max().item() for a, b in zip(r["layer_out"], ref["layer_out"])),
                  (r["logits_last"] - ref["logits_last"]).abs().max().item())
        if r["tokens"] != ref["tokens"] or err > 1e-4:
            raise SystemExit(f"{name}: the two reference backends disagree ({err})")
        ref["ref_backends_max_diff"] = err
    model_dir = os.path.join(out, MODEL)
    os.makedirs(model_dir)
    mcfg = dict(cfg)
    mcfg["mm_vision_tower"] = "openai/" + CLIP
    T.write_json(os.path.join(model_dir, "config.json"), mcfg)
    T.write_safetensors(os.path.join(model_dir, "model.safetensors"), w)
    with open(os.path.join(model_dir, "tokenizer.model"), "wb") as f:
        f.write(sp_bytes)

    ver = M.versions()
    T.write_safetensors(os.path.join(out, "expected", "pixel_values.safetensors"), {"pixel_values": px},
                        {"format": "pt", "fixture": "pixel_values", "generator": GENERATOR})
    tmp = os.path.join(out, ".official")
    summary = {}
    for name, case in CASES.items():
        os.makedirs(tmp, exist_ok=True)
        off = run_official(args, case["kind"], case, model_dir, clip_dir, ids, px, tmp)
        shutil.rmtree(tmp)
        r = results[name]
        checks = compare(name, case, r, off, vz.get(name), image_pos)
        tensors, meta = fixture(name, case, r, off, vz.get(name), image_pos, cfg)
        meta.update({"format_version": FORMAT_VERSION, "generator": GENERATOR, "case": name, "model_folder": MODEL,
                     "model_seed": seed, "prompt": prompt, "question": M.QUESTION, "input_ids": ids,
                     "image_token_position": image_pos, "image": f"images/{IMAGE_NAME}", "versions": ver,
                     "official_versions": {"transformers": "4.37.2", "repos": OFFICIAL_COMMITS},
                     "cross_checks": {**checks, **vis_log, "ref_backends_max_diff": r["ref_backends_max_diff"]},
                     "dtype": "float32", "greedy_steps": GREEDY_STEPS, "eos_ignored": True})
        T.write_safetensors(os.path.join(out, "expected", f"{name}.safetensors"), tensors,
                            {"format": "pt", "fixture": name, "generator": GENERATOR, "torch": ver["torch"]})
        T.write_json(os.path.join(out, "expected", f"{name}.json"), meta)
        summary[name] = {"seq_len": r["seq_len"], "min_margin": round(min(r["margins"]), 4),
                         "min_gap": min(r["gaps"] + ([vz[name]["min_gap"]] if name in vz else [])),
                         "tokens": r["tokens"][:6], **{k: v for k, v in checks.items() if "diff" in k}}
    for name, s in summary.items():
        print(name, json.dumps(s))
    total = 0
    for root, _, files in sorted(os.walk(out)):
        for f in sorted(files):
            p = os.path.join(root, f)
            total += os.path.getsize(p)
            print(f"{T.sha256_file(p)[:16]}  {os.path.getsize(p):8d}  {os.path.relpath(p, out)}")
    print(f"total {total} bytes")


OFFICIAL_COMMITS = {"VisionZip": "dvlab-research/VisionZip@3151f6df", "PyramidDrop": "Cooperx521/PyramidDrop@6444f304",
                    "SparseVLMs": "Gumpest/SparseVLMs@26a5f48 (main)", "llava-torch": "1.2.2.post1 (PyPI, --no-deps)"}


def compare(name, case, r, off, vzr, image_pos):
    """The official run against the reference: everything must agree."""
    n_layers = len(r["layer_out"])
    checks = {}
    worst = 0.0
    for i in range(n_layers):
        got = off["layer_in"][i + 1] if i + 1 < n_layers else off["final_in"]
        want = r["layer_in"][i + 1] if i + 1 < n_layers else r["layer_out"][i]
        assert got.shape == want.shape, f"{name} layer {i}: official {tuple(got.shape)} vs reference {tuple(want.shape)}"
        worst = max(worst, (got - want).abs().max().item())
    checks["official_vs_reference.layer_out_max_abs_diff"] = worst
    dl = (off["lm_head"][0] - r["logits_last"]).abs().max().item()
    checks["official_vs_reference.logits_last_max_abs_diff"] = dl
    assert worst < 1e-4 and dl < 1e-4, (name, worst, dl)
    assert off["tokens"] == r["tokens"], (name, off["tokens"], r["tokens"])
    checks["official_vs_reference.greedy_tokens"] = "identical"
    if case["kind"] == "visionzip":
        assert torch.equal(off["visionzip_dominant"].sort().values, vzr["dominant"]), name
        checks["official_vs_reference.visionzip_features_max_abs_diff"] = (off["visionzip_features"] - vzr["features"]).abs().max().item()
        assert checks["official_vs_reference.visionzip_features_max_abs_diff"] < 1e-5
    if case["kind"] == "pdrop":  # equal layer inputs above mean equal kept sets; positions dense after each drop
        for l in case["layers"]:
            assert torch.equal(off["positions_after"][l], torch.arange(r["seq_len"][l])), (name, l)
        # decode: positions of the first decoded token per layer (the official per-stage shift)
        dec = [int(p.flatten()[0]) for p in off["rope_positions"] if p.numel() == 1][:n_layers]
        assert dec == r["decode_positions_step1"], (name, dec, r["decode_positions_step1"])
        checks["official_vs_reference.decode_positions"] = dec
    if case["kind"] == "sparsevlm":
        assert torch.equal(off["raters"], r["raters"]), name
        for l in case["layers"]:
            assert torch.equal(off["kept"][l], r["kept_local"][l]), (name, l)
        dec = [int(p.flatten()[0]) for p in off["rope_positions"] if p.numel() == 1][:n_layers]
        assert dec == r["decode_positions_step1"], (name, dec, r["decode_positions_step1"])
        checks["official_vs_reference.decode_positions"] = dec
        if case["recycle"]:
            for (l, rc), o in zip(sorted(r["recycle"].items()), off.get("recycled", [])):
                d = (o["merged"] - rc["merged"]).abs().max().item()
                checks[f"official_vs_reference.recycled_layer{l}_max_abs_diff"] = d
                assert d < 1e-5, (name, l, d)
    return checks


def fixture(name, case, r, off, vzr, image_pos, cfg):
    n_layers = len(r["layer_out"])
    t = {"seq_len": torch.tensor(r["seq_len"], dtype=torch.int64),
         "visual_in": torch.tensor(r["visual_in"], dtype=torch.int64),
         "image_embeds": r["image_embeds"].detach().clone(),
         "logits_last": off["lm_head"][0].detach().clone(),
         "greedy_tokens": torch.tensor(off["tokens"], dtype=torch.int64),
         "greedy_margins": torch.tensor(r["margins"], dtype=torch.float32),
         "decode_positions_step1": torch.tensor(r["decode_positions_step1"], dtype=torch.int64)}
    for i in range(n_layers):
        # What layer i hands on (before a drop at the next layer: PDrop drops as the next layer begins); equal to the
        # official run's where both exist (compare()).
        t[f"layer_out.{i}"] = r["layer_out"][i].detach().clone()
        t[f"positions.{i}"] = r["positions"][i].to(torch.int64)
    meta = {"method": case["spec"], "seq_len": r["seq_len"], "visual_in": r["visual_in"],
            "decode_positions_step1": r["decode_positions_step1"], "greedy_tokens": off["tokens"],
            "greedy_min_margin": min(r["margins"]), "min_cut_gap": min(r["gaps"]) if r["gaps"] else None}
    # Which base-grid cells each visual token covers after the method acted, per layer where it changed.
    if case["kind"] == "visionzip":
        grid = int(round((vzr["feature_layer"].shape[0] - 1) ** 0.5))
        cells = [[]] + [[int(i) - 1] for i in vzr["dominant"][1:]]
        members = [[int(vzr["rest"][vzr["targets"][c]]) - 1] + [int(vzr["rest"][o]) - 1 for o in
                                                                  vzr["others"][vzr["assign"] == c]]
                   for c in range(case["contextual"])]
        meta["visionzip"] = {"dominant_token_indices": vzr["dominant"].tolist(), "rest": vzr["rest"].tolist(),
                             "targets": vzr["targets"].tolist(), "assignment": vzr["assign"].tolist(),
                             "cells": cells + [sorted(m) for m in members], "grid": [grid, grid],
                             "min_gap": vzr["min_gap"]}
        t["visionzip_features"] = off["visionzip_features"].detach().clone()
        t["visionzip_dominant"] = vzr["dominant"].to(torch.int64)
        t["visionzip_targets"] = vzr["targets"].to(torch.int64)
        t["visionzip_assignment"] = vzr["assign"].to(torch.int64)
    if case["kind"] in ("pdrop", "sparsevlm"):
        meta["kept_cells"] = {str(l): [int(k) for k in v] for l, v in r["kept"].items()}
        for l, v in r["kept"].items():
            t[f"kept.{l}"] = v.to(torch.int64)
            t[f"scores.{l}"] = r["scores"][l].detach().clone()
    if case["kind"] == "sparsevlm":
        t["raters"] = r["raters"].to(torch.int64)
        meta["raters"] = r["raters"].tolist()
        if case["recycle"]:
            meta["recycle"] = {str(l): {"chosen": rc["chosen"].tolist(), "assignment": rc["assign"].tolist(),
                                        "density_gap": rc["density_gap"]} for l, rc in r["recycle"].items()}
            meta["recycle_note"] = ("The official cluster_and_merge adds torch.rand * 1e-6 to the densities, and with "
                                    "k nearest neighbours mutual neighbours tie exactly; the clustering here was "
                                    f"checked to be the same under {NOISE_DRAWS} noise draws and without noise.")
    return {k: v.contiguous() for k, v in t.items()}, meta


if __name__ == "__main__":
    if "--run-official" in sys.argv:
        official_main(sys.argv[sys.argv.index("--run-official") + 1])
    else:
        with torch.no_grad():
            main()
