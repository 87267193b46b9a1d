#!/usr/bin/env python3
"""Differential fixtures for DPN Studio's evaluation code (core/eval/), made by the official evaluation code.

Generates thousands of answer / ground-truth cases (numbers as words, articles, punctuation, contractions,
possessives, commas, non-ASCII text, Unicode whitespace, empty and multi-sentence answers, option letters in every
form), writes them in each benchmark's official file formats, runs the official code on them and writes what it
computes next to them:

  tests/data/eval/official/
    manifest.json           versions, seed, sha256 of this script and of the vendored code
    unicode.json            Python's str semantics per code point: isspace, `\\d`, lower() where it changes
    strings.jsonl           per generated string: every scorer's rule (m4c, vqaEval, MME, POPE, ScienceQA, GQA,
                            MMBench can_infer) as the official code computes it
    <benchmark>/            question / annotation / answer files in the official formats, and expected.json with
                            the per-sample results and the aggregates the official script prints (and the submission
                            files its converter writes)

Official code: LLaVA's package (pip install --no-deps llava-torch: m4c_evaluator, eval_pope, eval_science_qa,
eval_textvqa), and vendored copies under tests/eval/official/ (vqaEval.py, MME's convert + calculation.py, GQA's
eval.py, VLMEvalKit's can_infer / circular evaluation, LLaVA's scripts/convert_*.py) - each names its source,
commit and licence. Extra packages: pandas, openpyxl (the MMBench .xlsx), scikit-learn (calculation.py).

Run:  /work/venv/bin/python tests/eval/make_eval_fixtures.py [--out tests/data/eval/official] [--seed 16]
"""

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pandas as pd  # noqa: E402
import openpyxl  # noqa: E402
import sklearn  # noqa: E402

from llava.eval.m4c_evaluator import EvalAIAnswerProcessor, TextVQAAccuracyEvaluator  # noqa: E402
from llava.eval import eval_pope as llava_eval_pope  # noqa: E402
from llava.eval import eval_textvqa as llava_eval_textvqa  # noqa: E402

from official import gqa_eval, llava_scripts, mme_eval, vlmevalkit_mcq  # noqa: E402
from official.vqa_eval import VQA, VQAEval  # noqa: E402

# ----------------------------------------------------------------------------------------------------------------
# Building blocks of generated text

WORDS = [
    "yes", "no", "Yes", "No", "NO", "YES", "not", "Not", "none", "None", "zero", "one", "two", "Two", "TWO", "three",
    "four", "five", "six", "seven", "eight", "nine", "ten", "Ten", "twenty", "a", "an", "the", "The", "A", "An",
    "dog", "dogs", "dog's", "man's", "Man's", "men's", "it's", "It's", "its", "dont", "don't", "cant", "can't",
    "isnt", "whats", "what's", "oclock", "o'clock", "yall'll", "somebody'd", "Im", "I'm", "Ive", "let's", "he's",
    "hes", "shes", "twas", "red", "white", "blue", "green", "red,white", "red, white", "red ,white", "1,000",
    "1,,2", "10,5", "3.5", "3.", "2.", ".5", "U.S.A.", "e.g.", "a.b.c", "1", "2", "10", "0", "100", "left",
    "right", "skateboard", "table", "at table", "down", "up", "black and white", "5:30", "#1", "@home",
    "hello-world", "x_y", "a+b=c", "(5)", "[x]", "{y}", "<z>", "back`tick", "semi;colon", "well done!", "what?",
    "tennis", "frisbee", "kite", "pizza", "giraffe", "cat", "umbrella", "bus", "train", "night", "day",
    "...", "!!", "??", "--", "'", "''", "\"", "'s", "s'", "co-op", "t-shirt", "mr.", "dr.", "st.", "No.", "Yes.",
]
NONASCII = [
    "CAFÉ", "Café", "café", "cafe\u0301", "İstanbul", "İ", "ı", "ΣΟΦΟΣ", "σοφος", "ΌΣΟΣ Σ", "ΑΣ.", "Straße", "STRASSE",
    "ﬁne", "Ǆ", "ǅ", "ǆ", "K", "ſ", "Ⅻ", "２", "３０", "٣", "१", "𝟙", "½", "²", "①", "日本", "中文答案", "红色", "是",
    "否", "Ａ", "Ｂ", "ｙｅｓ", "ｎｏ", "ÿ", "Ÿ", "Ω", "ǈ", "ﬀ", "ŉ", "ΐ", "Ä", "ÄÖÜ", "ñ", "Ñandú", "ƒ", "Ⓐ",
    "ЖЁЛТЫЙ", "жёлтый", "İi̇", "Å", "Å", "ǰ", "ᾼ", "ﬃ", "𐐀", "𐐨", "ℌ", "µ", "ª", "ß", "ẞ", "Ι\u0345", "ΰ",
]
SPACES = [" ", " ", " ", " ", "  ", "\t", "\n", " \n ", "\u00a0", "\u2003", "\u3000", "\u200b", "\x1c", "\x1f",
          "\u0085", "\u2028", "\u202f", "\r", "\x0b", "\x0c", "\u1680", "\u180e", "\ufeff"]
