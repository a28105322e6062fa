#!/usr/bin/python3
"""Writes the numpy / scipy / scikit-learn reference for metrics-core's label-free estimates, calibration
metrics and drift checks (MonitoringParityTest).

Regenerate (from the repository root; needs Debian's python3-numpy, python3-scipy and python3-sklearn,
`apt-get install -y python3-scipy python3-sklearn`, run with /usr/bin/python3, not a pyenv python):

    /usr/bin/python3 metrics-core/src/test/python/make_monitoring_fixture.py \
        metrics-core/src/test/resources/io/cifarstream/metrics

It writes into that folder
  * monitoring-synthetic-records.bin: 5,000 seeded synthetic records (the first 3,000 are the reference,
    the last 2,000 the shifted target), in the layout below;
  * monitoring-fixture.json: the expected values for that set and for the real predictions in
    foreign-cnn-test-predictions.bin (testkit's foreign model on the CIFAR-10 test split, written by
    evaluation's LabelFreeEstimateMeasurement; the first 5,000 images are the reference, the last 5,000
    the target), plus the chi-square tail, incomplete gamma and channel-statistics references.
The seed is fixed, so the output is the same on every run with the same numpy and scipy.

Record layout (both .bin files): 73 bytes, little-endian: the label (uint8), 10 float32 natural-log
probabilities, 8 float32 image statistics (mean R, G, B, then standard deviation R, G, B of the image's
pixels scaled to [0, 1], then chroma and detail ratio).

Definitions computed here independently of the Java code:
  * calibrated probabilities p = softmax(l / T), prediction = numpy.argmax(l);
  * T: the minimizer of the mean NLL of softmax(l / T) (true-class log-prob floored at ln(5e-324)), by
    scipy.optimize.minimize_scalar (bounded, on ln T in [ln 0.01, ln 100]) and, to full precision, by
    scipy.optimize.brentq on its derivative in 1/T; everything below uses the brentq T;
  * ATC threshold: the (c+1)-th largest reference confidence, c = right reference predictions (0 if all);
  * ATC entropy threshold: the (c+1)-th largest reference negative entropy sum_k p_k ln p_k (over p_k > 0;
    -ln K if all are right);
  * estimated accuracies: AC = mean confidence, ATC = mean(confidence > t), ATC-NE = mean(negative entropy >
    entropy threshold), estimated_accuracy = min(AC, ATC-NE); estimated confusion E[i][j] = sum of p_i over the
    predictions of class j; estimated F1 per class 2 E_kk / (row_k + col_k) and their mean;
  * ECE with 15 bins (lower, upper] from numpy.linspace(0, 1, 16) (the usual loop of Guo et al.);
    reliability bins; sklearn.metrics.brier_score_loss(y == k, p_k) per class; multi-class Brier;
  * scipy.stats.chisquare(observed predicted-class counts, reference shares x observed total);
    scipy.stats.chi2.isf(0.01, df); scipy.spatial.distance.jensenshannon (natural log) of predicted-class
    counts, confidence histograms and image-statistic histograms (20 bins on [0, 1] for means, on
    [0, 0.5] for standard deviations and chroma, on [0.4, 1] for the detail ratio);
  * image statistics of real pixels: numpy's mean and std of x / 255 per channel, the mean of
    (max - min over RGB) / 255, and the sum of |differences| of neighbours over that of pixels two apart
    (right and below, every channel; the latter sum taken as at least 1).
The script asserts that no confidence lies within 1e-9 of a bin edge or of the ATC threshold, and no negative
entropy within 1e-9 of the entropy threshold, so that the last-bit differences between numpy's exp and log and
Java's StrictMath cannot move a record across one.
"""
import base64
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy import optimize, special, stats
from scipy.spatial.distance import jensenshannon
from sklearn.metrics import brier_score_loss

SEED = 20261207
K = 10
RECORD = np.dtype([("label", "u1"), ("log_probs", "<f4", (K,)), ("stats", "<f4", (8,))])
LOG_FLOOR = np.log(np.nextafter(0, 1))  # ln(Double.MIN_VALUE)
T_MIN, T_MAX = 0.01, 100.0
ALPHA = 0.01


