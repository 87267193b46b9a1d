# Helpers for make_llava_golden.py: tiny tokenizer corpus, LLaVA eval preprocessing, prompt ids, random weights,
# an independent pure-torch reference forward (to cross-check transformers), and safetensors/JSON writing.
#
# Everything here is deterministic: no wall clock, no unseeded randomness, sorted iteration orders.
import hashlib
import io
import json
import os

import numpy as np
import torch
from PIL import Image

# --- constants from the LLaVA code (llava-detail.md §5.1, §6.2, §6.3) ----------------------------------------

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
IMAGE_TOKEN_INDEX = -200  # LLaVA's sentinel for the image position in input_ids (original layout)
IMAGE_PLACEHOLDER = "<image>"
VICUNA_V1_SYSTEM = (
    "A chat between a curious user and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the user's questions."
)
LLAVA_V1_SYSTEM = (
    "A chat between a curious human and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the human's questions."
)
SHORT_ANSWER_SUFFIX = "Answer the question using a single word or phrase."


def vicuna_v1_prompt(question):
    """conv_vicuna_v1 single-turn rendering with an image (llava-detail.md §6.2)."""
    return f"{VICUNA_V1_SYSTEM} USER: {IMAGE_PLACEHOLDER}\n{question} ASSISTANT:"


# --- tokenizer corpus -----------------------------------------------------------------------------------------