PUNCT = list(";/[]\"{}()=+\\_-><@`,?!:#.'*")
LETTER_FORMS = ["{L}", "{L}.", "({L})", "{L})", "[{L}]", "**{L}**", "{l}", "{L}. {o}", "Answer: {L}",
                "The answer is {L}.", "The answer is {L}", "the answer is {l}.", "The correct answer is **{L}**",
                "answer  is {L}", "ANSWER İS {L}", "anſwer is {L}", "Option {L}", "I think {L}", "{L} is correct",
                "{o}", "It is {o}.", "Not {L}, it is {M}.", "{L} {M}", "{L}, {M}", "Z", "nan", "None", "", " {L}",
                "{L}\n", "The answer is {L}.\nThe answer is {M}.", "A photo of {o}", "Sorry, I can't help with images "
                "of people yet.", "Cannot determine the answer", "The answer is ({L})", "选{L}", "答案是{L}。", "{L}。",
                "Ｂ", "{L}\u00a0", "\u3000{L}", "The answer is {L}\u00e9", "{o}!!!", "{O}"]


def rand_case(rng, s):
    r = rng.random()
    if r < 0.1:
        return s.upper()
    if r < 0.2:
        return s.title()
    if r < 0.3:
        return s.lower()
    return s


def gen_text(rng, max_tokens=4):
    """A short answer-like string mixing every feature the scorers normalise."""
    r = rng.random()
    if r < 0.03:
        return ""
    if r < 0.06:
        return rng.choice(SPACES)
    n = rng.randint(1, max_tokens)
    parts = []
    for _ in range(n):
        k = rng.random()
        if k < 0.65:
            t = rng.choice(WORDS)
        elif k < 0.85:
            t = rng.choice(NONASCII)
        elif k < 0.93:
            t = str(rng.randint(0, 2000))
        else:
            t = rng.choice(PUNCT) + rng.choice(WORDS) + rng.choice(PUNCT)
        parts.append(rand_case(rng, t))
    out = parts[0]
    for p in parts[1:]:
        s = rng.random()
        if s < 0.7:
            sep = " "
        elif s < 0.85:
            sep = rng.choice(SPACES)
        elif s < 0.92:
            sep = rng.choice([",", ", ", " ,", ".", ". ", "-", "/"])
        else:
            sep = rng.choice(PUNCT)
        out += sep + p
    r = rng.random()
    if r < 0.15:
        out = out + rng.choice([".", "..", "!", "?", ",", " .", ". ", ".\n"])
    elif r < 0.22:
        out = rng.choice(SPACES) + out + rng.choice(SPACES)
    elif r < 0.26:
        out = out + ". " + gen_text(rng, 3)  # multi-sentence
    elif r < 0.28:
        out = "." * rng.randint(30, 40) + out  # re.sub's accidental count of 32
    return out


def variants(rng, base):
    """Human-answer-like variants of one answer: case, articles, periods, number words, possessives, commas."""
    out = [base, base.lower(), base.upper(), base + ".", "the " + base, "a " + base, base + " ", " " + base]
    nums = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "10": "ten"}
    for d, w in nums.items():
        if base == d:
            out += [w, w.title()]
        if base == w:
            out += [d]
    if "," in base:
        out += [base.replace(",", " "), base.replace(",", ""), base.replace(",", ", ")]
    if "'s" in base:
        out += [base.replace("'s", "s"), base.replace("'s", " 's"), base.replace("'s", "")]
    out += [gen_text(rng, 2)]
    return out


def line(obj):
    return json.dumps(obj, ensure_ascii=False) + "\n"


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(line(r))


def write_json(path, obj, indent=None):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent, sort_keys=indent is not None)
        f.write("\n")


def llava_answer(qid, prompt, text, n):
    return {"question_id": qid, "prompt": prompt, "text": text, "answer_id": f"ans{n}", "model_id": "gen",
            "metadata": {}}


# ----------------------------------------------------------------------------------------------------------------
# Per-string differential (strings.jsonl) and Python's character properties (unicode.json)

CHOICES4 = {"A": "red", "B": "green", "C": "Blue Sky", "D": "ünïcode ĲSSE"}
CHOICES2 = {"A": "yes", "B": "no"}


def official_pope_parse(texts):
    """eval_pope.eval_pope on answers with every label 'yes' parses each text; read the mutated answers."""
    answers = [{"text": t} for t in texts]
    label_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    for _ in texts:
        label_file.write(json.dumps({"label": "yes"}) + "\n")
    label_file.close()
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            llava_eval_pope.eval_pope(answers, label_file.name)
        except ZeroDivisionError:
            pass
    os.unlink(label_file.name)
    return [a["text"] for a in answers]


def official_sqa_parse(texts):
    """eval_science_qa.py run on one 5-choice problem per text; its output file holds each parsed answer."""
    tmp = tempfile.mkdtemp()
    ids = [str(i) for i in range(len(texts))]
    write_json(f"{tmp}/problems.json", {i: {"choices": ["a", "b", "c", "d", "e"], "answer": 0} for i in ids})
    write_json(f"{tmp}/pid_splits.json", {"test": ids})
    write_jsonl(f"{tmp}/answers.jsonl", [{"question_id": i, "prompt": "<image>\nx", "text": t} for i, t in zip(ids, texts)])
    subprocess.run([sys.executable, "-m", "llava.eval.eval_science_qa", "--base-dir", tmp, "--result-file",
                    f"{tmp}/answers.jsonl", "--output-file", f"{tmp}/output.json", "--output-result",
                    f"{tmp}/result.json"], capture_output=True, text=True)  # it fails at IMG-Accuracy (no images)...
    output = json.load(open(f"{tmp}/output.json")) if os.path.exists(f"{tmp}/output.json") else None
    shutil.rmtree(tmp)
    if output is None:  # ...before writing its files: give one problem an image prompt so that it finishes
        raise RuntimeError("eval_science_qa.py wrote no output")
    parsed = {x["question_id"]: x["parsed_ans"] for k in ("correct", "incorrect") for x in output[k]}
    return [parsed[i] for i in ids]


