#!/usr/bin/python3
"""Writes the scikit-learn reference fixture for the metrics topology's three views.

Regenerate (from the repository root; needs Debian's python3-sklearn 1.2 and python3-numpy,
`apt-get install -y python3-sklearn`, run with /usr/bin/python3, not a pyenv python):

    /usr/bin/python3 metrics-stream/src/test/python/make_topology_fixture.py \
        metrics-stream/src/test/resources/io/cifarstream/metricsstream/topology-sklearn-fixture.json

The seed is fixed, so the output is the same on every run with the same numpy and sklearn.

The input: two models score the same images; each prediction is float32 log-softmax output (computed in
float64, rounded to float32, as a classifier emits it), with saturated rows (float32 probabilities exactly
1.0 and exactly 0.0), whole-number logits (exact ties) and rows copied from other images (exact ties under
another label). Every image has an event time; a model's prediction arrives (Kafka record timestamp) a
little later, some of them 5-18 s later (late, but within the grace for some windows) and some 25-90 s
later (late beyond the grace). Each image's true class travels one of four ways:
  inline  - both predictions carry it;
  before  - on the labels topic before either prediction;
  between - on the labels topic after the first model's prediction and before the second's;
  after   - on the labels topic 1-45 s (some 70-100 s) after both predictions.
Events are listed in arrival order, the order a test pipes them in.

The expected numbers: a record is counted when its prediction and its label are both present (at the
prediction if the label was there first or inline, else at the label). Per model, in that order, the
views follow metrics-stream's ModelViews contract: windows of WINDOW_MS starting on multiples of
ADVANCE_MS (epoch-aligned), a record at event time t in every window with start <= t < end; stream time
= the largest event time counted so far; a window closes once end + grace <= stream time; a record for
a closed window is late and left out of that window only. Last-N = the last N counted records.

Each view's records go through scikit-learn 1.2 (labels 0..9, zero_division=0): confusion_matrix,
accuracy_score, f1_score micro/macro/weighted and per class, precision_score and recall_score per class,
roc_auc_score(y == k, p_k) per class on the float32 probabilities p = float32(exp(float64(logp)))
(null where the view lacks positives or negatives of k, where sklearn raises), auc_macro = mean of the
defined ones, and log_loss(y, exp(float64(logp)), eps=1e-300) - sklearn renormalizes each row; eps=1e-300
stands for "no clipping" (checked: no true-class probability is that small), metrics-core's definition.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, log_loss, precision_score,
                             recall_score, roc_auc_score)

SEED = 20261205
K = 10
LABELS = list(range(K))
N_IMAGES = 360
MODELS = ["cnn-a", "resnet-b"]
T0_MS = 1793620800000          # 2026-11-02T12:00:00Z, on the 10 s grid
WINDOW_MS = 60_000
ADVANCE_MS = 10_000
GRACE_MS = 10_000
LAST_N = 100
LABEL_WAIT_MS = 600_000
EPS = 1e-300


def log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    z = x - m
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def shortest(v):
    s = np.format_float_scientific(np.float32(v), unique=True)
    assert np.float32(float(s)) == v, (s, v)
    return s


def model_outputs(rng, y, skill):
    """float32 log-probs of one model: temperatures from soft to saturated, ties by rounding and copying."""
    n = len(y)
    scale = rng.choice([0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0], size=n)
    logits = rng.uniform(-1.0, 1.0, (n, K)) * scale[:, None]
    logits[np.arange(n), y] += rng.normal(skill, 0.8, n) * scale
    coarse = rng.choice(n, n // 8, replace=False)
    logits[coarse] = np.round(rng.uniform(-2.0, 2.0, (len(coarse), K)))
    logp = log_softmax(logits).astype(np.float32)
    copies = rng.choice(n, n // 10, replace=False)
    logp[copies] = logp[rng.choice(n, len(copies), replace=True)]
    return logp


def report(records):
    """sklearn's numbers for a list of (label, float32 log-probs) records."""
    y = np.array([r[0] for r in records])
    logp = np.array([r[1] for r in records], dtype=np.float32)
    logp64 = logp.astype(np.float64)
    p64 = np.exp(logp64)
    p32 = p64.astype(np.float32)
    pred = np.argmax(logp, axis=1)
    assert (p64[np.arange(len(y)), y] > EPS).all(), "a true-class probability would be clipped"
    auc = []
    for k in range(K):
        positives = int((y == k).sum())
        auc.append(None if positives in (0, len(y)) else roc_auc_score(y == k, p32[:, k]))
    defined = [a for a in auc if a is not None]
    return {
        "count": len(y),
        "confusion": confusion_matrix(y, pred, labels=LABELS).tolist(),
        "accuracy": accuracy_score(y, pred),
        "f1_micro": f1_score(y, pred, labels=LABELS, average="micro", zero_division=0),
        "f1_macro": f1_score(y, pred, labels=LABELS, average="macro", zero_division=0),
        "f1_weighted": f1_score(y, pred, labels=LABELS, average="weighted", zero_division=0),
        "precision": precision_score(y, pred, labels=LABELS, average=None, zero_division=0).tolist(),
        "recall": recall_score(y, pred, labels=LABELS, average=None, zero_division=0).tolist(),
        "f1": f1_score(y, pred, labels=LABELS, average=None, zero_division=0).tolist(),
        "auc": auc,
        "auc_macro": float(np.mean(defined)) if defined else None,
        "log_loss": log_loss(y, p64, eps=EPS, labels=LABELS),
    }


