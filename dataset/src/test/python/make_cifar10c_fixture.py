#!/usr/bin/python3
"""Writes the CIFAR-10-C reference fixture for dataset's CorruptionTest.

Regenerate (from the repository root; needs Debian's python3-numpy, python3-scipy, python3-skimage and
python3-pil: `apt-get install -y --no-install-recommends python3-skimage python3-pil`; run with
/usr/bin/python3, not a pyenv python):

    /usr/bin/python3 dataset/src/test/python/make_cifar10c_fixture.py \
        "$CIFAR10_DATA" dataset/src/test/resources/io/cifarstream/dataset/cifar10c

The formulas and every per-severity constant are those of the CIFAR version of the benchmark's script,
https://github.com/hendrycks/robustness/blob/master/ImageNet-C/create_c/make_cifar_c.py (Hendrycks &
Dietterich 2019), applied to the first 20 records of the real test_batch.bin. Like that script, every
result is cut to bytes with np.uint8 (truncation, not rounding). Adapted to deterministic inputs only:
  * noise comes from np.random.default_rng(seed) instead of the global generator, and impulse noise from
    skimage.util.random_noise(..., seed=rng) (skimage 0.19 draws each value's salt/pepper independently);
  * OpenCV is not among the Debian packages the project installs, so defocus_blur's two OpenCV calls are
    written out with scipy: cv2.GaussianBlur(disk, (3, 3), sigma) is a separable 3-tap float32 kernel
    exp(-x^2 / (2 sigma^2)) / sum (cv2.getGaussianKernel), and cv2.filter2D is a correlation; both with
    OpenCV's default border BORDER_REFLECT_101, which is scipy's mode='mirror'. Checked once against
    Debian's python3-opencv 4.6 itself: the same kernels (to 1e-13) and the same bytes for all five severities.
jpeg_compression and pixelate run Pillow itself, brightness and saturate skimage's rgb2hsv/hsv2rgb.

Outputs in OUT_DIR:
  reference.json   the image indices, the MD5 of their clean CHW bytes, the deterministic blocks' order,
                   and for each noise corruption and severity the mean and standard deviation, over 20
                   seeded draws, of statistics of one draw (residual = corrupted - clean, over all values
                   of the 20 images): residual mean and std, residual std where the clean value is dark
                   (< 64) or bright (>= 192), and the shares of values that are 0, 255 or unchanged;
  deterministic.u8.gz  for contrast, brightness, saturate, pixelate, defocus_blur and jpeg_compression at
                   severities 1..5 (the order in reference.json), the 20 corrupted images in CHW bytes.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

import numpy as np
import scipy
import skimage as sk
import skimage.color
import skimage.util
import PIL
from PIL import Image
from scipy import ndimage

IMAGES = 20
DRAWS = 20
SOURCE = "https://github.com/hendrycks/robustness/blob/master/ImageNet-C/create_c/make_cifar_c.py"


# ---- make_cifar_c.py, CIFAR constants; x is a 32x32 RGB PIL image, the result HWC floats in 0..255 ----

def gaussian_noise(x, severity, rng):
    c = [0.04, 0.06, .08, .09, .10][severity - 1]
    x = np.array(x) / 255.
    return np.clip(x + rng.normal(size=x.shape, scale=c), 0, 1) * 255


def shot_noise(x, severity, rng):
    c = [500, 250, 100, 75, 50][severity - 1]
    x = np.array(x) / 255.
    return np.clip(rng.poisson(x * c) / c, 0, 1) * 255


def impulse_noise(x, severity, rng):
    c = [.01, .02, .03, .05, .07][severity - 1]
    x = sk.util.random_noise(np.array(x) / 255., mode='s&p', amount=c, seed=rng)
    return np.clip(x, 0, 1) * 255


def gaussian_kernel_3(sigma):
    """cv2.getGaussianKernel(3, sigma, CV_32F): computed in double, scaled by 1/sum, stored as float32."""
    x = np.arange(3) - 1.0
    t = np.exp((-0.5 / (sigma * sigma)) * x * x)
    return (t * (1.0 / t.sum())).astype(np.float32)


def disk(radius, alias_blur=0.1, dtype=np.float32):
    assert radius <= 8  # every CIFAR severity: L = -8..8, ksize (3, 3)
    L = np.arange(-8, 8 + 1)
    X, Y = np.meshgrid(L, L)
    aliased_disk = np.array((X ** 2 + Y ** 2) <= radius ** 2, dtype=dtype)
    aliased_disk /= np.sum(aliased_disk)
    k = gaussian_kernel_3(alias_blur)
    blurred = ndimage.correlate1d(aliased_disk, k, axis=1, mode='mirror')
    return ndimage.correlate1d(blurred, k, axis=0, mode='mirror')


def defocus_blur(x, severity, rng=None):
    c = [(0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1, 0.2), (1.5, 0.1)][severity - 1]
    x = np.array(x) / 255.
    kernel = disk(radius=c[0], alias_blur=c[1]).astype(np.float64)
    channels = [ndimage.correlate(x[:, :, d], kernel, mode='mirror') for d in range(3)]
    channels = np.array(channels).transpose((1, 2, 0))
    return np.clip(channels, 0, 1) * 255


def contrast(x, severity, rng=None):
    c = [.75, .5, .4, .3, 0.15][severity - 1]
    x = np.array(x) / 255.
    means = np.mean(x, axis=(0, 1), keepdims=True)
    return np.clip((x - means) * c + means, 0, 1) * 255


def brightness(x, severity, rng=None):
    c = [.05, .1, .15, .2, .3][severity - 1]
    x = np.array(x) / 255.
    x = sk.color.rgb2hsv(x)
    x[:, :, 2] = np.clip(x[:, :, 2] + c, 0, 1)
    x = sk.color.hsv2rgb(x)
    return np.clip(x, 0, 1) * 255


def saturate(x, severity, rng=None):
    c = [(0.3, 0), (0.1, 0), (1.5, 0), (2, 0.1), (2.5, 0.2)][severity - 1]
    x = np.array(x) / 255.
    x = sk.color.rgb2hsv(x)
    x[:, :, 1] = np.clip(x[:, :, 1] * c[0] + c[1], 0, 1)
    x = sk.color.hsv2rgb(x)
    return np.clip(x, 0, 1) * 255


def jpeg_compression(x, severity, rng=None):
    c = [80, 65, 58, 50, 40][severity - 1]
    output = io.BytesIO()
    x.save(output, 'JPEG', quality=c)
    return Image.open(output)


def pixelate(x, severity, rng=None):
    c = [0.95, 0.9, 0.85, 0.75, 0.65][severity - 1]
    x = x.resize((int(32 * c), int(32 * c)), Image.BOX)
    x = x.resize((32, 32), Image.BOX)
    return x


DETERMINISTIC = [contrast, brightness, saturate, pixelate, defocus_blur, jpeg_compression]
NOISE = [gaussian_noise, shot_noise, impulse_noise]


def corrupt(function, clean_chw, severity, rng=None):
    """The reference's np.uint8(corruption(convert_img(img))) for each image, back in CHW."""
    out = np.empty_like(clean_chw)
    for i, chw in enumerate(clean_chw):
        picture = Image.fromarray(np.ascontiguousarray(chw.transpose(1, 2, 0)), 'RGB')
        out[i] = np.uint8(function(picture, severity, rng)).transpose(2, 0, 1)
    return out