def make_strings(rng, n):
    m4c = EvalAIAnswerProcessor()
    vqa = VQAEval(VQA([]), VQA([]))
    calc = mme_eval.calculate_metrics()
    texts = [gen_text(rng, 5) for _ in range(n)]
    texts += [f.format(L=L, l=L.lower(), M=M, o=CHOICES4[L], O=CHOICES4[L].upper())
              for f in LETTER_FORMS for L, M in (("A", "B"), ("C", "D"), ("D", "A"))]
    pope = official_pope_parse(texts)
    sqa = official_sqa_parse(texts)
    rows = []
    for t, p, q in zip(texts, pope, sqa):
        rows.append({
            "s": t,
            "lower": t.lower(), "strip": t.strip(), "split": t.split(), "len": len(t),
            "m4c": m4c(t),
            "vqaeval": vqa.processDigitArticle(vqa.processPunctuation(t)),
            "mme": calc.parse_pred_ans(t.lower()),
            "pope": p,
            "sqa": q,
            "gqa": t.rstrip('.').lower(),
            "mmb4": vlmevalkit_mcq.can_infer(t, dict(CHOICES4)) or "",
            "mmb2": vlmevalkit_mcq.can_infer(t, dict(CHOICES2)) or "",
        })
    return rows


def make_unicode():
    space, digit, lower = [], [], []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c.isspace():
            space.append(cp)
        if re.match(r"\d", c):
            digit.append(cp)
        lc = c.lower()
        if lc != c:
            lower.append([cp, lc])
    return {"python": platform.python_version(), "unicode": unicodedata.unidata_version, "space": space,
            "digit": digit, "lower": lower,
            "lower_strings": [[s, s.lower()] for s in ["ΑΣ", "ΑΣ.", "ΑΣΑ", "Σ", "ΑΣ'Σ", "Α'Σ", "ΌΣΟΣ Σ", "ΑΣ\u0345",
                                                        "İİ", "ẞ", "Ǆǅ", "ΑΣ1", "Α\u00adΣ", "AΣ b"]]}


# ----------------------------------------------------------------------------------------------------------------
# VQAv2 (val format): LLaVA's question file, the official annotations, answers; the submission and vqaEval

def make_vqav2(rng, out, n):
    os.makedirs(out)
    questions, annotations, answers = [], [], []
    fixed = [  # the cases, first
        (["two"] * 10, "two"), (["two"] * 10, "Two"), (["2"] * 10, "two"), (["man's"] * 10, "man's"),
        (["man's"] * 9 + ["mans"], "man's"), (["red,white"] * 10, "red,white"), (["red,white"] * 9 + ["red"], "red,white"),
        (["red white"] * 9 + ["x"], "red,white"), (["CAFÉ"] * 10, "café"), (["café"] * 8 + ["cafe", "x"], "CAFÉ"),
        (["２"] * 5 + ["2"] * 5, "2"), (["yes"] * 10, "Yes"), (["yes"] * 10, "yes"),
    ]
    ans_n = 0
    for i in range(n):
        qid = 262148000 + i * 7
        if i < len(fixed):
            humans, pred = fixed[i]
        else:
            base = gen_text(rng, 2) if rng.random() < 0.5 else rng.choice(WORDS + NONASCII)
            pool = variants(rng, base)
            r = rng.random()
            if r < 0.12:
                humans = [rng.choice(pool)] * 10  # identical answers: vqaEval does not normalise
            else:
                k = rng.randint(1, 4)
                picks = rng.sample(pool, min(k, len(pool)))
                humans = [rng.choice(picks) for _ in range(10)]
            pred = rng.choice(pool) if rng.random() < 0.7 else gen_text(rng, 3)
        answer_type = rng.choice(["yes/no", "number", "other"])
        qtype = rng.choice(["what color is the", "how many", "is the", "what is", "none of the above"])
        no_ids = rng.random() < 0.05  # answer objects without answer_id: vqaEval compares whole dicts
        objs = []
        for k, a in enumerate(humans):
            o = {"answer": a, "answer_confidence": rng.choice(["yes", "maybe", "no"])}
            if not no_ids:
                o["answer_id"] = k + 1
            objs.append(o)
        annotations.append({"question_id": qid, "image_id": 262148 + i, "question_type": qtype,
                            "answer_type": answer_type, "multiple_choice_answer": humans[0], "answers": objs})
        text = f"What is shown {i}?\nAnswer the question using a single word or phrase."
        questions.append({"question_id": qid, "image": f"COCO_val2014_{262148 + i:012d}.jpg", "text": text,
                          "category": "default"})
        if rng.random() < 0.05:
            continue  # unanswered: the converter submits ""
        answers.append(llava_answer(qid, text, pred, ans_n))
        ans_n += 1
    rng.shuffle(annotations)  # vqaEval sums in annotation order, not question order
    write_jsonl(f"{out}/llava_vqav2_mscoco_val2014.jsonl", questions)
    write_json(f"{out}/v2_mscoco_val2014_annotations.json", {"annotations": annotations})
    with open(f"{out}/answers.jsonl", "w", encoding="utf-8") as f:
        for k, a in enumerate(answers):
            f.write(line(a))
            if k == 3:
                f.write("{not json\n")  # the converter skips lines it cannot parse
    # the official pipeline
    upload = f"{out}/../_tmp_vqav2_upload.json"
    skipped = llava_scripts.convert_vqav2_for_submission(f"{out}/answers.jsonl",
                                                         f"{out}/llava_vqav2_mscoco_val2014.jsonl", upload)
    results = json.load(open(upload, encoding="utf-8"))
    os.remove(upload)
    gt = VQA(json.loads(json.dumps(annotations)))
    res = gt.loadRes(json.loads(json.dumps(results)))
    ev = VQAEval(gt, res, n=2)
    ev.evaluate()
    write_json(f"{out}/expected.json", {
        "samples": {str(q): {"submitted": r["answer"], "accuracy": ev.rawQA[q]}
                    for q, r in ((r["question_id"], r) for r in results)},
        "metrics": {"acc": ev.accuracy["overall"], "answer_types": ev.accuracy["perAnswerType"],
                    "question_types": ev.accuracy["perQuestionType"]},
        "skipped_lines": skipped,
        "submission": results,
    })


