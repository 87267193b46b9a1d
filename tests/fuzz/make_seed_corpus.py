#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer harnesses into tests/fuzz/corpus/<target>/seed-*.

Seeds are small real files written by the real tools (safetensors, torch.save, Pillow, OpenCV's formats through
Pillow) plus the repository's own small fixtures; past findings live next to them as finding-* and are never
touched here. Run from anywhere, with the packages of tests/golden (torch, safetensors, Pillow, numpy):
    python3 tests/fuzz/make_seed_corpus.py
"""
import glob
import io
import json
import os
import shutil
import struct
import zipfile

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save as st_save

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def target(name):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    for f in glob.glob(os.path.join(d, "seed-*")):
        os.remove(f)
    return d


def put(d, name, data):
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def safetensors_seeds():
    d = target("safetensors")
    put(d, "f32", st_save({"a": torch.arange(6, dtype=torch.float32).reshape(2, 3)}))
    put(d, "mixed", st_save({"b": torch.ones(2, 2, dtype=torch.bfloat16), "c": torch.arange(3), "d": torch.zeros(0, 4),
                             "e": torch.tensor(1.5, dtype=torch.float16)}, metadata={"format": "pt"}))
    put(d, "empty", st_save({}, metadata={"format": "pt"}))
    put(d, "bool-u8", st_save({"m": torch.tensor([True, False]), "u": torch.arange(4, dtype=torch.uint8)}))


def index_seeds():
    d = target("safetensors_index")
    def index(wm, meta=True):
        j = {"metadata": {"total_size": 24}, "weight_map": wm} if meta else {"weight_map": wm}
        return json.dumps(j, indent=2)
    put(d, "valid", index({"w.a": "a.safetensors", "w.b": "b.safetensors"}))
    put(d, "subfolder", index({"w.a": "a.safetensors", "w.b": "b.safetensors", "w.c": "sub/c.safetensors"}, False))
    put(d, "dotdot", index({"w.a": "../secret.safetensors"}))
    put(d, "absolute", index({"w.a": "/etc/passwd"}))
    put(d, "link", index({"w.a": "link.safetensors", "w.b": "up/secret.safetensors"}))
    put(d, "misplaced", index({"w.b": "a.safetensors"}))


def config_seeds():
    d = target("config")
    paths = ["tests/data/golden/llava_orig/config.json", "tests/data/golden/llava_hf/config.json",
             "tests/data/golden/llava_hf_new/config.json", "resources/models/demo-dpn/config.json",
             "resources/models/demo-tokenpacker/config.json", "resources/models/tiny-random/config.json"]
    paths += sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "tests/data/golden/hr/*/config.json")))[:2]
    for p in paths:
        put(d, p.replace("/", "_").replace("tests_data_golden_", "").replace("resources_models_", ""),
            open(os.path.join(ROOT, p), "rb").read())


def torch_save_bytes(obj):
    b = io.BytesIO()
    torch.save(obj, b)
    return b.getvalue()


def torch_seeds():
    d = target("torch_zip")
    p = target("torch_pickle")
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    files = {
        "views": {"a": base, "t": base.t(), "row": base[1], "col": base[:, 2]},
        "dtypes": {k: torch.arange(4).to(dt) for k, dt in [("f16", torch.float16), ("bf16", torch.bfloat16),
                                                           ("i32", torch.int32), ("u8", torch.uint8), ("b", torch.bool)]},
        "parameter": {"w": torch.nn.Parameter(torch.ones(2, 2)), "s": torch.tensor(3.0)},
        "module": torch.nn.Linear(3, 2).state_dict(),
    }
    for name, obj in files.items():
        data = torch_save_bytes(obj)
        put(d, name, data)
        z = zipfile.ZipFile(io.BytesIO(data))
        put(p, name, z.read([n for n in z.namelist() if n.endswith("/data.pkl")][0]))


def eval_seeds():
    d = target("eval_jsonl")
    kinds = ["vqav2", "textvqa", "gqa", "pope", "mme", "scienceqa", "mmbench", "dpnbench"]
    e = os.path.join(ROOT, "tests", "data", "eval")
    def seed(kind, questions, annotations=None):
        data = bytes([kinds.index(kind)]) + open(os.path.join(e, questions), "rb").read()
        if annotations:
            data += b"\0" + open(os.path.join(e, annotations), "rb").read()
        put(d, kind, data)
    seed("vqav2", "vqav2/llava_vqav2_val.jsonl", "vqav2/annotations.json")
    seed("textvqa", "textvqa/llava_textvqa_val_v051_ocr.jsonl", "textvqa/TextVQA_0.5.1_val.json")
    seed("gqa", "gqa/llava_gqa_testdev_balanced.jsonl", "gqa/testdev_balanced_questions.json")
    seed("pope", "pope/llava_pope_test.jsonl", "pope/annotations/coco_pope_random.json")
    seed("mme", "mme/llava_mme.jsonl")
    seed("scienceqa", "scienceqa/llava_test_CQM-A.json", "scienceqa/problems.json")
    seed("mmbench", "mmbench/mmbench_dev.tsv")
    seed("dpnbench", "dpnbench/questions.jsonl", "dpnbench/answers.jsonl")


def image_seeds():
    d = target("image")
    rng = np.random.default_rng(15)
    rgb = Image.fromarray(rng.integers(0, 256, (6, 9, 3), dtype=np.uint8), "RGB")
    def save(name, img, fmt, **kw):
        b = io.BytesIO()
        img.save(b, fmt, **kw)
        put(d, name, b.getvalue())
    save("rgb.png", rgb, "PNG")
    save("grey.png", rgb.convert("L"), "PNG")
    save("rgba.png", rgb.convert("RGBA"), "PNG")
    save("palette.png", rgb.convert("P"), "PNG")
    save("bits.png", rgb.convert("1"), "PNG")
    save("i16.png", Image.fromarray((np.arange(54, dtype=np.uint16) * 1200).reshape(6, 9)), "PNG")
    save("base.jpg", rgb, "JPEG", quality=80)
    save("progressive.jpg", rgb, "JPEG", progressive=True)
    save("grey.jpg", rgb.convert("L"), "JPEG")
    save("rgb.bmp", rgb, "BMP")
    save("lossy.webp", rgb, "WEBP", quality=70)
    save("lossless.webp", rgb, "WEBP", lossless=True)
    save("rgb.tiff", rgb, "TIFF")
    save("rgb.ppm", rgb, "PPM")
    save("grey.pgm", rgb.convert("L"), "PPM")
    put(d, "rgb.pam", b"P7\nWIDTH 2\nHEIGHT 1\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n" + bytes(range(6)))


def main():
    safetensors_seeds()
    index_seeds()
    config_seeds()
    torch_seeds()
    eval_seeds()
    image_seeds()
    for name in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, name))
        print(f"{name}: {len(files)} files, {sum(os.path.getsize(os.path.join(CORPUS, name, f)) for f in files)} bytes")


if __name__ == "__main__":
    main()
