"""PyTorch's own ELBO gap between a CVAE and a VAE at train-mnist's default sizes.

    /usr/bin/python3 examples/python/cvae_elbo_gap.py --data-dir DIR [--epochs 5] [--seed 1] [--scale 10]

Trains, in PyTorch, the seed VAE 784-512-(32)-512-784 (ReLU, Bernoulli likelihood on the grey
values, Adam lr 1e-3, batch 128) and the CVAE of docs/MODEL_FILES.md (the one-hot label times the
condition scale joined to the encoder's and to the decoder's input) with the same settings as
`examples/train-mnist --model vae|cvae --epochs E --seed S`, and prints each model's test negative
ELBO (one z per image, closed-form KL; the CVAE given the true labels) and the gap. The point is an
independent reference for issue 8's question whether vae4j's CVAE gains too much: the same gap in
PyTorch means the gain belongs to the model, not to a bug of vae4j. Needs torch and numpy.
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx(data_dir, name):
    with gzip.open(os.path.join(data_dir, name)) as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    if raw[3] == 3:
        return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255
    return np.frombuffer(raw, np.uint8, offset=8).astype(np.int64)


class Model(nn.Module):
    def __init__(self, cond, hidden=512, latent=32, scale=10.0):
        super().__init__()
        self.cond, self.scale = cond, scale
        c = 10 if cond else 0
        self.fc1 = nn.Linear(784 + c, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent + c, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def join(self, a, y):
        if not self.cond:
            return a
        return torch.cat([a, self.scale * F.one_hot(y, 10).float()], 1)

    def neg_elbo(self, x, y):
        h = F.relu(self.fc1(self.join(x, y)))
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.fc4(F.relu(self.fc3(self.join(z, y))))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        kl = -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(1)
        return rec + kl


def run(cond, x, y, tx, ty, epochs, seed, scale):
    torch.manual_seed(seed)
    m = Model(cond, scale=scale)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    t0 = time.time()
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            m.neg_elbo(x[b], y[b]).mean().backward()
            opt.step()
    with torch.no_grad():
        torch.manual_seed(seed + 1)
        test = m.neg_elbo(tx, ty).mean().item()
    return test, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=10.0)
    a = ap.parse_args()
    torch.set_num_threads(2)
    x = torch.tensor(idx(a.data_dir, "train-images-idx3-ubyte.gz"))
    y = torch.tensor(idx(a.data_dir, "train-labels-idx1-ubyte.gz"))
    tx = torch.tensor(idx(a.data_dir, "t10k-images-idx3-ubyte.gz"))
    ty = torch.tensor(idx(a.data_dir, "t10k-labels-idx1-ubyte.gz"))
    vae, tv = run(False, x, y, tx, ty, a.epochs, a.seed, a.scale)
    print("vae  %d epochs, seed %d: test -ELBO %.3f (%.0f s)" % (a.epochs, a.seed, vae, tv), flush=True)
    cvae, tc = run(True, x, y, tx, ty, a.epochs, a.seed, a.scale)
    print("cvae %d epochs, seed %d, scale %g: test -ELBO %.3f (%.0f s)" % (a.epochs, a.seed, a.scale, cvae, tc))
    print("gap (vae - cvae): %.3f nats" % (vae - cvae))


if __name__ == "__main__":
    main()