# ----------------------------------------------------------------------------------------------------------------
# TextVQA

def make_textvqa(rng, out, n):
    os.makedirs(out)
    data, questions, answers = [], [], []
    evaluator = TextVQAAccuracyEvaluator()
    for i in range(n):
        image_id = f"{rng.getrandbits(64):016x}"
        q = rand_case(rng, rng.choice(["what is the brand", "what does it say", "which number", "qué dice el cartel",
                                       "WHAT İS WRITTEN", "what ΣΟΦΟΣ word", "what is the café name"])) + f" {i}?"
        base = rng.choice(WORDS + NONASCII) if rng.random() < 0.5 else gen_text(rng, 2)
        pool = variants(rng, base)
        picks = rng.sample(pool, min(rng.randint(1, 4), len(pool)))
        humans = [rng.choice(picks) for _ in range(10)]
        data.append({"question": q, "image_id": image_id, "question_id": 34602 + i, "answers": humans,
                     "image_classes": [], "set_name": "val"})
        if rng.random() < 0.03:  # a later annotation with the same (image, question.lower()) replaces this one
            data.append({"question": q.upper(), "image_id": image_id, "question_id": 90000 + i,
                         "answers": [rng.choice(pool) for _ in range(10)], "set_name": "val"})
        form = rng.random()
        if form < 0.6:
            text = f"{q}\nReference OCR token: {rng.choice(WORDS)}, {rng.choice(NONASCII)}\n" \
                   "Answer the question using a single word or phrase."
        elif form < 0.7:
            text = f"Reference OCR token: {rng.choice(WORDS)}\n{q}\nAnswer the question using a single word or phrase."
        elif form < 0.8:
            text = f"OCR tokens: {rng.choice(WORDS)} {rng.choice(NONASCII)} Question: {q} Short answer:"
        else:
            text = f"{q}\nAnswer the question using a single word or phrase."
        questions.append({"question_id": image_id, "image": f"{image_id}.jpg", "text": text})
        pred = rng.choice(pool) if rng.random() < 0.7 else gen_text(rng, 3)
        answers.append(llava_answer(image_id, text, pred, i))
    write_json(f"{out}/TextVQA_0.5.1_val.json", {"dataset_type": "val", "dataset_name": "textvqa", "data": data})
    write_jsonl(f"{out}/llava_textvqa_val_v051_ocr.jsonl", questions)
    write_jsonl(f"{out}/answers.jsonl", answers)
    # eval_textvqa.eval_single, step by step (its join, then the evaluator), keeping the per-answer scores
    ann = json.load(open(f"{out}/TextVQA_0.5.1_val.json", encoding="utf-8"))["data"]
    ann = {(a["image_id"], a["question"].lower()): a for a in ann}
    results = [json.loads(l) for l in open(f"{out}/answers.jsonl", encoding="utf-8")]
    pred_list, scores = [], []
    for result in results:
        a = ann[(result["question_id"], llava_eval_textvqa.prompt_processor(result["prompt"]))]
        pred_list.append({"pred_answer": result["text"], "gt_answers": a["answers"]})
        s = evaluator._compute_answer_scores(a["answers"]).get(evaluator.answer_processor(result["text"]), 0.0)
        scores.append(s)
    acc = evaluator.eval_pred_list(pred_list)
    assert acc == sum(scores) / len(scores)
    write_json(f"{out}/expected.json", {"samples": scores, "metrics": {"acc": 100. * acc}})


# ----------------------------------------------------------------------------------------------------------------
# GQA

def make_gqa(rng, out, n):
    os.makedirs(out)
    truth, questions, answers = {}, [], []
    vocab = ["yes", "no", "left", "right", "girl", "table", "white", "black", "café", "straße", "ﬁsh", "İstanbul",
             "σοφος", "man", "the man", "2", "two", "bottom", "top"]
    for i in range(n):
        qid = str(20240000 + i * 3)
        gold = rng.choice(vocab)
        structural = rng.choice(["query", "verify", "logical", "choose", "compare"])
        truth[qid] = {"question": f"Is the thing {i} here?", "answer": gold, "isBalanced": rng.random() < 0.9,
                      "types": {"structural": structural, "semantic": "attr", "detailed": "existC"},
                      "groups": {"global": rng.choice([None, "color", "place"]), "local": "10q-x"},
                      "semantic": [{"operation": "select", "argument": "x", "dependencies": []}],
                      "imageId": f"n{i}"}
        text = f"Is the thing {i} here?\nAnswer the question using a single word or phrase."
        questions.append({"question_id": qid, "image": f"n{i}.jpg", "text": text})
        pred = rng.choice([gold, gold.upper(), gold.title() + ".", gold + "...", gold + ". ", " " + gold,
                           rng.choice(vocab), gen_text(rng, 2), gold.upper() + "."])
        answers.append(llava_answer(qid, text, pred, i))
    write_json(f"{out}/testdev_balanced_questions.json", truth)
    write_jsonl(f"{out}/llava_gqa_testdev_balanced.jsonl", questions)
    write_jsonl(f"{out}/answers.jsonl", answers)
    conv = f"{out}/../_tmp_gqa_predictions.json"
    llava_scripts.convert_gqa_for_eval(f"{out}/answers.jsonl", conv)
    predictions = json.load(open(conv, encoding="utf-8"))
    os.remove(conv)
    scores, correct = gqa_eval.evaluate(json.load(open(f"{out}/testdev_balanced_questions.json", encoding="utf-8")),
                                        predictions)
    write_json(f"{out}/expected.json", {
        "samples": {p["questionId"]: {"prediction": p["prediction"], "correct": correct.get(p["questionId"])}
                    for p in predictions},
        "metrics": {"acc": scores["accuracy"], "binary": scores["binary"], "open": scores["open"]}})


