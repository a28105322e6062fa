#!/usr/bin/python3
"""Makes the 'foreign model' fixture: a PyTorch CNN exported with torch.onnx.export the way a PyTorch user would,
expecting torchvision-normalized input (ToTensor then Normalize(mean=0.5, std=0.5)) and returning LOGITS.

It is the seed architecture with a fixed random initialization (no training: the test checks conventions, not
accuracy). Besides the model it writes the expected log-probabilities PyTorch itself computes for the first 16
images of the CIFAR-10 test split, so the Java test compares ONNX Runtime + our input/output conventions against
an independent implementation.

Regenerate (Debian's python3-torch 1.13 and python3-onnx):
    /usr/bin/python3 inference/src/test/python/make_foreign_model.py ../shared/data/cifar-10-binary.tar.gz \
        inference/src/test/resources/foreign
"""
import json
import sys
import tarfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class SeedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3)
        self.conv2 = nn.Conv2d(64, 128, 3)
        self.conv3 = nn.Conv2d(128, 256, 3)
        self.fc1 = nn.Linear(1024, 128)
        self.fc2 = nn.Linear(128, 256)
        self.fc3 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)  # logits: the user's model has no softmax


def first_test_images(tar_path, n):
    with tarfile.open(tar_path, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("test_batch.bin"))
        raw = tar.extractfile(member).read(n * 3073)
    records = np.frombuffer(raw, dtype=np.uint8).reshape(n, 3073)
    return records[:, 0].astype(int), records[:, 1:].reshape(n, 3, 32, 32)


def main(tar_path, out_dir):
    torch.manual_seed(20261128)
    model = SeedNet().eval()
    labels, pixels = first_test_images(tar_path, 16)
    x = (torch.tensor(pixels, dtype=torch.float32) / 255.0 - 0.5) / 0.5
    with torch.no_grad():
        log_probs = F.log_softmax(model(x), dim=1).numpy()
    torch.onnx.export(model, x[:1], f"{out_dir}/foreign_cnn.onnx", input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    with open(f"{out_dir}/foreign_cnn_expected.json", "w") as f:
        json.dump({"source": "first 16 images of test_batch.bin, torch 1.13 log_softmax(model((x/255-0.5)/0.5))",
                   "labels": labels.tolist(), "log_probs": log_probs.tolist()}, f)


class MnistShaped(nn.Module):
    """A model for 1x28x28 inputs: cifar-stream must refuse it with a clear message."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.fc = nn.Linear(2, 10)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.conv(x), 1), 1))


def export_wrong_shape(out_dir):
    torch.onnx.export(MnistShaped().eval(), torch.zeros(1, 1, 28, 28), f"{out_dir}/mnist_shaped.onnx",
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    export_wrong_shape(sys.argv[2])