COLOURS = ["red", "green", "blue", "yellow", "white", "black", "orange", "purple", "pink", "brown", "gray", "cyan"]
SHAPES = ["square", "circle", "triangle", "rectangle", "star", "line", "dot", "cross"]
SIZES = ["big", "small", "large", "tiny"]
POSITIONS = ["left", "right", "top", "bottom", "center", "top left", "bottom right", "middle"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def tokenizer_corpus():
    """A few hundred short lines about colours, shapes, counting and positions (one sentence per line)."""
    # The template lines are repeated so BPE learns their words, as the real LLaMA vocabulary covers them
    # (keeps the tiny fixtures' prompts short).
    lines = [VICUNA_V1_SYSTEM, LLAVA_V1_SYSTEM, "USER:", "ASSISTANT:", SHORT_ANSWER_SUFFIX,
             f"{VICUNA_V1_SYSTEM} USER: {IMAGE_PLACEHOLDER}", f"ASSISTANT: {SHORT_ANSWER_SUFFIX}"] * 30
    for i, colour in enumerate(COLOURS):
        for j, shape in enumerate(SHAPES):
            size = SIZES[(i + j) % len(SIZES)]
            pos = POSITIONS[(i * 3 + j) % len(POSITIONS)]
            n = (i * 5 + j * 3) % 11
            lines.append(f"What is the color of the {size} {shape}? USER: ASSISTANT: {colour.capitalize()}.")
            lines.append(f"Where is the {colour} {shape}? It is on the {pos} of the image.")
            lines.append(f"How many {shape}s are there? There are {n} {shape}s, {NUMBER_WORDS[n]} in total.")
            if (i + j) % 3 == 0:
                lines.append(f"Is the {shape} {colour}? Yes, the {size} {shape} is {colour}.")
            else:
                lines.append(f"Is there a {colour} {shape} to the {pos}? No, it is not.")
    for k in range(40):
        a, b = COLOURS[k % len(COLOURS)], SHAPES[(k * 7) % len(SHAPES)]
        lines.append(f"USER: Count the {b}s in row {k}. ASSISTANT: {k % 10} {b}s, about {k * 3 + 1} pixels wide.")
        lines.append(f"The {a} {b} is above the {COLOURS[(k + 5) % len(COLOURS)]} one; the user's answer is {a}!")
    return lines


def train_sentencepiece(lines):
    """Train the tiny LLaMA-style SentencePiece model; returns the serialized model bytes."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model,
        model_type="bpe", vocab_size=512, byte_fallback=True, split_digits=True, add_dummy_prefix=True,
        remove_extra_whitespaces=False, normalization_rule_name="identity", unk_id=0, bos_id=1, eos_id=2,
        pad_id=-1, character_coverage=1.0, num_threads=1, input_sentence_size=0, shuffle_input_sentence=False,
        minloglevel=2)
    return model.getvalue()


def per_chunk_ids(sp, prompt):
    """llava.mm_utils.tokenizer_image_token (llava-detail.md §6.3): split on <image>, encode each chunk with its own
    dummy prefix, BOS (1) only once at the start, IMAGE_TOKEN_INDEX between chunks."""
    chunks = prompt.split(IMAGE_PLACEHOLDER)
    ids = [sp.bos_id()]
    for k, chunk in enumerate(chunks):
        if k > 0:
            ids.append(IMAGE_TOKEN_INDEX)
        ids.extend(sp.encode(chunk))
    return ids


# --- images ---------------------------------------------------------------------------------------------------

def expand2square(img, background):
    """LLaVA's expand2square: centre on a max(W,H) square filled with `background`, extra pixel right/bottom."""
    w, h = img.size
    if w == h:
        return img
    side = max(w, h)
    out = Image.new(img.mode, (side, side), background)
    out.paste(img, ((side - w) // 2, (side - h) // 2))
    return out


def pad_background():
    """int(x*255) per channel of the CLIP mean, truncating: (122, 116, 104)."""
    return tuple(int(x * 255) for x in CLIP_MEAN)


def clip_processor(size):
    """The slow (PIL) CLIPImageProcessor configured like openai/clip-vit-large-patch14-336 but at `size`."""
    from transformers.image_utils import PILImageResampling

    try:
        from transformers import CLIPImageProcessorPil as cls  # transformers >= 5: PIL backend is its own class
    except ImportError:  # older transformers: the default class is the slow PIL one
        from transformers import CLIPImageProcessor as cls
    return cls(size={"shortest_edge": size}, crop_size={"height": size, "width": size},
               resample=PILImageResampling.BICUBIC, do_resize=True, do_center_crop=True, do_rescale=True,
               rescale_factor=1 / 255, do_normalize=True, image_mean=list(CLIP_MEAN), image_std=list(CLIP_STD),
               do_convert_rgb=True)


def llava_preprocess(path, size):
    """LLaVA-1.5 eval path with image_aspect_ratio=pad. Returns (rgb u8 HWC, padded u8, resized u8, pixel_values)."""
    img = Image.open(path).convert("RGB")
    padded = expand2square(img, pad_background())
    resized = padded.resize((size, size), Image.BICUBIC)
    pixel_values = clip_processor(size)(padded, return_tensors="pt")["pixel_values"][0].float()
    # The processor must have resized exactly like PIL (it does resize + no-op crop + rescale + normalize).
    manual = (np.asarray(resized).astype(np.float64) * (1 / 255)).astype(np.float32)
    manual = (manual - np.array(CLIP_MEAN, np.float32)) / np.array(CLIP_STD, np.float32)
    manual = torch.from_numpy(manual.transpose(2, 0, 1).copy())
    err = (manual - pixel_values).abs().max().item()
    assert err < 1e-6, f"CLIPImageProcessor differs from PIL bicubic + normalize by {err}"
    ref = ref_pil_bicubic(np.asarray(padded), size, size)
    assert np.array_equal(ref, np.asarray(resized)), f"{path}: ref_pil_bicubic differs from PIL"
    u8 = lambda im: torch.from_numpy(np.asarray(im, dtype=np.uint8).copy())
    return u8(img), u8(padded), u8(resized), pixel_values


def _bicubic_kernel(x, a=-0.5):
    x = abs(x)
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    if x < 2.0:
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return 0.0


def _pil_coeffs(in_size, out_size, precision_bits=22):
    """Pillow Resample.c precompute_coeffs + normalize_coeffs_8bpc for BICUBIC (support 2, antialiased)."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 2.0 * filterscale
    rows = []
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size)
        k = [_bicubic_kernel((x + xmin - center + 0.5) / filterscale) for x in range(xmax - xmin)]
        total = sum(k)
        k = [v / total for v in k] if total != 0.0 else k
        fixed = [int(v * (1 << precision_bits) + (0.5 if v >= 0 else -0.5)) for v in k]
        rows.append((xmin, np.array(fixed, np.int64)))
    return rows


def ref_pil_bicubic(u8, out_w, out_h):
    """Independent re-implementation of PIL's BICUBIC resize for 8-bit images [H,W,C] (llava-detail.md §5.2):
    horizontal pass first, uint8 between passes, 22-bit fixed point, rounding offset 2^21, clamp 0..255."""
    def one_pass(a, out_size):  # resample axis 1 of a [rows, in, C]
        res = np.empty((a.shape[0], out_size, a.shape[2]), np.uint8)
        for i, (xmin, k) in enumerate(_pil_coeffs(a.shape[1], out_size)):
            acc = (1 << 21) + np.tensordot(a[:, xmin:xmin + len(k), :].astype(np.int64), k, axes=([1], [0]))
            res[:, i, :] = np.clip(acc >> 22, 0, 255)
        return res

    x = u8
    if out_w != u8.shape[1]:
        x = one_pass(x, out_w)
    if out_h != u8.shape[0]:
        x = one_pass(x.transpose(1, 0, 2), out_h).transpose(1, 0, 2)
    return np.ascontiguousarray(x)


# --- random weights -------------------------------------------------------------------------------------------

def init_tensor(gen, name, shape):
    """One weight drawn from `gen`; the scale is chosen so activations stay O(1) and logits are well separated."""
    shape = tuple(shape)
    if name.endswith(".weight") and len(shape) == 1 and "norm" in name:  # RMSNorm / LayerNorm gains
        return 1.0 + 0.2 * torch.randn(shape, generator=gen)
    if name.endswith(".bias"):
        return 0.1 * torch.randn(shape, generator=gen)
    if name.endswith("embed_tokens.weight"):
        return torch.randn(shape, generator=gen)
    if name.endswith("class_embedding"):
        return torch.randn(shape, generator=gen)
    if name.endswith("position_embedding.weight"):
        return 0.5 * torch.randn(shape, generator=gen)
    if name.endswith("lm_head.weight"):
        return 4.0 / shape[1] ** 0.5 * torch.randn(shape, generator=gen)
    if name.endswith("patch_embedding.weight"):
        fan_in = shape[1] * shape[2] * shape[3]
        return 1.5 / fan_in ** 0.5 * torch.randn(shape, generator=gen)
    if name.endswith(".weight") and len(shape) == 2:
        return 1.2 / shape[1] ** 0.5 * torch.randn(shape, generator=gen)
    raise ValueError(f"no init rule for {name} {shape}")


def random_weights(shapes, seed):
    """name -> fp32 tensor, drawn in sorted-name order from one seeded generator."""
    gen = torch.Generator().manual_seed(seed)
    return {name: init_tensor(gen, name, shapes[name]).float().contiguous() for name in sorted(shapes)}


def pad_vocab_rows(weight, n_real, gen):
    """Rows >= n_real get the mean of the real rows plus tiny noise (what the llava-hf converter does, scaled)."""
    real = weight[:n_real]
    extra = real.mean(0, keepdim=True) + 1e-3 * real.std(0, keepdim=True) * torch.randn(
        (weight.shape[0] - n_real, weight.shape[1]), generator=gen)
    return torch.cat([real, extra], 0).contiguous()


# --- independent reference forward (plain torch, written from llava-detail.md §1.2 and §2.2) --------------------

def ref_clip_hidden_states(w, p, cfg, pixel_values):
    """All CLIP hidden states [layers+1, T, Dv]: entry 0 after pre_layrnorm, entry i = output of layer i (1-based)."""
    D, P, heads = cfg["hidden_size"], cfg["patch_size"], cfg["num_attention_heads"]
    eps = cfg.get("layer_norm_eps", 1e-5)
    x = torch.nn.functional.conv2d(pixel_values[None], w[p + "embeddings.patch_embedding.weight"], stride=P)
    x = x.flatten(2)[0].T  # [N, D], row-major over the grid
    x = torch.cat([w[p + "embeddings.class_embedding"][None], x], 0)
    x = x + w[p + "embeddings.position_embedding.weight"][: x.shape[0]]
    ln = lambda t, n: torch.nn.functional.layer_norm(t, (D,), w[n + ".weight"], w[n + ".bias"], eps)
    lin = lambda t, n: t @ w[n + ".weight"].T + w[n + ".bias"]
    x = ln(x, p + "pre_layrnorm")
    states = [x]
    hd = D // heads
    for i in range(cfg["num_hidden_layers"]):
        q = p + f"encoder.layers.{i}."
        a = ln(x, q + "layer_norm1")
        qh, kh, vh = (lin(a, q + f"self_attn.{n}_proj").view(-1, heads, hd).transpose(0, 1) for n in "qkv")
        att = torch.softmax(qh @ kh.transpose(1, 2) * hd ** -0.5, -1) @ vh
        x = x + lin(att.transpose(0, 1).reshape(-1, D), q + "self_attn.out_proj")
        m = lin(ln(x, q + "layer_norm2"), q + "mlp.fc1")
        m = m * torch.sigmoid(1.702 * m)  # quick_gelu
        x = x + lin(m, q + "mlp.fc2")
        states.append(x)
    return torch.stack(states)


def ref_llama(w, p, head, cfg, x):
    """LLaMA decoder on embeddings x [L, D]: returns (per-layer outputs, final norm, logits)."""
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, theta = D // H, cfg["rms_norm_eps"], cfg["rope_theta"]
    L = x.shape[0]

    def rms(t, n):
        t32 = t.float()
        return w[n] * (t32 * torch.rsqrt(t32.pow(2).mean(-1, keepdim=True) + eps)).to(t.dtype)

    inv_freq = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd)
    ang = torch.arange(L).float()[:, None] * inv_freq[None]
    ang = torch.cat([ang, ang], -1)
    cos, sin = ang.cos(), ang.sin()
    rot = lambda t: torch.cat([-t[..., hd // 2:], t[..., : hd // 2]], -1)
    mask = torch.full((L, L), float("-inf")).triu(1)
    outs = []
    for i in range(cfg["num_hidden_layers"]):
        q = p + f"layers.{i}."
        a = rms(x, q + "input_layernorm.weight")
        qh = (a @ w[q + "self_attn.q_proj.weight"].T).view(L, H, hd).transpose(0, 1)
        kh = (a @ w[q + "self_attn.k_proj.weight"].T).view(L, KV, hd).transpose(0, 1)
        vh = (a @ w[q + "self_attn.v_proj.weight"].T).view(L, KV, hd).transpose(0, 1)
        qh, kh = qh * cos + rot(qh) * sin, kh * cos + rot(kh) * sin
        kh, vh = kh.repeat_interleave(H // KV, 0), vh.repeat_interleave(H // KV, 0)  # GQA: head h uses kv h // (H/KV)
        att = torch.softmax(qh @ kh.transpose(1, 2) / hd ** 0.5 + mask, -1) @ vh
        x = x + att.transpose(0, 1).reshape(L, D) @ w[q + "self_attn.o_proj.weight"].T
        b = rms(x, q + "post_attention_layernorm.weight")
        g = b @ w[q + "mlp.gate_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * (b @ w[q + "mlp.up_proj.weight"].T)) @ w[q + "mlp.down_proj.weight"].T
        outs.append(x)
    final = rms(x, p + "norm.weight")
    return outs, final, final @ w[head].T


# --- files ----------------------------------------------------------------------------------------------------

def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=False, ensure_ascii=False)
        f.write("\n")


_ST_DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.uint8: "U8"}


def write_safetensors(path, tensors, metadata=None):
    """Byte-deterministic safetensors writer (the safetensors package orders __metadata__ keys randomly).
    Layout as the reference writer: tensors sorted by (alignment desc, name), header space-padded to 8 bytes."""
    import struct

    from safetensors import safe_open

    os.makedirs(os.path.dirname(path), exist_ok=True)
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, blobs, offset = {}, [], 0
    metadata = {"format": "pt"} if metadata is None else metadata  # what transformers writes
    if metadata:
        header["__metadata__"] = {k: str(metadata[k]) for k in sorted(metadata)}
    for name, t in items:
        data = t.detach().contiguous().cpu().numpy().tobytes()  # little-endian on every platform we run on
        header[name] = {"dtype": _ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    with safe_open(path, "pt") as f:  # the reference reader must accept it and return the same tensors
        for name, t in tensors.items():
            assert torch.equal(f.get_tensor(name), t.detach().cpu()), f"{path}: {name} did not round-trip"


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