# ----------------------------------------------------------------------------------------------------------------
# POPE

POPE_ANSWERS = ["Yes", "No", "no", "NO", "Not", "No, there is no dog.", "Yes, there is a dog. No doubt.",
                "There is not a dog", "Yes, no", "yes.no", "no\nthere", "none", "I don't know", "Nope", "no,", ",no",
                "", "Yes there is no", "not.", "No\u00a0there", "yes", "Yes.", "There is a dog.", "NO, no", "nó",
                "Ｎo", "No there isn't", "not sure", "No.", "Yes, not", "no no"]


def make_pope(rng, out, n_per):
    os.makedirs(f"{out}/coco")
    questions, answers, labels = [], [], {c: [] for c in ("adversarial", "popular", "random")}
    qid = 1
    order = [c for c in labels for _ in range(n_per)]
    rng.shuffle(order)
    for cat in order:
        label = rng.choice(["yes", "no"])
        text = f"Is there a thing {qid} in the image?\nAnswer the question using a single word or phrase."
        questions.append({"question_id": qid, "image": f"COCO_val2014_{qid:012d}.jpg", "text": text, "category": cat})
        labels[cat].append({"question_id": qid, "image": f"COCO_val2014_{qid:012d}.jpg", "text": text, "label": label})
        pred = rng.choice(POPE_ANSWERS) if rng.random() < 0.8 else gen_text(rng, 4)
        answers.append(llava_answer(qid, text, pred, qid))
        qid += 1
    write_jsonl(f"{out}/llava_pope_test.jsonl", questions)
    for cat, rows in labels.items():
        write_jsonl(f"{out}/coco/coco_pope_{cat}.json", rows)
    write_jsonl(f"{out}/answers.jsonl", answers)
    # eval_pope.py's __main__, per category, reading what it prints (floats print as their repr)
    qs = {q["question_id"]: q for q in questions}
    all_answers = [json.loads(l) for l in open(f"{out}/answers.jsonl", encoding="utf-8")]
    metrics, parsed = {}, {}
    for file in sorted(os.listdir(f"{out}/coco")):
        category = file[10:-5]
        cur = [x for x in all_answers if qs[x["question_id"]]["category"] == category]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            llava_eval_pope.eval_pope(cur, os.path.join(f"{out}/coco", file))
        printed = dict(re.findall(r"^(Accuracy|Precision|Recall|F1 score|Yes ratio): (.*)$", buf.getvalue(), re.M))
        tp, fp, tn, fn = map(int, buf.getvalue().split("\n")[1].split("\t"))
        metrics[category] = {"acc": float(printed["Accuracy"]), "precision": float(printed["Precision"]),
                             "recall": float(printed["Recall"]), "f1": float(printed["F1 score"]),
                             "yes_ratio": float(printed["Yes ratio"]), "tp": tp, "fp": fp, "tn": tn, "fn": fn}
        for x in cur:
            parsed[str(x["question_id"])] = x["text"]  # eval_pope replaced the text by its yes/no
    write_json(f"{out}/expected.json", {"samples": parsed, "metrics": {"splits": metrics}})


# ----------------------------------------------------------------------------------------------------------------
# MME

MME_ANSWERS = ["Yes", "No", "yes", "no", "YES, it is", "No.", "not sure", "Nope", "none", "unknown", "There is no",
               "I think yes", "n", "noyes", "ye s", "yeah", "Nah", "óyes", "İyes", "Yes.", " yes", "ｙｅｓ", "nö",
               "No, there is not.", "Yes, there is.", "", "Yes yes", "NO!", "maybe", "Noooo", "yesno"]


