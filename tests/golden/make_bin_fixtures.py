#!/usr/bin/env python3
"""Writes the torch.save (.bin) fixtures of tests/core/io/torch_*_test.cpp and convert_test.cpp into tests/data/bin/.

Every checkpoint here is written by `torch.save` from PyPI torch; next to it, tests/data/bin/expected/<name>.safetensors
(written by the safetensors package) holds the tensors the C++ reader must return, bit for bit. Run from anywhere:
    python3 tests/golden/make_bin_fixtures.py
Sizes are tiny (the whole folder stays well under 1 MB). Random values are seeded, but torch's RNG may differ between
versions, so regenerate the expectations together with the checkpoints, never one without the other.
"""
import collections
import io
import json
import os
import shutil
import struct
import zipfile

import torch
import torch.nn as nn
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "bin")
EXPECTED = os.path.join(OUT, "expected")
# The malicious fixture runs `touch MARKER` if anything ever executes its pickle; the C++ test checks it is absent.
MARKER = "/tmp/dpn_binreader_pickle_was_executed"


def fresh(name):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def expect(name, tensors):
    save_file({k: v.detach().contiguous().clone() for k, v in tensors.items()}, os.path.join(EXPECTED, name + ".safetensors"))


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def state_dict_fixture():
    """model.state_dict() (an OrderedDict with _metadata, written with BUILD) plus views, a Parameter, a transpose."""

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(6, 4)
            self.norm = nn.LayerNorm(4)

    torch.manual_seed(1)
    sd = Tiny().state_dict()
    sd["half.weight"] = torch.randn(3, 5).half()
    sd["bf16.weight"] = torch.randn(2, 7).bfloat16()
    sd["f64.scale"] = torch.randn(3, dtype=torch.float64)
    sd["i64.ids"] = torch.arange(-3, 5, dtype=torch.int64)
    sd["i32.ids"] = torch.arange(-2, 4, dtype=torch.int32)
    sd["i16.ids"] = torch.tensor([-300, 7, 300], dtype=torch.int16)
    sd["i8.ids"] = torch.tensor([-100, 0, 100], dtype=torch.int8)
    sd["u8.mask"] = torch.tensor([0, 128, 255], dtype=torch.uint8)
    sd["bool.mask"] = torch.tensor([True, False, True])
    shared = torch.randn(30)  # one storage, three views at different offsets
    sd["shared.a"] = shared[0:6].view(2, 3)
    sd["shared.b"] = shared[6:16].view(5, 2)
    sd["shared.c"] = shared[20:30]
    sd["param"] = nn.Parameter(torch.randn(4, 2))
    sd["scalar"] = torch.tensor(3.5)
    sd["empty"] = torch.zeros(0, 3)
    base = torch.randn(3, 4)
    sd["transposed"] = base.t()  # non-contiguous: the reader copies it
    d = fresh("state_dict")
    torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    expect("state_dict", sd)