def edges(lower, upper, count):
    return lower + (upper - lower) * np.arange(count + 1) / count


CONFIDENCE_EDGES = edges(0.0, 1.0, 15)
MEAN_EDGES = edges(0.0, 1.0, 20)
STD_EDGES = edges(0.0, 0.5, 20)
CHROMA_EDGES = edges(0.0, 0.5, 20)
DETAIL_EDGES = edges(0.4, 1.0, 20)


def histogram(values, bin_edges):
    """Counts per bin (edge_i, edge_i+1], the first bin also taking values at or below the lowest edge."""
    index = np.searchsorted(bin_edges[1:-1], values, side="left")
    return np.bincount(index, minlength=len(bin_edges) - 1)


def calibrated(logp, temperature):
    l = logp.astype(np.float64)
    m = l.max(axis=1, keepdims=True)
    e = np.exp((l - m) / temperature)
    return e / e.sum(axis=1, keepdims=True)


def nll(temperature, logp, y):
    l = logp.astype(np.float64)
    m = l.max(axis=1)
    z = (l - m[:, None]) / temperature
    truth = np.maximum(l[np.arange(len(y)), y], LOG_FLOOR)
    return float(np.mean(special.logsumexp(z, axis=1) - (truth - m) / temperature))


def nll_slope_in_beta(beta, logp, y):
    l = logp.astype(np.float64)
    m = l.max(axis=1)
    d = l - m[:, None]
    p = np.exp(beta * d)
    p /= p.sum(axis=1, keepdims=True)
    expected = np.where(p > 0, p * np.where(np.isfinite(d), d, 0.0), 0.0).sum(axis=1)
    truth = np.maximum(l[np.arange(len(y)), y], LOG_FLOOR) - m
    return float(np.mean(expected - truth))


def fit_temperature(logp, y):
    by_minimize = optimize.minimize_scalar(lambda u: nll(np.exp(u), logp, y), bounds=(np.log(T_MIN), np.log(T_MAX)),
                                           method="bounded", options={"xatol": 1e-10})
    beta = optimize.brentq(lambda b: nll_slope_in_beta(b, logp, y), 1 / T_MAX, 1 / T_MIN, xtol=1e-16, rtol=8.9e-16)
    return float(np.exp(by_minimize.x)), 1.0 / beta


def negative_entropy(p):
    return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=1)


def assert_clear_of(values, cuts, what):
    """No value within 1e-9 of a cut, but for saturated confidences of exactly 1.0 (1 / 1.0 on both sides)."""
    values = values[values != 1.0]
    gap = np.min(np.abs(values[:, None] - np.asarray(cuts)[None, :]))
    assert gap > 1e-9, f"a {what} lies {gap} from a cut: change the seed"


