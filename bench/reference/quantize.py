"""Dynamic int8 variants of a transformers.js model folder, and their cosine against fp32 (issue 10.4).

Usage: python quantize.py MODEL_DIR OUT_ROOT CORPUS_DIR [--n 200]
For each variant, writes OUT_ROOT/<name>/ (the model's files linked, onnx/model_quantized.onnx quantized, so
`rag --model-path OUT_ROOT/<name> --dtype q8` loads it) and prints one JSON line per variant: file size,
quantisation seconds, and the lowest / mean / 5th-percentile cosine against fp32 over N corpus pieces
(the tutorial's "# " split, distinct, evenly spaced; mean pooling, L2 norm, truncated at max_seq_length).
"""
import argparse
import glob
import json
import os
import time

import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

VARIANTS = {
    # name: quantize_dynamic arguments
    "q8-tensor": dict(weight_type=QuantType.QInt8, per_channel=False),
    "q8-channel": dict(weight_type=QuantType.QInt8, per_channel=True),
    "q8-matmul-channel": dict(weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"]),
    "qu8-matmul-channel-reduce": dict(
        weight_type=QuantType.QUInt8, per_channel=True, reduce_range=True, op_types_to_quantize=["MatMul"]
    ),
    # Weights only: the attention's activation x activation MatMuls (Q.K^T, scores.V) stay fp32.
    "q8-weights-tensor": dict(
        weight_type=QuantType.QInt8, per_channel=False, extra_options={"MatMulConstBOnly": True}
    ),
    "q8-weights-channel": dict(weight_type=QuantType.QInt8, per_channel=True, extra_options={"MatMulConstBOnly": True}),
    # The feed-forward output projections (GELU outliers in their input) stay fp32 as well.
    "qu8-channel-reduce-no-ffn-out": dict(
        weight_type=QuantType.QUInt8,
        per_channel=True,
        reduce_range=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=[f"/m/encoder/layer.{i}/output/dense/MatMul" for i in range(12)],
    ),
    "qu8-weights-channel-reduce": dict(
        weight_type=QuantType.QUInt8, per_channel=True, reduce_range=True, extra_options={"MatMulConstBOnly": True}
    ),
}


def embed(path: str, tok: Tokenizer, texts: list[str]) -> np.ndarray:
    opts = ort.SessionOptions()
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    names = {i.name for i in sess.get_inputs()}
    out = []
    for t in texts:
        enc = tok.encode(t)
        ids = np.array([enc.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        h = sess.run(None, feeds)[0][0].mean(axis=0)
        out.append(h / np.linalg.norm(h))
    return np.stack(out)


def link_folder(src: str, dst: str) -> None:
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for f in files:
            if rel == "onnx":
                continue
            target = os.path.join(dst, rel, f)
            if not os.path.lexists(target):
                os.symlink(os.path.join(os.path.abspath(root), f), target)
    os.makedirs(os.path.join(dst, "onnx"), exist_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("corpus")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--only", default="")
    a = ap.parse_args()

    max_len = 384
    sbert = os.path.join(a.model, "sentence_bert_config.json")
    if os.path.exists(sbert):
        max_len = int(json.load(open(sbert)).get("max_seq_length", max_len))
    tok = Tokenizer.from_file(os.path.join(a.model, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_len)

    pieces: list[str] = []
    seen = set()
    for f in sorted(glob.glob(os.path.join(a.corpus, "**", "*.md"), recursive=True)):
        for p in open(f, encoding="utf-8").read().split("# "):
            if p.strip() and p not in seen:
                seen.add(p)
                pieces.append(p)
    n = min(a.n, len(pieces))
    sample = [pieces[(i * len(pieces)) // n] for i in range(n)]

    fp32 = embed(os.path.join(a.model, "onnx", "model.onnx"), tok, sample)
    for name, kwargs in VARIANTS.items():
        if a.only and name not in a.only.split(","):
            continue
        dst = os.path.join(a.out, name)
        link_folder(a.model, dst)
        qpath = os.path.join(dst, "onnx", "model_quantized.onnx")
        t0 = time.perf_counter()
        if not os.path.exists(qpath):
            quantize_dynamic(os.path.join(a.model, "onnx", "model.onnx"), qpath, **kwargs)
        qsec = time.perf_counter() - t0
        q = embed(qpath, tok, sample)
        cos = (fp32 * q).sum(axis=1)
        print(
            json.dumps(
                {
                    "variant": name,
                    "args": {
                        k: (v.name if isinstance(v, QuantType) else (f"{len(v)} nodes" if k == "nodes_to_exclude" else v))
                        for k, v in kwargs.items()
                    },
                    "folder": dst,
                    "mb": round(os.path.getsize(qpath) / 1e6, 1),
                    "quantize_seconds": round(qsec, 1),
                    "n": n,
                    "cos_min": round(float(cos.min()), 4),
                    "cos_p5": round(float(np.percentile(cos, 5)), 4),
                    "cos_mean": round(float(cos.mean()), 4),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