def llava_original_fixture():
    """Original LLaVA-1.5 layout, tiny dims, fp16, two shards + pytorch_model.bin.index.json, config and tokenizer files."""
    torch.manual_seed(2)
    hidden, inter, vocab, mm_hidden, layers = 8, 16, 32, 12, 2
    sd = collections.OrderedDict()
    sd["model.embed_tokens.weight"] = torch.randn(vocab, hidden)
    for i in range(layers):
        p = f"model.layers.{i}."
        for n in "qkvo":
            sd[p + f"self_attn.{n}_proj.weight"] = torch.randn(hidden, hidden)
        sd[p + "self_attn.rotary_emb.inv_freq"] = 1.0 / (10000 ** (torch.arange(0, 4, 2).float() / 4))
        sd[p + "mlp.gate_proj.weight"] = torch.randn(inter, hidden)
        sd[p + "mlp.up_proj.weight"] = torch.randn(inter, hidden)
        sd[p + "mlp.down_proj.weight"] = torch.randn(hidden, inter)
        sd[p + "input_layernorm.weight"] = torch.randn(hidden)
        sd[p + "post_attention_layernorm.weight"] = torch.randn(hidden)
    sd["model.norm.weight"] = torch.randn(hidden)
    sd["model.mm_projector.0.weight"] = torch.randn(hidden, mm_hidden)
    sd["model.mm_projector.0.bias"] = torch.randn(hidden)
    sd["model.mm_projector.2.weight"] = torch.randn(hidden, hidden)
    sd["model.mm_projector.2.bias"] = torch.randn(hidden)
    sd["lm_head.weight"] = torch.randn(vocab, hidden)
    sd = collections.OrderedDict((k, v.half()) for k, v in sd.items())
    d = fresh("llava_original")
    names = list(sd)
    shards = [names[: len(names) // 2], names[len(names) // 2 :]]
    weight_map, total = {}, 0
    for k, keys in enumerate(shards):
        fname = f"pytorch_model-0000{k + 1}-of-00002.bin"
        # save_pretrained writes plain dicts; the second shard is an OrderedDict to cover both.
        part = {n: sd[n] for n in keys} if k == 0 else collections.OrderedDict((n, sd[n]) for n in keys)
        torch.save(part, os.path.join(d, fname))
        for n in keys:
            weight_map[n] = fname
            total += sd[n].numel() * sd[n].element_size()
    write_json(os.path.join(d, "pytorch_model.bin.index.json"), {"metadata": {"total_size": total}, "weight_map": weight_map})
    write_json(os.path.join(d, "config.json"), {
        "architectures": ["LlavaLlamaForCausalLM"], "model_type": "llava", "hidden_size": hidden,
        "intermediate_size": inter, "num_hidden_layers": layers, "num_attention_heads": 2, "num_key_value_heads": 2,
        "rms_norm_eps": 1e-5, "max_position_embeddings": 64, "vocab_size": vocab, "mm_hidden_size": mm_hidden,
        "mm_projector_type": "mlp2x_gelu", "mm_vision_select_layer": -2, "torch_dtype": "float16"})
    write_json(os.path.join(d, "generation_config.json"), {"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0})
    write_json(os.path.join(d, "tokenizer_config.json"), {"model_max_length": 2048, "padding_side": "right"})
    write_json(os.path.join(d, "special_tokens_map.json"), {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"})
    with open(os.path.join(d, "tokenizer.model"), "wb") as f:  # a placeholder: only copied by `dpn convert`, never parsed
        f.write(b"placeholder for a SentencePiece model; copied verbatim by the conversion test\n")
    expect("llava_original", sd)


def llava_hf_fixture():
    """HF layout (legacy key names, §3.2), bf16, one pytorch_model.bin."""
    torch.manual_seed(3)
    hidden, inter, vocab, vis, vis_inter = 8, 16, 34, 12, 24
    sd = {}
    sd["language_model.model.embed_tokens.weight"] = torch.randn(vocab, hidden)
    for n in "qkvo":
        sd[f"language_model.model.layers.0.self_attn.{n}_proj.weight"] = torch.randn(hidden, hidden)
    sd["language_model.model.layers.0.mlp.gate_proj.weight"] = torch.randn(inter, hidden)
    sd["language_model.model.layers.0.mlp.up_proj.weight"] = torch.randn(inter, hidden)
    sd["language_model.model.layers.0.mlp.down_proj.weight"] = torch.randn(hidden, inter)
    sd["language_model.model.layers.0.input_layernorm.weight"] = torch.randn(hidden)
    sd["language_model.model.layers.0.post_attention_layernorm.weight"] = torch.randn(hidden)
    sd["language_model.model.norm.weight"] = torch.randn(hidden)
    sd["language_model.lm_head.weight"] = torch.randn(vocab, hidden)
    v = "vision_tower.vision_model."
    sd[v + "embeddings.class_embedding"] = torch.randn(vis)
    sd[v + "embeddings.patch_embedding.weight"] = torch.randn(vis, 3, 2, 2)
    sd[v + "embeddings.position_embedding.weight"] = torch.randn(5, vis)
    sd[v + "pre_layrnorm.weight"] = torch.randn(vis)
    sd[v + "pre_layrnorm.bias"] = torch.randn(vis)
    for n in ("q", "k", "v", "out"):
        sd[v + f"encoder.layers.0.self_attn.{n}_proj.weight"] = torch.randn(vis, vis)
        sd[v + f"encoder.layers.0.self_attn.{n}_proj.bias"] = torch.randn(vis)
    sd[v + "encoder.layers.0.mlp.fc1.weight"] = torch.randn(vis_inter, vis)
    sd[v + "encoder.layers.0.mlp.fc2.weight"] = torch.randn(vis, vis_inter)
    sd["multi_modal_projector.linear_1.weight"] = torch.randn(hidden, vis)
    sd["multi_modal_projector.linear_1.bias"] = torch.randn(hidden)
    sd["multi_modal_projector.linear_2.weight"] = torch.randn(hidden, hidden)
    sd["multi_modal_projector.linear_2.bias"] = torch.randn(hidden)
    sd = {k: t.bfloat16() for k, t in sd.items()}
    d = fresh("llava_hf")
    torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    write_json(os.path.join(d, "config.json"), {"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava",
                                                "text_config": {"model_type": "llama", "vocab_size": vocab}})
    expect("llava_hf", sd)


def tokenpacker_fixture():
    """The TokenPacker projector as LLaVA saves mm_projector.bin (keys model.mm_projector.*), with the module
    structure of CircleRadon/TokenPacker llava/model/multimodal_projector/builder.py at tiny sizes."""

    class TokenPacker(nn.Module):
        def __init__(self, embed_dim=8, kv_dim=8, multi_dim=32, hidden=16, heads=2):
            super().__init__()
            self.q_proj_1 = nn.Linear(kv_dim, embed_dim, bias=False)
            self.k_proj_1 = nn.Sequential(nn.Linear(multi_dim, embed_dim), nn.GELU(), nn.Linear(embed_dim, embed_dim))
            self.v_proj_1 = nn.Sequential(nn.Linear(multi_dim, embed_dim), nn.GELU(), nn.Linear(embed_dim, embed_dim))
            self.ln_q_1 = nn.LayerNorm(embed_dim, eps=1e-6)
            self.ln_k_1 = nn.LayerNorm(embed_dim, eps=1e-6)
            self.ln_v_1 = nn.LayerNorm(embed_dim, eps=1e-6)
            self.clip_attn = nn.MultiheadAttention(embed_dim, heads)
            self.mlp = nn.Sequential(nn.Linear(embed_dim, hidden), nn.GELU(), nn.Linear(hidden, hidden))

    torch.manual_seed(4)
    m = TokenPacker().half()
    sd = collections.OrderedDict(("model.mm_projector." + k, v) for k, v in m.state_dict().items())
    d = fresh("tokenpacker")
    torch.save(sd, os.path.join(d, "mm_projector.bin"))
    expect("tokenpacker", sd)


def stored_zip(path, entries):
    """A ZIP with stored entries, as torch.save lays it out."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in entries:
            z.writestr(name, data)


def malicious_fixture():
    """data.pkl = GLOBAL 'os system', BINUNICODE 'touch MARKER', TUPLE1, REDUCE, STOP: pickle.loads would run it."""
    cmd = ("touch " + MARKER).encode()
    pkl = b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(cmd)) + cmd + b"\x85R."
    d = fresh("malicious")
    stored_zip(os.path.join(d, "pytorch_model.bin"), [("archive/data.pkl", pkl), ("archive/version", b"3\n")])


def legacy_fixture():
    torch.manual_seed(5)
    d = fresh("legacy")
    torch.save({"w": torch.randn(2, 2)}, os.path.join(d, "pytorch_model.bin"), _use_new_zipfile_serialization=False)


def zip64_fixture():
    """The state_dict fixture re-packed with every ZIP64 structure forced: all sizes/offsets in ZIP64 extra fields,
    a ZIP64 end record and locator, 0xffff/0xffffffff in the classic end record (what a > 4 GB shard looks like).
    torch.load reads the result, which checks the packing."""
    src = zipfile.ZipFile(os.path.join(OUT, "state_dict", "pytorch_model.bin"))
    out = io.BytesIO()
    central = []
    for info in src.infolist():
        data = src.read(info.filename)
        name = info.filename.replace("pytorch_model/", "renamed_top/").encode()
        crc = zipfile.crc32(data)
        offset = out.tell()
        # Pad the local extra so the data starts 64-byte aligned, as torch does.
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        pad = (-(offset + 30 + len(name) + len(local_extra) + 4)) % 64
        local_extra += struct.pack("<HH", 0x4246, pad) + b"Z" * pad
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(local_extra)))
        out.write(name + local_extra + data)
        central.append((name, crc, len(data), offset))
    cd_offset = out.tell()
    for name, crc, size, offset in central:
        extra = struct.pack("<HHQQQ", 1, 24, size, size, offset)
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                              len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF))
        out.write(name + extra)
    cd_size = out.tell() - cd_offset
    eocd64 = out.tell()
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(central), len(central), cd_size, cd_offset))
    out.write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    d = fresh("zip64")
    path = os.path.join(d, "pytorch_model.bin")
    with open(path, "wb") as f:
        f.write(out.getvalue())
    back = torch.load(path, weights_only=True)
    ref = torch.load(os.path.join(OUT, "state_dict", "pytorch_model.bin"), weights_only=True)
    assert all(torch.equal(back[k], ref[k]) for k in ref), "zip64 repack does not load back in torch"


def dtypes_fixture():
    """Float tensors with rounding edge cases, and the values torch's own .to() gives for each target dtype."""
    torch.manual_seed(6)
    specials = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 65519.0, 65520.0, 1e6, -1e6, 6.1e-5, 5.96e-8, 2.98e-8,
                             2.9e-8, 1e-10, 3.0e-41, 1.0009765625, 1.00048828125, 1.00146484375, 1.0039062500,
                             1.00390625 + 2 ** -9, 1.01171875, float("inf"), float("-inf"), 3.4e38], dtype=torch.float32)
    f32 = torch.cat([specials, torch.randn(200) * 10, torch.randn(50) * 1e-5])
    bits = torch.randint(0, 2 ** 16, (400,), dtype=torch.int32).to(torch.int16)
    f16 = bits.view(torch.float16)
    f16 = torch.where(torch.isnan(f16), torch.zeros_like(f16), f16)  # NaN payloads are not compared
    bf16 = torch.randint(0, 2 ** 16, (400,), dtype=torch.int32).to(torch.int16).view(torch.bfloat16)
    bf16 = torch.where(torch.isnan(bf16), torch.zeros_like(bf16), bf16)
    sd = {"f32": f32, "f16": f16, "bf16": bf16, "ids": torch.arange(7, dtype=torch.int64)}
    d = fresh("dtypes")
    torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    write_json(os.path.join(d, "config.json"), {"model_type": "test"})
    expect("dtypes", sd)
    for name, dt in (("f16", torch.float16), ("bf16", torch.bfloat16), ("f32", torch.float32)):
        expect("dtypes_to_" + name, {k: (v.to(dt) if v.is_floating_point() else v) for k, v in sd.items()})



def llava_model_fixture():
    """The golden tiny LLaVA model (tests/data/golden/llava_orig) re-saved as torch.save shards, as the original
    LLaVA-1.5 checkpoints are: the engine must give the same logits from it, directly and after `dpn convert`."""
    from safetensors.torch import load_file
    src = os.path.join(OUT, "..", "golden", "llava_orig")
    d = fresh("llava_orig_model")
    sd = load_file(os.path.join(src, "model.safetensors"))
    names = sorted(sd)
    half = len(names) // 2
    weight_map, total = {}, 0
    for i, part in enumerate((names[:half], names[half:])):
        fname = "pytorch_model-%05d-of-00002.bin" % (i + 1)
        torch.save({k: sd[k] for k in part}, os.path.join(d, fname))
        for k in part:
            weight_map[k] = fname
            total += sd[k].numel() * sd[k].element_size()
    write_json(os.path.join(d, "pytorch_model.bin.index.json"), {"metadata": {"total_size": total}, "weight_map": weight_map})
    for f in ("config.json", "tokenizer.model"):
        shutil.copy(os.path.join(src, f), os.path.join(d, f))

def views_fixture():
    """Non-contiguous views sharing one storage: a transposed 64x64 view named by 100 entries (read with one copy), and
    100 distinct transposed slices of one 64 KB storage, whose copies would be 61 times the storage (refused)."""
    d = fresh("views")
    base = torch.arange(64 * 64, dtype=torch.float32).reshape(64, 64)
    torch.save({f"same.{i}": base.t() for i in range(100)}, os.path.join(d, "repeated.bin"))
    big = torch.arange(128 * 128, dtype=torch.float32).reshape(128, 128)
    torch.save({f"slice.{i:02d}": big[:, i:].t() for i in range(100)}, os.path.join(d, "distinct.bin"))


def main():
    llava_model_fixture()
    os.makedirs(OUT, exist_ok=True)
    shutil.rmtree(EXPECTED, ignore_errors=True)
    os.makedirs(EXPECTED)
    state_dict_fixture()
    llava_original_fixture()
    llava_hf_fixture()
    tokenpacker_fixture()
    malicious_fixture()
    legacy_fixture()
    zip64_fixture()
    dtypes_fixture()
    views_fixture()
    with open(os.path.join(OUT, "PROVENANCE.txt"), "w") as f:
        f.write(f"Written by tests/golden/make_bin_fixtures.py with torch {torch.__version__}\n")


if __name__ == "__main__":
    main()