def expected_values(ref, target):
    y_ref = ref["label"].astype(np.int64)
    y = target["label"].astype(np.int64)
    t_minimize, temperature = fit_temperature(ref["log_probs"], y_ref)

    p_ref = calibrated(ref["log_probs"], temperature)
    pred_ref = np.argmax(ref["log_probs"], axis=1)
    conf_ref = p_ref[np.arange(len(y_ref)), pred_ref]
    right = int((pred_ref == y_ref).sum())
    ordered = np.sort(conf_ref)[::-1]
    threshold = float(ordered[right]) if right < len(ordered) else 0.0
    assert_clear_of(conf_ref, CONFIDENCE_EDGES[1:-1], "reference confidence")
    ne_ref = negative_entropy(p_ref)
    ordered_ne = np.sort(ne_ref)[::-1]
    entropy_threshold = float(ordered_ne[right]) if right < len(ordered_ne) else -np.log(K)

    p = calibrated(target["log_probs"], temperature)
    pred = np.argmax(target["log_probs"], axis=1)
    conf = p[np.arange(len(y)), pred]
    assert_clear_of(conf, np.append(CONFIDENCE_EDGES[1:-1], threshold), "target confidence")
    ne = negative_entropy(p)
    assert np.min(np.abs(ne - entropy_threshold)) > 1e-9, "a target negative entropy lies at the threshold"

    ac = float(conf.mean())
    atc = float((conf > threshold).mean())
    atc_ne = float((ne > entropy_threshold).mean())
    confusion = p.T @ np.eye(K)[pred]  # [i][j] = sum of p_i over predictions of j
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    f1 = np.where(support + predicted > 0, 2 * np.diag(confusion) / np.maximum(support + predicted, 1e-300), 0.0)

    # ECE: the usual loop over (lower, upper] bins.
    boundaries = np.linspace(0, 1, 16)
    ece = 0.0
    reliability = []
    for lower, upper in zip(boundaries[:-1], boundaries[1:]):
        in_bin = (conf > lower) & (conf <= upper)
        share = in_bin.mean()
        if share > 0:
            ece += abs((pred[in_bin] == y[in_bin]).mean() - conf[in_bin].mean()) * share
            reliability.append({"count": int(in_bin.sum()), "mean_confidence": float(conf[in_bin].mean()),
                                "accuracy": float((pred[in_bin] == y[in_bin]).mean())})
        else:
            reliability.append({"count": 0, "mean_confidence": None, "accuracy": None})
    brier_per_class = [float(brier_score_loss((y == k).astype(int), p[:, k])) for k in range(K)]
    onehot = np.eye(K)[y]
    brier = float(np.mean(np.sum((p - onehot) ** 2, axis=1)))

    # Drift against the reference.
    ref_counts = np.bincount(pred_ref, minlength=K)
    assert (ref_counts > 0).all(), "every class must be predicted in the reference"
    counts = np.bincount(pred, minlength=K)
    chi = stats.chisquare(counts, ref_counts / ref_counts.sum() * counts.sum())
    drift = {
        "predicted_class_chi_square": {"statistic": float(chi.statistic), "p_value": float(chi.pvalue),
                                       "bound": float(stats.chi2.isf(ALPHA, K - 1))},
        "predicted_class_js": {"statistic": float(jensenshannon(counts, ref_counts))},
        "confidence_js": {"statistic": float(jensenshannon(histogram(conf, CONFIDENCE_EDGES),
                                                           histogram(conf_ref, CONFIDENCE_EDGES)))},
    }
    ref_stats = ref["stats"].astype(np.float64)
    stats_now = target["stats"].astype(np.float64)
    for c, colour in enumerate(["red", "green", "blue"]):
        drift[f"image_mean_{colour}_js"] = {"statistic": float(jensenshannon(
            histogram(stats_now[:, c], MEAN_EDGES), histogram(ref_stats[:, c], MEAN_EDGES)))}
        drift[f"image_std_{colour}_js"] = {"statistic": float(jensenshannon(
            histogram(stats_now[:, 3 + c], STD_EDGES), histogram(ref_stats[:, 3 + c], STD_EDGES)))}
    drift["image_chroma_js"] = {"statistic": float(jensenshannon(
        histogram(stats_now[:, 6], CHROMA_EDGES), histogram(ref_stats[:, 6], CHROMA_EDGES)))}
    drift["image_detail_js"] = {"statistic": float(jensenshannon(
        histogram(stats_now[:, 7], DETAIL_EDGES), histogram(ref_stats[:, 7], DETAIL_EDGES)))}

    return {
        "reference_count": len(y_ref),
        "target_count": len(y),
        "calibration": {
            "temperature": temperature,
            "temperature_by_minimize_scalar": t_minimize,
            "nll_at_temperature": nll(temperature, ref["log_probs"], y_ref),
            "nll_at_temperature_by_minimize_scalar": nll(t_minimize, ref["log_probs"], y_ref),
            "atc_threshold": threshold,
            "atc_entropy_threshold": entropy_threshold,
            "reference_accuracy": right / len(y_ref),
            "predicted_class_counts": ref_counts.tolist(),
            "confidence_histogram": histogram(conf_ref, CONFIDENCE_EDGES).tolist(),
            "channel_mean_histograms": [histogram(ref_stats[:, c], MEAN_EDGES).tolist() for c in range(3)],
            "channel_std_histograms": [histogram(ref_stats[:, 3 + c], STD_EDGES).tolist() for c in range(3)],
            "chroma_histogram": histogram(ref_stats[:, 6], CHROMA_EDGES).tolist(),
            "detail_histogram": histogram(ref_stats[:, 7], DETAIL_EDGES).tolist(),
        },
        "estimate": {
            "estimated_accuracy_ac": ac,
            "estimated_accuracy_atc": atc,
            "estimated_accuracy_atc_ne": atc_ne,
            "estimated_accuracy": min(ac, atc_ne),
            "estimated_confusion": confusion.tolist(),
            "estimated_f1": f1.tolist(),
            "estimated_f1_macro": float(f1.mean()),
            "accuracy": float((pred == y).mean()),
        },
        "calibration_error": {
            "accuracy": float((pred == y).mean()),
            "mean_confidence": ac,
            "ece": float(ece),
            "reliability": reliability,
            "brier_per_class": brier_per_class,
            "brier": brier,
            "brier_class_mean": float(np.mean(brier_per_class)),
        },
        "drift": drift,
    }