def draw_statistics(clean, corrupted):
    residual = corrupted.astype(np.int64) - clean.astype(np.int64)
    dark = clean < 64
    bright = clean >= 192
    return {
        "residual_mean": float(residual.mean()),
        "residual_std": float(residual.std()),
        "residual_std_dark": float(residual[dark].std()),
        "residual_std_bright": float(residual[bright].std()),
        "share_zero": float((corrupted == 0).mean()),
        "share_max": float((corrupted == 255).mean()),
        "share_unchanged": float((corrupted == clean).mean()),
    }


def read_test_images(archive, n):
    with tarfile.open(archive) as tar:
        batch = tar.extractfile("cifar-10-batches-bin/test_batch.bin").read(n * 3073)
    records = np.frombuffer(batch, np.uint8).reshape(n, 3073)
    return np.ascontiguousarray(records[:, 1:].reshape(n, 3, 32, 32))


def main(archive, out_dir):
    clean = read_test_images(archive, IMAGES)
    blocks = []
    pixels = []
    for function in DETERMINISTIC:
        for severity in range(1, 6):
            blocks.append({"corruption": function.__name__, "severity": severity})
            pixels.append(corrupt(function, clean, severity).tobytes())
    noise = []
    for function in NOISE:
        for severity in range(1, 6):
            draws = [draw_statistics(clean, corrupt(function, clean, severity, np.random.default_rng(seed)))
                     for seed in range(DRAWS)]
            noise.append({"corruption": function.__name__, "severity": severity,
                          "statistics": {name: {"mean": float(np.mean([d[name] for d in draws])),
                                                "std": float(np.std([d[name] for d in draws], ddof=1))}
                                         for name in draws[0]}})
    reference = {
        "source": SOURCE,
        "generator": "dataset/src/test/python/make_cifar10c_fixture.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "skimage": sk.__version__,
                     "pillow": PIL.__version__},
        "split": "test",
        "images": list(range(IMAGES)),
        "clean_md5": hashlib.md5(clean.tobytes()).hexdigest(),
        "deterministic": blocks,
        "noise_draws": DRAWS,
        "noise": noise,
    }
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    # mtime=0: the same inputs give the same file bytes
    with gzip.GzipFile(os.path.join(out_dir, "deterministic.u8.gz"), "wb", mtime=0) as f:
        f.write(b"".join(pixels))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_cifar10c_fixture.py CIFAR10_TAR_GZ OUT_DIR")
    main(sys.argv[1], sys.argv[2])
