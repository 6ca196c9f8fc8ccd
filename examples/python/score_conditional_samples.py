"""Scores a conditional-samples.png of train-mnist --model cvae with an independent classifier.

    python3 examples/python/score_conditional_samples.py --data-dir DIR PICTURE.png [PICTURE.png ...]
    python3 examples/python/score_conditional_samples.py --data-dir DIR --model MODEL.safetensors [--draws 200]

The picture has one row per class, each row the same prior draws decoded given that row's label
(10 x 10 images of 28 x 28 drawn at scale 2 with a 1-pixel border, after a column of row labels).
A classifier that never saw the CVAE (an MLP 784-512-10 trained for 3 epochs on the MNIST training
images in DIR, retrained on each run in a minute or two; about 97.5% test accuracy) labels each
image; the script prints the labels as a 10 x 10 grid and how many images show their row's class,
per column (a column whose rows drift to one shape scores low). With --model (a cvae file of
train-mnist with one hidden layer per side) it instead decodes --draws other prior draws z ~ N(0, I)
(torch.manual_seed(--seed)) given each of the 10 labels, in the PyTorch CVAE module of
docs/MODEL_FILES.md (condition scale from vae4j.condition_scale), and prints the share of those
images that show their label, per label, and how many draws are right in all 10 rows. MNIST only.
Needs torch, numpy and Pillow.
"""
import argparse
import gzip
import json
import os
import struct

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


def load_cvae(path):
    """The decoder of a vae4j cvae file (fc3, fc4; the condition scale s) as a function (z, labels) -> pixel means."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    if meta.get("vae4j.model") != "cvae" or "fc3.weight" not in header:
        raise SystemExit("%s: not a cvae file with one hidden layer per side (fc1 ... fc4)" % path)
    t = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise SystemExit("%s: tensor %s is %s, not F32" % (path, name, info["dtype"]))
        a, b = info["data_offsets"]
        t[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").copy()).reshape(info["shape"])
    s = float(meta.get("vae4j.condition_scale", 1))
    width = int(meta["vae4j.condition_size"])

    def decode(z, labels):
        c = s * F.one_hot(labels, width).float()
        h = F.relu(F.linear(torch.cat([z, c], 1), t["fc3.weight"], t["fc3.bias"]))
        return torch.sigmoid(F.linear(h, t["fc4.weight"], t["fc4.bias"]))

    return decode, int(meta["vae4j.latent_size"]), s


def score_model(m, path, draws, seed):
    decode, latent, s = load_cvae(path)
    torch.manual_seed(seed)
    z = torch.randn(draws, latent).repeat(10, 1)
    labels = torch.arange(10).repeat_interleave(draws)
    with torch.no_grad():
        right = (m(decode(z, labels)).argmax(1) == labels).view(10, draws)
    print("%s (condition scale %g): %d prior draws x 10 labels" % (path, s, draws))
    print("%.1f%% of the images show their label; per label %s; %d of %d draws right in all 10 rows" % (
        100 * right.float().mean().item(), [round(v, 3) for v in right.float().mean(1).tolist()],
        int(right.all(0).sum()), draws))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--model", help="a cvae .safetensors file: score --draws prior draws instead of pictures")
    p.add_argument("--draws", type=int, default=200)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("pictures", nargs="*")
    a = p.parse_args()
    if not a.pictures and not a.model:
        p.error("give a picture or --model")
    m = classifier(a.data_dir)
    if a.model:
        score_model(m, a.model, a.draws, a.seed)
    for png in a.pictures:
        with torch.no_grad():
            labels = m(cells(png)).argmax(1).view(10, 10).numpy()
        right = labels == np.arange(10)[:, None]
        print(png)
        print(labels)
        print("%d of 100 images show their row's class; per column %s" % (right.sum(), right.sum(0).tolist()))


if __name__ == "__main__":
    main()
