"""Scores a conditional-samples.png of train-mnist --model cvae with an independent classifier.

    python3 examples/python/score_conditional_samples.py --data-dir DIR PICTURE.png [PICTURE.png ...]

The picture has one row per class, each row the same prior draws decoded given that row's label
(10 x 10 images of 28 x 28 drawn at scale 2 with a 1-pixel border, after a column of row labels).
A classifier that never saw the CVAE (an MLP 784-512-10 trained for 3 epochs on the MNIST training
images in DIR, retrained on each run in a minute or two; about 97.5% test accuracy) labels each
image; the script prints the labels as a 10 x 10 grid and how many images show their row's class,
per column (a column whose rows drift to one shape scores low). MNIST only. Needs torch, numpy
and Pillow.
"""
import argparse
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image


def idx(data_dir, name):
    with gzip.open(os.path.join(data_dir, name)) as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    if raw[3] == 3:  # images
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255
    return np.frombuffer(raw, np.uint8, offset=8).astype(np.int64)


def classifier(data_dir):
    torch.manual_seed(0)
    x = torch.tensor(idx(data_dir, "train-images-idx3-ubyte.gz"))
    y = torch.tensor(idx(data_dir, "train-labels-idx1-ubyte.gz"))
    m = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    for _ in range(3):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            F.cross_entropy(m(x[b]), y[b]).backward()
            opt.step()
    tx = torch.tensor(idx(data_dir, "t10k-images-idx3-ubyte.gz"))
    ty = torch.tensor(idx(data_dir, "t10k-labels-idx1-ubyte.gz"))
    with torch.no_grad():
        print("classifier test accuracy %.4f" % (m(tx).argmax(1) == ty).float().mean().item())
    return m.eval()


def cells(png, rows=10, cols=10, size=28, scale=2, border=1):
    a = np.asarray(Image.open(png).convert("L"), dtype=np.float32) / 255
    cell = size * scale + 2 * border
    left = a.shape[1] - cols * cell  # the row labels' column
    out = []
    for r in range(rows):
        for c in range(cols):
            y0, x0 = r * cell + border, left + c * cell + border
            block = a[y0:y0 + size * scale, x0:x0 + size * scale]
            out.append(block.reshape(size, scale, size, scale).mean((1, 3)).reshape(size * size))
    return torch.tensor(np.stack(out))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True)
    p.add_argument("pictures", nargs="+")
    a = p.parse_args()
    m = classifier(a.data_dir)
    for png in a.pictures:
        with torch.no_grad():
            labels = m(cells(png)).argmax(1).view(10, 10).numpy()
        right = labels == np.arange(10)[:, None]
        print(png)
        print(labels)
        print("%d of 100 images show their row's class; per column %s" % (right.sum(), right.sum(0).tolist()))


if __name__ == "__main__":
    main()
