#!/usr/bin/python3
"""Makes the 'foreign model' fixture: a PyTorch CNN exported with torch.onnx.export the way a PyTorch user would,
expecting torchvision-normalized input (ToTensor then Normalize(mean=0.5, std=0.5)) and returning LOGITS.

It is the seed architecture, trained briefly (2 epochs of SGD on the first 10,000 training images, fixed seed) so
that its predictions are informative. Besides the model it writes, computed by PyTorch and scikit-learn alone:
the log-probabilities of the first 16 test images (to check ONNX Runtime + our input/output conventions) and the
metrics of the first 500 test images (to check `evaluate` end to end against an independent implementation).

Regenerate (Debian's python3-torch 1.13 and python3-onnx):
    /usr/bin/python3 testkit/src/test/python/make_foreign_model.py ../shared/data/cifar-10-binary.tar.gz \
        testkit/src/main/resources/foreign
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


def first_images(tar_path, member_name, n):
    with tarfile.open(tar_path, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(member_name))
        raw = tar.extractfile(member).read(n * 3073)
    records = np.frombuffer(raw, dtype=np.uint8).reshape(n, 3073)
    return records[:, 0].astype(int), records[:, 1:].reshape(n, 3, 32, 32)


def normalized(pixels):
    return (torch.tensor(pixels, dtype=torch.float32) / 255.0 - 0.5) / 0.5


def train(model, tar_path):
    labels, pixels = first_images(tar_path, "data_batch_1.bin", 10000)
    x, y = normalized(pixels), torch.tensor(labels)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(2):
        for i in range(0, len(y), 32):
            optimizer.zero_grad()
            F.cross_entropy(model(x[i:i + 32]), y[i:i + 32]).backward()
            optimizer.step()


def sklearn_metrics(labels, log_probs):
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, precision_score, \
        recall_score, roc_auc_score
    predicted = log_probs.argmax(axis=1)
    probs = np.exp(log_probs.astype(np.float64)).astype(np.float32)
    classes = list(range(10))
    return {
        "count": len(labels),
        "confusion": confusion_matrix(labels, predicted, labels=classes).tolist(),
        "accuracy": accuracy_score(labels, predicted),
        "f1_micro": f1_score(labels, predicted, average="micro", labels=classes, zero_division=0),
        "f1_macro": f1_score(labels, predicted, average="macro", labels=classes, zero_division=0),
        "f1_weighted": f1_score(labels, predicted, average="weighted", labels=classes, zero_division=0),
        "precision": precision_score(labels, predicted, average=None, labels=classes, zero_division=0).tolist(),
        "recall": recall_score(labels, predicted, average=None, labels=classes, zero_division=0).tolist(),
        "f1": f1_score(labels, predicted, average=None, labels=classes, zero_division=0).tolist(),
        "auc": [roc_auc_score(labels == k, probs[:, k]) for k in classes],
        "log_loss": log_loss(labels, np.exp(log_probs.astype(np.float64)), labels=classes, eps=1e-300),
    }


def main(tar_path, out_dir):
    torch.manual_seed(20261128)
    model = SeedNet()
    train(model, tar_path)
    model.eval()
    labels, pixels = first_images(tar_path, "test_batch.bin", 500)
    x = normalized(pixels)
    with torch.no_grad():
        log_probs = F.log_softmax(model(x), dim=1).numpy()
    torch.onnx.export(model, x[:1], f"{out_dir}/foreign_cnn.onnx", input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    with open(f"{out_dir}/foreign_cnn_expected.json", "w") as f:
        json.dump({"source": "first 16 images of test_batch.bin, torch 1.13 log_softmax(model((x/255-0.5)/0.5))",
                   "labels": labels[:16].tolist(), "log_probs": log_probs[:16].tolist()}, f)
    with open(f"{out_dir}/foreign_cnn_metrics_500.json", "w") as f:
        json.dump({"source": "first 500 images of test_batch.bin, PyTorch log-probs, scikit-learn "
                             "(auc on float32 exp(logp), log_loss with eps=1e-300, zero_division=0)",
                   **sklearn_metrics(labels, log_probs)}, f, indent=1)


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
