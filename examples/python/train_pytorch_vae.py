"""Trains the seed VAE in PyTorch and saves it as a safetensors file that vae4j loads.

    python3 examples/python/train_pytorch_vae.py --data-dir DIR --out out/pytorch-vae.safetensors [--epochs 1]
    examples/run LoadPyTorchModel out/pytorch-vae.safetensors

DIR holds the MNIST files train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz (the same
files the vae4j trainer reads). The module is the seed VAE (fc1, fc_mu, fc_logvar, fc3, fc4;
784-512-32, ReLU, Bernoulli), the optimiser Adam 1e-3 with batches of 128. The file is the plain
state_dict written by safetensors.torch.save_file: no vae4j metadata, so vae4j infers the
architecture from the tensor names and shapes. Needs torch and safetensors
(pip install torch safetensors).
"""
import argparse
import gzip
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file


class VAE(nn.Module):
    """The seed VAE (as in vae4j's docs/MODEL_FILES.md): the decoder's last layer gives logits."""

    def __init__(self, d_in=784, hidden=512, latent=32):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, d_in)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.fc4(F.relu(self.fc3(z))), mu, logvar


def read_images(path):
    """An IDX image file (gzip) as float32 pixels in [0, 1], shape (n, rows * cols)."""
    with gzip.open(path, "rb") as f:
        buf = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", buf[:16])
    if magic != 0x803:
        raise ValueError(f"{path}: not an IDX image file (magic {magic:#x})")
    return np.frombuffer(buf, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float32) / 255.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True, help="folder with train-images-idx3-ubyte.gz")
    ap.add_argument("--out", required=True, help="the .safetensors file to write")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    x = torch.from_numpy(read_images(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz")))
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for idx in torch.randperm(len(x)).split(128):
            batch = x[idx]
            logits, mu, logvar = model(batch)
            rec = F.binary_cross_entropy_with_logits(logits, batch, reduction="sum")
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            loss = (rec + kl) / len(batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch}: train -ELBO {total / len(x):.3f} nats per image")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, args.out)
    print(f"saved {args.out}: " + ", ".join(f"{k} {tuple(v.shape)}" for k, v in model.state_dict().items()))


if __name__ == "__main__":
    main()