def synthetic_records(rng):
    """3,000 reference and 2,000 target records; the target is shifted (softer, other class prior, darker)."""
    def records(n, scale_choices, prior, mean_shift, std_factor, detail_shift):
        y = rng.choice(K, size=n, p=prior)
        scale = rng.choice(scale_choices, size=n)
        logits = rng.normal(0.0, 1.0, (n, K)) * scale[:, None]
        logits[np.arange(n), y] += rng.normal(1.5, 1.0, n) * scale
        whole = rng.choice(n, n // 10, replace=False)
        logits[whole] = np.round(logits[whole])
        z = logits - logits.max(axis=1, keepdims=True)
        logp = (z - np.log(np.exp(z).sum(axis=1, keepdims=True))).astype(np.float32)
        # Underflowed probabilities, never on the true class.
        tiny = (logp < -40) & (np.arange(K)[None, :] != y[:, None])
        logp[tiny] = -np.inf
        out = np.zeros(n, dtype=RECORD)
        out["label"] = y
        out["log_probs"] = logp
        means = np.clip(rng.beta(4, 4, (n, 3)) + mean_shift, 0, 1)
        stds = np.clip(rng.gamma(6, 0.035, (n, 3)) * std_factor, 0, 0.5)
        chroma = np.clip(rng.gamma(3, 0.05, (n, 1)), 0, 1)
        detail = np.clip(rng.normal(0.62 + detail_shift, 0.05, (n, 1)), 0.3, 1.2)
        out["stats"] = np.hstack([means, stds, chroma, detail]).astype(np.float32)
        return out

    uniform = np.full(K, 1.0 / K)
    skewed = np.linspace(2, 1, K) / np.linspace(2, 1, K).sum()
    ref = records(3000, [0.8, 1.5, 3.0, 6.0, 15.0], uniform, 0.0, 1.0, 0.0)
    target = records(2000, [2.0, 5.0, 10.0], skewed, -0.06, 0.8, -0.05)
    assert np.isneginf(ref["log_probs"]).any()
    return np.concatenate([ref, target])


def channel_statistics_reference(rng):
    """Five 32x32 images: random, constant (standard deviation 0), black and white halves, a ramp, and a
    coloured checkerboard (all its variation between neighbours)."""
    checker = (np.indices((32, 32)).sum(axis=0) % 2) * 255
    images = [rng.integers(0, 256, (3, 32, 32)), np.full((3, 32, 32), 77),
              np.concatenate([np.zeros((3, 16, 32)), np.full((3, 16, 32), 255)], axis=1),
              np.broadcast_to(np.arange(256).reshape(1, 8, 32)[:, np.arange(32) // 4 % 8, :], (3, 32, 32)),
              np.stack([checker, 255 - checker, np.full((32, 32), 40)])]
    pixels = np.stack([np.asarray(i, dtype=np.uint8) for i in images])
    scaled = pixels.astype(np.float64) / 255
    chroma = (scaled.max(axis=1) - scaled.min(axis=1)).mean(axis=(1, 2))
    x = pixels.astype(np.int64)
    near = np.abs(np.diff(x, axis=3)).sum(axis=(1, 2, 3)) + np.abs(np.diff(x, axis=2)).sum(axis=(1, 2, 3))
    far = (np.abs(x[:, :, :, 2:] - x[:, :, :, :-2]).sum(axis=(1, 2, 3))
           + np.abs(x[:, :, 2:, :] - x[:, :, :-2, :]).sum(axis=(1, 2, 3)))
    detail = near / np.maximum(far, 1)
    expected = np.hstack([scaled.mean(axis=(2, 3)), scaled.std(axis=(2, 3)), chroma[:, None],
                          detail[:, None]]).astype(np.float32)
    return {"pixels_base64": base64.b64encode(pixels.tobytes()).decode("ascii"), "expected": expected.tolist()}


def main(folder):
    rng = np.random.default_rng(SEED)
    synthetic = synthetic_records(rng)
    synthetic.tofile(os.path.join(folder, "monitoring-synthetic-records.bin"))
    foreign = np.fromfile(os.path.join(folder, "foreign-cnn-test-predictions.bin"), dtype=RECORD)
    assert len(foreign) == 10000

    gamma_points = []
    for a in [0.5, 1.0, 1.5, 2.0, 4.5, 9.0, 10.0, 30.0, 100.0]:
        for x in [1e-3, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]:
            gamma_points.append({"a": a, "x": x, "q": float(special.gammaincc(a, x)),
                                 "p": float(special.gammainc(a, x)), "log_gamma": float(special.gammaln(a))})
    chi_square_tail = []
    for df in [1, 2, 3, 5, 9, 10, 19, 50]:
        for x in [0.0, 0.01, 0.5, 1.0, 3.0, 9.0, 16.9, 21.67, 50.0, 120.0, 700.0, 1300.0]:
            chi_square_tail.append({"df": df, "x": x, "sf": float(stats.chi2.sf(x, df))})
    critical = [{"df": df, "alpha": ALPHA, "isf": float(stats.chi2.isf(ALPHA, df))} for df in range(1, 21)]
    goodness = stats.chisquare([30, 12, 9, 49], [0.25 * 100, 0.25 * 100, 0.2 * 100, 0.3 * 100])

    fixture = {
        "generator": "metrics-core/src/test/python/make_monitoring_fixture.py",
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "sklearn_version": sklearn.__version__,
        "seed": SEED,
        "num_classes": K,
        "synthetic": dict(records="monitoring-synthetic-records.bin", reference=[0, 3000], target=[3000, 5000],
                          **expected_values(synthetic[:3000], synthetic[3000:])),
        "foreign": dict(records="foreign-cnn-test-predictions.bin", reference=[0, 5000], target=[5000, 10000],
                        **expected_values(foreign[:5000], foreign[5000:])),
        "incomplete_gamma": gamma_points,
        "chi_square_tail": chi_square_tail,
        "chi_square_critical": critical,
        "chi_square_goodness_of_fit": {"observed": [30, 12, 9, 49], "expected_shares": [0.25, 0.25, 0.2, 0.3],
                                       "statistic": float(goodness.statistic), "p_value": float(goodness.pvalue)},
        "jensen_shannon": [
            {"p": [1, 2, 3, 4], "q": [4, 3, 2, 1], "distance": float(jensenshannon([1, 2, 3, 4], [4, 3, 2, 1]))},
            {"p": [1, 0, 0], "q": [0, 0, 5], "distance": float(jensenshannon([1, 0, 0], [0, 0, 5]))},
            {"p": [0.2, 0.3, 0.5], "q": [2, 3, 5], "distance": float(jensenshannon([0.2, 0.3, 0.5], [2, 3, 5]))},
        ],
        "channel_statistics": channel_statistics_reference(rng),
    }
    with open(os.path.join(folder, "monitoring-fixture.json"), "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    for name in ["synthetic", "foreign"]:
        e = fixture[name]
        print(name, "T", e["calibration"]["temperature"], "t", e["calibration"]["atc_threshold"],
              "accuracy", e["estimate"]["accuracy"], "AC", e["estimate"]["estimated_accuracy_ac"],
              "ATC", e["estimate"]["estimated_accuracy_atc"], "ATC-NE", e["estimate"]["estimated_accuracy_atc_ne"],
              "ece", e["calibration_error"]["ece"])


if __name__ == "__main__":
    main(sys.argv[1])