def timeline(rng, y):
    """Events in arrival order: ("P", model index, image, inline label or None, event ms, arrival ms) and
    ("L", image, label, arrival ms)."""
    events = []
    modes = rng.choice(["inline", "before", "between", "after"], size=N_IMAGES, p=[0.4, 0.2, 0.15, 0.25])
    for i in range(N_IMAGES):
        event = T0_MS + 600 * i + int(rng.integers(0, 400))
        arrivals = []
        for m in range(len(MODELS)):
            delay = int(rng.integers(20, 300)) if m == 0 else int(rng.integers(100, 900))
            lag = rng.random()
            if lag < 0.03:
                delay += int(rng.integers(25_000, 90_000))
            elif lag < 0.11:
                delay += int(rng.integers(5_000, 18_000))
            arrivals.append(event + delay)
        if abs(arrivals[0] - arrivals[1]) < 2:
            arrivals[1] = arrivals[0] + 2  # room for a label strictly between them
        mode = modes[i]
        label = int(y[i])
        for m in range(len(MODELS)):
            events.append(("P", m, i, label if mode == "inline" else None, event, arrivals[m]))
        if mode == "before":  # the predictions come 20 ms or more after the event
            events.append(("L", i, label, event + 10))
        elif mode == "between":
            events.append(("L", i, label, (min(arrivals) + max(arrivals)) // 2))
        elif mode == "after":
            wait = int(rng.integers(70_000, 100_000)) if rng.random() < 0.1 else int(rng.integers(1_000, 45_000))
            events.append(("L", i, label, max(arrivals) + wait))
    # Arrival order; equal times (of different images) keep their generation order.
    order = sorted(range(len(events)), key=lambda e: (events[e][-1], e))
    return [events[e] for e in order], modes


class Views:
    """One model's views, as ModelViews' javadoc defines them."""

    def __init__(self):
        self.counted = []
        self.windows = {}          # start -> records, open windows
        self.closed = {}           # start -> records, closed windows
        self.stream_time = None
        self.late_pairs = 0
        self.within_grace = 0      # (record, window) pairs counted although the window had ended

    def add(self, label, logp, t):
        self.counted.append((label, logp))
        self.stream_time = t if self.stream_time is None else max(self.stream_time, t)
        start = ((t - WINDOW_MS + ADVANCE_MS) // ADVANCE_MS) * ADVANCE_MS
        while start <= t:
            end = start + WINDOW_MS
            if end + GRACE_MS <= self.stream_time:
                self.late_pairs += 1
            else:
                if end <= self.stream_time:
                    self.within_grace += 1
                self.windows.setdefault(start, []).append((label, logp))
            start += ADVANCE_MS
        for s in sorted(self.windows):
            if s + WINDOW_MS + GRACE_MS <= self.stream_time:
                self.closed[s] = self.windows.pop(s)

    def current_window(self):
        for s in sorted(self.windows):
            if s + WINDOW_MS > self.stream_time:
                return s
        return None


def main(path):
    rng = np.random.default_rng(SEED)
    y = rng.integers(0, K, N_IMAGES)
    outputs = [model_outputs(rng, y, 1.4), model_outputs(rng, y, 0.7)]
    events, modes = timeline(rng, y)

    views = [Views() for _ in MODELS]
    pending = {}                   # image -> models whose prediction waits for its label
    labels = {}                    # image -> label seen on the labels topic
    for e in events:
        if e[0] == "P":
            _, m, i, inline, t, _ = e
            label = inline if inline is not None else labels.get(i)
            if label is None:
                pending.setdefault(i, []).append((m, t))
            else:
                views[m].add(label, outputs[m][i], t)
        else:
            _, i, label, arrival = e
            labels[i] = label
            # The join counts the waiting predictions of an image in the byte order of their model ids.
            for m, t in sorted(pending.pop(i, []), key=lambda waiting: MODELS[waiting[0]].encode()):
                views[m].add(label, outputs[m][i], t)
    assert not pending, "every prediction gets its label"
    assert all(len(v.counted) == N_IMAGES for v in views)
    assert all(v.late_pairs > 0 and v.within_grace > 0 for v in views), "want late records within and beyond grace"
    assert max_label_wait(events) < LABEL_WAIT_MS
    p32 = np.exp(np.concatenate(outputs).astype(np.float64)).astype(np.float32)
    assert (p32 == 1.0).sum() > 20 and (p32 == 0.0).sum() > 20, "want probabilities exactly 0 and 1"

    expected = {}
    for m, model in enumerate(MODELS):
        v = views[m]
        current = v.current_window()
        expected[model] = {
            "late_pairs": v.late_pairs,
            "stream_time": v.stream_time,
            "cumulative": report(v.counted),
            "last": report(v.counted[-LAST_N:]),
            "closed_windows": [dict(start=s, end=s + WINDOW_MS, **report(v.closed[s])) for s in sorted(v.closed)],
            "current_window": dict(start=current, end=current + WINDOW_MS, **report(v.windows[current])),
        }

    def encode(e):
        if e[0] == "P":
            _, m, i, inline, t, arrival = e
            return ["P", MODELS[m], "img-%04d" % i, inline, t, arrival, [shortest(x) for x in outputs[m][i]]]
        _, i, label, arrival = e
        return ["L", "img-%04d" % i, label, arrival]

    fixture = {
        "generator": "metrics-stream/src/test/python/make_topology_fixture.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "seed": SEED,
        "config": {"window_ms": WINDOW_MS, "advance_ms": ADVANCE_MS, "grace_ms": GRACE_MS, "last_n": LAST_N,
                   "label_wait_ms": LABEL_WAIT_MS},
        "label_modes": {mode: int((modes == mode).sum()) for mode in ["inline", "before", "between", "after"]},
        "events": [encode(e) for e in events],
        "expected": expected,
    }
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, "events", len(events), "windows closed",
          {model: len(expected[model]["closed_windows"]) for model in MODELS},
          "late pairs", {model: expected[model]["late_pairs"] for model in MODELS},
          "within grace", {MODELS[m]: views[m].within_grace for m in range(len(MODELS))})


def max_label_wait(events):
    """The longest a prediction waits for its label, or a label for its prediction, in arrival time."""
    predictions, labels, longest = {}, {}, 0
    for e in events:
        if e[0] == "P":
            predictions.setdefault(e[2], []).append(e[5])
        else:
            labels[e[1]] = e[3]
    for i, arrival in labels.items():
        for p in predictions[i]:
            longest = max(longest, abs(arrival - p))
    return longest


if __name__ == "__main__":
    main(sys.argv[1])
