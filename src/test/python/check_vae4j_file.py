"""Acceptance check by hand: a VAE saved by vae4j loads into the seed's PyTorch module.

    /usr/bin/python3 src/test/python/check_vae4j_file.py MODEL.safetensors [--data-dir DIR]

Loads the file with safetensors.torch.load_file, builds the seed VAE module of
shared/bench/pytorch_ref.py (class VAE: fc1, fc_mu, fc_logvar, fc3, fc4; copied below) with the
sizes read from the tensor shapes, and calls load_state_dict(..., strict=True): any missing,
unexpected or misshapen tensor is an error. It prints the file's vae4j metadata.

With --data-dir (a folder holding t10k-images-idx3-ubyte.gz, read as pytorch_ref.py reads IDX) it
then computes the test negative ELBO per image in nats exactly as pytorch_ref.py's eval_vae does
(BCE summed over pixels + closed-form KL, one z sample per image, and the mean over --samples
draws), to compare with what vae4j reports for the same model (Vae.evaluate): the two agree within
sampling noise.

Needs torch and safetensors (pip install --break-system-packages safetensors).
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file


class VAE(nn.Module):
    """The seed module, as in shared/bench/pytorch_ref.py."""

    def __init__(self, d_in=784, hidden=512, latent=32):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, d_in)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))


def read_idx(path):
    """A (gzip) IDX file as a numpy uint8 array of its declared shape (as pytorch_ref.py)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        buf = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", buf[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {buf[:4]!r})")
    dims = struct.unpack(">" + "I" * ndim, buf[4:4 + 4 * ndim])
    arr = np.frombuffer(buf, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims} = {int(np.prod(dims))} bytes, got {arr.size}")
    return arr.reshape(dims)


@torch.no_grad()
def eval_vae(model, x, n_samples, seed, batch=1000):
    """pytorch_ref.py's eval_vae: test negative ELBO per image, first draw and mean of n draws."""
    model.eval()
    g = torch.Generator().manual_seed(seed)
    one = mean = bce1 = kl = 0.0
    for i in range(0, x.shape[0], batch):
        xb = x[i:i + batch]
        mu, logvar = model.encode(xb)
        std = torch.exp(0.5 * logvar)
        kld = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)
        acc = torch.zeros(xb.shape[0], dtype=torch.float64)
        for s in range(n_samples):
            eps = torch.randn(std.shape, generator=g)
            recon = model.decode(mu + eps * std)
            bce = F.binary_cross_entropy(recon, xb, reduction="none").sum(1)
            ne = (bce + kld).double()
            if s == 0:
                one += ne.sum().item()
                bce1 += bce.double().sum().item()
            acc += ne
        mean += (acc / n_samples).sum().item()
        kl += kld.double().sum().item()
    n = x.shape[0]
    return {"neg_elbo_1": one / n, f"neg_elbo_mean{n_samples}": mean / n, "bce_1": bce1 / n, "kl": kl / n}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="a .safetensors file written by vae4j (or by PyTorch)")
    ap.add_argument("--data-dir", help="folder with t10k-images-idx3-ubyte.gz")
    ap.add_argument("--samples", type=int, default=10, help="z draws per image for the mean -ELBO")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    with safe_open(args.model, framework="pt") as f:
        metadata = f.metadata() or {}
    state = load_file(args.model)
    print(f"{args.model}: {len(state)} tensors")
    for k, v in sorted(metadata.items()):
        print(f"  metadata {k} = {v if len(v) <= 100 else v[:97] + '...'}")
    d_in = state["fc1.weight"].shape[1]
    hidden = state["fc1.weight"].shape[0]
    latent = state["fc_mu.weight"].shape[0]
    model = VAE(d_in, hidden, latent)
    result = model.load_state_dict(state, strict=True)
    print(f"load_state_dict(strict=True) into VAE({d_in}, {hidden}, {latent}): {result}")

    if args.data_dir:
        imgs = read_idx(os.path.join(args.data_dir, "t10k-images-idx3-ubyte.gz"))
        x = torch.from_numpy(imgs.reshape(imgs.shape[0], -1).astype(np.float32) / np.float32(255.0))
        if x.shape[1] != d_in:
            sys.exit(f"the model's input size is {d_in}, the images have {x.shape[1]} pixels")
        print("test " + json.dumps(eval_vae(model, x, args.samples, args.seed)))


if __name__ == "__main__":
    main()