def make_mme(rng, out, n_images):
    root = f"{out}/MME_Benchmark_release_version"
    tasks = mme_eval.eval_type_dict["Perception"] + mme_eval.eval_type_dict["Cognition"]
    nested = {"artwork", "celebrity", "landmark", "posters", "scene"}
    questions, answers = [], []
    n = 0
    for task in tasks:
        qa_dir = f"{root}/{task}/questions_answers_YN" if task in nested else f"{root}/{task}"
        os.makedirs(qa_dir)
        if task in nested:  # the official layout: images/ beside questions_answers_YN/ (git keeps no empty folder)
            os.makedirs(f"{root}/{task}/images")
            open(f"{root}/{task}/images/.gitkeep", "w").close()
        good_answers = 0
        for k in range(n_images):
            image = f"{k:05d}" + (".jpg" if k % 3 else ".png")
            lines = []
            for gt in ("Yes", "No"):
                q = f"Is this {task} number {k} {'right' if gt == 'Yes' else 'wrong'}?"
                two_spaces = rng.random() < 0.15  # the ground truth's own spelling
                lines.append(f"{q}{'  ' if two_spaces else ' '}Please answer yes or no.\t{gt}")
                if rng.random() < 0.5:  # the question file spells the suffix as the ground truth does
                    text = f"{q}{'  ' if two_spaces else ' '}Please answer yes or no."
                else:
                    text = f"{q}\nAnswer the question using a single word or phrase."
                qid = f"{task}/{image}"
                questions.append({"question_id": qid, "image": f"{task}/{image}", "text": text, "category": task})
                pred = rng.choice(MME_ANSWERS)
                good_answers += pred.lower()[:4].find("yes") >= 0 or pred.lower()[:4].find("no") >= 0
                answers.append(llava_answer(qid, text, pred, n))
                n += 1
            with open(f"{qa_dir}/{image.split('.')[0]}.txt", "w", encoding="utf-8") as f:
                f.write("\r\n".join(lines) + "\r\n")
        assert good_answers > 0
    write_jsonl(f"{out}/llava_mme.jsonl", questions)
    write_jsonl(f"{out}/answers.jsonl", answers)
    result_dir = f"{out}/../_tmp_mme_results"
    mme_eval.convert(f"{out}/answers.jsonl", root, result_dir)
    buf = io.StringIO()
    calc = mme_eval.calculate_metrics()
    with contextlib.redirect_stdout(buf):
        calc.process_result(result_dir)
    text = buf.getvalue()
    totals = [float(x) for x in re.findall(r"^total score: (\S+)", text, re.M)]
    subtasks = {t: float(s) for t, s in re.findall(r"^\t (\S+)  score: (\S+)$", text, re.M)}
    parsed = []
    for task in tasks:  # the parse of each line as process_result reads it
        for l in open(f"{result_dir}/{task}.txt").readlines():
            parsed.append(calc.parse_pred_ans(l.split("\t")[3].lower()))
    shutil.rmtree(result_dir)
    by_task = {t: [] for t in tasks}
    for a, q in zip(answers, questions):
        by_task[q["category"]].append(a)
    order = [a for t in tasks for a in by_task[t]]
    write_json(f"{out}/expected.json", {
        "samples": [[a["question_id"], a["text"], p] for a, p in zip(order, parsed)],
        "metrics": {"perception": totals[0], "cognition": totals[1], "subtasks": subtasks}})


# ----------------------------------------------------------------------------------------------------------------
# ScienceQA

SQA_FORMS = ["{L}", "{L}.", "{L}. {o}", "{L}. ", "The answer is {L}.", "The answer is {L}", "The answer is {L}x",
             "The answer is {L}.\nThe answer is {M}.", "The answer is The answer is {L}.", "({L})", "{l}", " {L}",
             "{L} ", "", "F", "E", "The answer is {l}.", "the answer is {L}.", "{L}{M}", "The answer is Ä.",
             "The answer is {L}é", "Answer: {L}", "The answer is {L}. The answer is {L}.", "FAILED", "{o}"]


def make_scienceqa(rng, out, n):
    os.makedirs(out)
    problems, test_ids, llava_q, answers = {}, [], [], []
    for i in range(n + 50):
        pid = str(4 + i * 5)
        n_choices = rng.randint(2, 5)
        choices = [rng.choice(WORDS + NONASCII) + f" {k}" for k in range(n_choices)]
        answer = rng.randrange(n_choices)
        has_image = rng.random() < 0.6
        split = "test" if i < n else "val"
        problems[pid] = {"question": f"Which is right {i}?", "choices": choices, "answer": answer, "hint": "",
                         "image": "image.png" if has_image else None, "task": "closed choice", "grade": "grade4",
                         "subject": rng.choice(["natural science", "social science", "language science"]),
                         "topic": "x", "category": "y", "skill": "z", "lecture": "", "solution": "", "split": split}
        if split != "test":
            continue
        test_ids.append(pid)
        opts = " ".join(f"({'ABCDE'[k]}) {c}" for k, c in enumerate(choices))
        value = f"Context: N/A\nQuestion: Which is right {i}?\nOptions: {opts}"
        entry = {"id": pid, "conversations": [{"from": "human", "value": ("<image>\n" if has_image else "") + value},
                                              {"from": "gpt", "value": f"The answer is {'ABCDE'[answer]}."}]}
        if has_image:
            entry["image"] = f"{pid}/image.png"
        llava_q.append(entry)
        if rng.random() < 0.04:
            continue  # unanswered: the script counts it as FAILED and text-only
        L = "ABCDE"[answer] if rng.random() < 0.6 else rng.choice("ABCDE")
        M = rng.choice("ABCDE")
        text = rng.choice(SQA_FORMS).format(L=L, l=L.lower(), M=M, o=choices[0])
        prompt = ("<image>\n" if has_image else "") + value + "\nAnswer with the option's letter from the given " \
                                                              "choices directly."
        answers.append(llava_answer(pid, prompt, text, i))
    write_json(f"{out}/problems.json", problems)
    write_json(f"{out}/pid_splits.json", {"test": test_ids, "val": [p for p in problems if p not in test_ids]})
    write_json(f"{out}/llava_test_CQM-A.json", llava_q)
    write_jsonl(f"{out}/answers.jsonl", answers)
    tmp = tempfile.mkdtemp()
    cmd = [sys.executable, "-m", "llava.eval.eval_science_qa", "--base-dir", out, "--result-file",
           f"{out}/answers.jsonl", "--output-file", f"{tmp}/output.json", "--output-result", f"{tmp}/result.json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result = json.load(open(f"{tmp}/result.json"))
    output = json.load(open(f"{tmp}/output.json"))
    shutil.rmtree(tmp)
    mm_correct = len([x for x in output["correct"] if x["is_multimodal"]])
    mm_total = mm_correct + len([x for x in output["incorrect"] if x["is_multimodal"]])
    parsed = {x["question_id"]: [x["parsed_ans"], k == "correct"] for k in ("correct", "incorrect") for x in output[k]}
    write_json(f"{out}/expected.json", {
        "samples": parsed,
        "metrics": {"acc": result["acc"], "img_acc": mm_correct / mm_total * 100, "correct": result["correct"],
                    "count": result["count"]},
        "printed": proc.stdout.strip().splitlines()[-1]})


# ----------------------------------------------------------------------------------------------------------------
# MMBench (dev, with circular copies) and MMBench-CN: TSV, the submission .xlsx, VLMEvalKit's circular evaluation

L2 = ["coarse_perception", "finegrained_perception (instance-level)", "finegrained_perception (cross-instance)",
      "logic_reasoning", "relation_reasoning", "attribute_reasoning"]
PNG_1x1 = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(80))).decode()  # image bytes are not decoded here


