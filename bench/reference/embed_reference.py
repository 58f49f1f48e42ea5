"""Reference embedder: Python onnxruntime + tokenizers over a transformers.js model folder.

Mean pooling over the attention mask, L2 normalisation, truncation at the model's max_seq_length,
length-sorted batches: at most N texts, and with "batch_tokens" B at most B padded tokens (count x longest), formed
exactly as rag's tokenBatches does. Reads JSON {"texts": [...], "batch": N, "batch_tokens": B, "threads": T,
"max_tokens": K, "vectors": bool} on stdin; writes JSON {"seconds", "tokens", "padded", "load_seconds", "vectors"?}.
Used by bench/ (speed reference) and scripts/check-embeddings (cosine check against rag).
"""
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def main() -> None:
    req = json.load(sys.stdin)
    folder = req["model"]
    texts = req["texts"]
    batch = int(req.get("batch", 16))
    threads = int(req.get("threads", os.cpu_count() or 1))
    t0 = time.perf_counter()
    tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    max_tokens = int(req.get("max_tokens") or 512)
    tok.no_padding()  # tokenizer.json may carry a fixed padding; batches are padded below, to their longest text
    tok.enable_truncation(max_length=max_tokens)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(folder, "onnx", "model.onnx"), opts, providers=["CPUExecutionProvider"])
    names = {i.name for i in sess.get_inputs()}
    load = time.perf_counter() - t0

    t1 = time.perf_counter()
    encs = tok.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: (len(encs[i].ids), i))
    out = [None] * len(texts)
    tokens = 0
    padded = 0
    budget = int(req.get("batch_tokens") or 0)
    batches: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    for i in order:
        n = len(encs[i].ids)
        widest = max(longest, n)
        if cur and (len(cur) >= batch or (budget and (len(cur) + 1) * widest > budget)):
            batches.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        batches.append(cur)
    for idx in batches:
        width = max(len(encs[i].ids) for i in idx)
        ids = np.ones((len(idx), width), dtype=np.int64)  # pad id 1 (mpnet); masked out anyway
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for r, i in enumerate(idx):
            n = len(encs[i].ids)
            ids[r, :n] = encs[i].ids
            mask[r, :n] = 1
            tokens += n
        padded += len(idx) * width
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = sess.run(None, feeds)[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        for r, i in enumerate(idx):
            out[i] = pooled[r]
    seconds = time.perf_counter() - t1
    res = {"batches": len(batches), "seconds": seconds, "tokens": tokens, "padded": padded, "load_seconds": load, "ort": ort.__version__}
    if req.get("vectors"):
        res["vectors"] = [v.tolist() for v in out]
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
