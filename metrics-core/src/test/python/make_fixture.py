#!/usr/bin/python3
"""Writes the scikit-learn reference fixture for metrics-core's tests.

Regenerate (from the repository root; needs Debian's python3-sklearn 1.2 and python3-numpy,
`apt-get install -y python3-sklearn`, run with /usr/bin/python3, not a pyenv python):

    /usr/bin/python3 metrics-core/src/test/python/make_fixture.py \
        metrics-core/src/test/resources/io/cifarstream/metrics/sklearn-fixture.json

The seed is fixed, so the output is the same on every run with the same numpy and sklearn.

Inputs: 5,000 records of 10-class float32 log-probabilities (log_softmax computed in float64, then
rounded to float32, as a classifier would emit them), with
  * logits spread up to about +-40 and beyond, so probabilities sit extremely close to 0 and 1
    (many float32 probabilities are exactly 1.0 or tiny, and some log-probs are below -103, where
    the float32 probability is 0);
  * exact ties: 400 records repeat another record's log-probabilities under a random label, and
    500 records have logits rounded to whole numbers in [-2, 2];
  * some -inf log-probabilities (a probability that underflowed to 0), never on the true class.
Log-probs are written as the shortest decimal strings that parse back to the same float32 (so the
Java side reads them with Float.parseFloat, one rounding), -inf as "-Infinity".

Outputs (sklearn 1.2, labels = 0..9 throughout, zero_division=0):
  confusion_matrix, accuracy_score, f1_score micro/macro/weighted, precision/recall/f1 per class,
  roc_auc_score(y == k, p_k) per class on the float32 probabilities p = float32(exp(float64(logp))),
  roc_curve(y == k, p_k) for classes 0..2 (default drop_intermediate=True, whose points are a subset
  of the full curve) and the full curve's length (drop_intermediate=False),
  log_loss(y, exp(float64(logp)), eps=1e-300): sklearn renormalizes each row; eps=1e-300 stands for
  "no clipping" (the script checks no true-class probability is that small), which is the
  definition metrics-core uses;
  prob_bits_sum: per class, the sum of the float32 bit patterns of p, so the Java test can check it
  derives the same float32 probabilities bit for bit.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, log_loss, precision_score,
                             recall_score, roc_auc_score, roc_curve)

SEED = 20261128
N = 5000
K = 10
LABELS = list(range(K))
ROC_CLASSES = 3  # curves of the first classes only: enough to check the points, and a smaller file


def log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    z = x - m
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def shortest(v):
    if np.isneginf(v):
        return "-Infinity"
    s = np.format_float_scientific(np.float32(v), unique=True)
    assert np.float32(float(s)) == v, (s, v)
    return s


def main(path):
    rng = np.random.default_rng(SEED)
    y = rng.integers(0, K, N)
    # Per-record temperature: from soft (0.5) to saturated (40, logits spread over about +-40 and beyond).
    scale = rng.choice([0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0], size=N)
    logits = rng.uniform(-1.0, 1.0, (N, K)) * scale[:, None]
    # Signal: the true class gets a boost of random size, so accuracy is well between chance and 1.
    logits[np.arange(N), y] += rng.normal(1.2, 0.8, N) * scale
    coarse = rng.choice(N, 500, replace=False)
    logits[coarse] = np.round(rng.uniform(-2.0, 2.0, (500, K)))
    logp = log_softmax(logits).astype(np.float32)
    # Exact ties across records: copies of other records' outputs under random labels.
    copies = rng.choice(N, 400, replace=False)
    sources = rng.choice(N, 400, replace=True)
    logp[copies] = logp[sources]
    y[copies] = rng.integers(0, K, 400)
    # Underflowed probabilities: -inf where the probability is already far below float32's range.
    tiny = (logp < -120.0) & (np.arange(K)[None, :] != y[:, None])
    rows = np.flatnonzero(tiny.any(axis=1))[:40]
    for r in rows:
        logp[r, tiny[r]] = -np.inf
    assert np.isneginf(logp).sum() > 0

    logp64 = logp.astype(np.float64)
    p64 = np.exp(logp64)
    p32 = p64.astype(np.float32)
    pred = np.argmax(logp, axis=1)

    eps = 1e-300
    assert (p64[np.arange(N), y] > eps).all(), "a true-class probability would be clipped"
    assert (p32 == 1.0).sum() > 100 and (p32 == 0.0).sum() > 100, "want saturated probabilities"

    roc = []
    for k in range(ROC_CLASSES):
        fpr, tpr, _ = roc_curve(y == k, p32[:, k])
        full_fpr, _, _ = roc_curve(y == k, p32[:, k], drop_intermediate=False)
        roc.append({"fpr": fpr.tolist(), "tpr": tpr.tolist(), "full_length": int(len(full_fpr)),
                    "distinct_scores": int(len(np.unique(p32[:, k])))})

    fixture = {
        "generator": "metrics-core/src/test/python/make_fixture.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "seed": SEED,
        "num_classes": K,
        "labels": y.tolist(),
        "log_probs": [[shortest(v) for v in row] for row in logp],
        "expected": {
            "count": N,
            "confusion": confusion_matrix(y, pred, labels=LABELS).tolist(),
            "accuracy": accuracy_score(y, pred),
            "f1_micro": f1_score(y, pred, labels=LABELS, average="micro", zero_division=0),
            "f1_macro": f1_score(y, pred, labels=LABELS, average="macro", zero_division=0),
            "f1_weighted": f1_score(y, pred, labels=LABELS, average="weighted", zero_division=0),
            "precision": precision_score(y, pred, labels=LABELS, average=None, zero_division=0).tolist(),
            "recall": recall_score(y, pred, labels=LABELS, average=None, zero_division=0).tolist(),
            "f1": f1_score(y, pred, labels=LABELS, average=None, zero_division=0).tolist(),
            "auc": [roc_auc_score(y == k, p32[:, k]) for k in range(K)],
            "log_loss": log_loss(y, p64, eps=eps, labels=LABELS),
            "roc": roc,
            "prob_bits_sum": [int(p32[:, k].view(np.int32).astype(np.int64).sum()) for k in range(K)],
        },
    }
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, "accuracy", fixture["expected"]["accuracy"], "log_loss", fixture["expected"]["log_loss"])


if __name__ == "__main__":
    main(sys.argv[1])