def make_mmbench(rng, out, n, lang):
    os.makedirs(out)
    header = ["index", "question", "hint", "A", "B", "C", "D", "answer", "category", "image", "source", "l2-category",
              "comment", "split"]
    rows, answers = [], []
    opt_pool = WORDS + NONASCII + ["1", "2", "3", "4", "nan", "None", "N/A", "红色", "蓝色", "是的", "Blue Sky",
                                   "a red car", "the green one", "\"quoted\" option", "x\ty"]
    for g in range(n):
        k = rng.choice([2, 3, 4, 4, 4])
        options = []
        while len(options) < k:
            o = rng.choice(opt_pool)
            if o in ("nan", "None", "N/A") and len(options) < k - 1:
                continue  # a missing middle option would end LLaVA's option list early; keep them last only
            if o not in options:
                options.append(o)
        answer = rng.randrange(k)
        l2 = rng.choice(L2)
        category = f"{l2.split('_')[0]}_{rng.randint(1, 3)}"
        hint = rng.choice(["", "", "nan", "A hint about the image", "提示：看图", "None"])
        question = ("这是什么颜色" if lang == "cn" else "What is shown") + f" {g}?"
        for rot in range(k):  # circular copies: options rotated, the answer letter follows its option
            index = g + rot * 1000000
            opts = options[rot:] + options[:rot]
            letter = "ABCD"[(answer - rot) % k]
            cells = [str(index), question, hint] + opts + [""] * (4 - k) + \
                    [letter, category, PNG_1x1 if rot == 0 else str(g), "gen", l2, "", "dev"]
            rows.append(cells)
            if rng.random() < 0.06:
                continue  # unanswered row: an empty prediction cell, read back as "nan"
            L = letter if rng.random() < 0.7 else rng.choice("ABCD"[:k] + "EZ")
            M = rng.choice("ABCD"[:k])
            o = opts["ABCD".index(L)] if L in "ABCD"[:k] else opts[0]
            text = rng.choice(LETTER_FORMS).format(L=L, l=L.lower(), M=M, o=o, O=str(o).upper())
            if rng.random() < 0.1:
                text = gen_text(rng, 4)
            # openpyxl refuses control characters, so LLaVA's converter cannot write them (dpn warns instead)
            text = re.sub(r"[\000-\010]|[\013-\014]|[\016-\037]", " ", text)
            answers.append(llava_answer(index, question, text, len(answers)))
    rng.shuffle(rows)

    def tsv_field(v):
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in '"\t\n') else v

    name = "mmbench_dev_cn_20231003.tsv" if lang == "cn" else "mmbench_dev_20230712.tsv"
    with open(f"{out}/{name}", "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(tsv_field(v) for v in r) + "\n")
    write_jsonl(f"{out}/answers.jsonl", answers)
    # LLaVA's converter, then VLMEvalKit's evaluate_heuristic with the exact-matching judge
    xlsx = f"{out}/../_tmp_mmbench.xlsx"
    llava_scripts.convert_mmbench_for_submission(f"{out}/{name}", f"{out}/answers.jsonl", xlsx)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    table = [[c.value for c in row] for row in ws.iter_rows()]
    data = pd.read_excel(xlsx)
    os.remove(xlsx)
    data = data.sort_values(by="index")
    data["prediction"] = [str(x) for x in data["prediction"]]
    for k in list(data.keys()):
        data[k.lower() if k not in list("ABCDEFGHIJKLMNOPQRSTUVWXYZ") else k] = data.pop(k)
    meta = pd.read_csv(f"{out}/{name}", sep="\t")
    parsed = {}
    for i in range(len(data)):
        item = data.iloc[i]
        parsed[str(int(item["index"]))] = vlmevalkit_mcq.prefetch_answer(item) or ""
    data_main = vlmevalkit_mcq.mcq_circular_eval_exact(data, meta)
    acc = vlmevalkit_mcq.report_acc(data_main)
    write_json(f"{out}/expected.json", {
        "samples": parsed,
        "hits": {str(int(i)): int(h) for i, h in zip(data_main["index"], data_main["hit"])},
        "metrics": {"Overall": float(acc["Overall"][0])},
        "xlsx": {"columns": table[0], "rows": table[1:]}})


# ----------------------------------------------------------------------------------------------------------------
# SEED-Bench

SEED_TYPES = {"Scene Understanding": 1, "Instance Identity": 2, "Instance Attributes": 3, "Instance Location": 4,
              "Instances Counting": 5, "Spatial Relation": 6, "Instance Interaction": 7, "Visual Reasoning": 8,
              "Text Understanding": 9, "Action Recognition": 10, "Action Prediction": 11, "Procedure Understanding": 12}


def make_seed(rng, out, n):
    os.makedirs(out)
    qs, llava_q, answers = [], [], []
    for i in range(n):
        t = rng.randint(1, 12)
        qid = 101669 + i
        gold = rng.choice("ABCD")
        qs.append({"answer": gold, "choice_a": "a", "choice_b": "b", "choice_c": "c", "choice_d": "d",
                   "data_id": f"{qid}.jpg", "data_type": "image" if t <= 9 else "video", "question": f"Q{i}?",
                   "question_id": str(qid), "question_type_id": t})
        text = f"Q{i}?\nA. a\nB. b\nC. c\nD. d\nAnswer with the option's letter from the given choices directly."
        llava_q.append({"image": f"SEED-Bench-image/{qid}.jpg", "text": text, "category": "x", "question_id": qid})
        L = gold if rng.random() < 0.6 else rng.choice("ABCD")
        form = "{L}" if rng.random() < 0.7 else rng.choice(["{L}.", "({L})", "{l}", " {L}", "{L} ", "Ａ",
                                                             "The answer is {L}", "{L}\n"])
        answers.append(llava_answer(qid, text, form.format(L=L, l=L.lower()), i))
    data = {"questions": qs, "question_type": SEED_TYPES}
    write_json(f"{out}/SEED-Bench.json", data)
    write_jsonl(f"{out}/llava-seed-bench.jsonl", llava_q)
    write_jsonl(f"{out}/answers.jsonl", answers)
    results, printed = llava_scripts.seed_eval_single(data, f"{out}/answers.jsonl")
    _, img = llava_scripts.seed_eval_single(data, f"{out}/answers.jsonl", "image")
    _, vid = llava_scripts.seed_eval_single(data, f"{out}/answers.jsonl", "video")
    correct = {q["question_id"]: results[int(q["question_id"])]["text"] == q["answer"] for q in qs}
    write_json(f"{out}/expected.json", {"samples": correct, "metrics": {
        "acc": printed["total"], "image_acc": img["image"], "video_acc": vid["video"],
        "question_types": {k: v for k, v in printed.items() if k != "total"}}})


# ----------------------------------------------------------------------------------------------------------------
# VizWiz and MM-Vet: the files their servers / judges take

def make_vizwiz_mmvet(rng, out, n):
    os.makedirs(f"{out}/vizwiz")
    os.makedirs(f"{out}/mmvet")
    q, a = [], []
    for i in range(n):
        text = f"What is this {i}?\nWhen the provided information is insufficient, respond with 'Unanswerable'.\n" \
               "Answer the question using a single word or phrase."
        q.append({"question_id": i, "image": f"VizWiz_test_{i:08d}.jpg", "text": text})
        a.append(llava_answer(i, text, gen_text(rng, 3), i))
    write_jsonl(f"{out}/vizwiz/llava_test.jsonl", q)
    write_jsonl(f"{out}/vizwiz/answers.jsonl", a)
    llava_scripts.convert_vizwiz_for_submission(f"{out}/vizwiz/llava_test.jsonl", f"{out}/vizwiz/answers.jsonl",
                                                f"{out}/vizwiz/expected_upload.json")
    q, a = [], []
    for i in range(n):
        text = f"Describe the chart {i} in detail."
        q.append({"question_id": i, "image": f"v1_{i}.png", "text": text})
        a.append(llava_answer(i, text, gen_text(rng, 5) + "\n\n" + gen_text(rng, 5), i))
    write_jsonl(f"{out}/mmvet/llava-mm-vet.jsonl", q)
    write_jsonl(f"{out}/mmvet/answers.jsonl", a)
    llava_scripts.convert_mmvet_for_eval(f"{out}/mmvet/answers.jsonl", f"{out}/mmvet/expected_results.json")


# ----------------------------------------------------------------------------------------------------------------

def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "data", "eval", "official"))
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    rng = random.Random(args.seed)
    write_json(f"{out}/unicode.json", make_unicode())
    write_jsonl(f"{out}/strings.jsonl", make_strings(rng, 2000))
    make_vqav2(rng, f"{out}/vqav2", 500)
    make_textvqa(rng, f"{out}/textvqa", 500)
    make_gqa(rng, f"{out}/gqa", 500)
    make_pope(rng, f"{out}/pope", 200)
    make_mme(rng, f"{out}/mme", 6)
    make_scienceqa(rng, f"{out}/scienceqa", 400)
    make_mmbench(rng, f"{out}/mmbench", 150, "en")
    make_mmbench(rng, f"{out}/mmbench_cn", 60, "cn")
    make_seed(rng, f"{out}/seed", 400)
    make_vizwiz_mmvet(rng, out, 40)
    import llava
    vendored = {f: sha256(os.path.join(HERE, "official", f)) for f in sorted(os.listdir(os.path.join(HERE, "official")))
                if f.endswith(".py")}
    write_json(f"{out}/manifest.json", {
        "script": "tests/eval/make_eval_fixtures.py", "script_sha256": sha256(os.path.abspath(__file__)),
        "vendored_sha256": vendored, "seed": args.seed,
        "versions": {"python": platform.python_version(), "unicode": unicodedata.unidata_version,
                     "llava-torch": getattr(llava, "__version__", "1.2.2.post1"), "pandas": pd.__version__,
                     "openpyxl": openpyxl.__version__, "scikit-learn": sklearn.__version__}})
    total = 0
    for root, _, files in os.walk(out):
        for f in sorted(files):
            total += os.path.getsize(os.path.join(root, f))
    print(f"wrote {out}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
