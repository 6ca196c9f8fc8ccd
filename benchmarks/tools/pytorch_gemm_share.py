#!/usr/bin/env python3
"""How much of PyTorch's seed-VAE inference pass (pytorch-ref's operation: encode, sample, decode
at batch 1000 under torch.no_grad()) is its four GEMMs: times the four addmm calls alone and the
whole pass, back to back, and prints both and their ratio. If the GEMMs are a share s of the pass,
a vae4j pass 1.5x as fast needs GEMMs at least 1.5 s times as fast as PyTorch's BLAS.
Run it with the BLAS pytorch-ref uses (OpenBLAS, OpenMP build):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp python3 benchmarks/tools/pytorch_gemm_share.py [THREADS]"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
torch.manual_seed(0)
B, D, H, Z = 1000, 784, 512, 32
x = torch.rand(B, D)
w1, b1 = torch.randn(H, D) * .05, torch.zeros(H)
wh, bh = torch.randn(2 * Z, H) * .05, torch.zeros(2 * Z)
w3, b3 = torch.randn(H, Z) * .05, torch.zeros(H)
w4, b4 = torch.randn(D, H) * .05, torch.zeros(D)
z0 = torch.rand(B, Z)


def gemms():
    h = torch.addmm(b1, x, w1.t())
    torch.addmm(bh, h, wh.t())
    d = torch.addmm(b3, z0, w3.t())
    return torch.addmm(b4, d, w4.t())


def whole():
    h = torch.relu(torch.addmm(b1, x, w1.t()))
    o = torch.addmm(bh, h, wh.t())
    mu, logvar = o[:, :Z], o[:, Z:]
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    d = torch.relu(torch.addmm(b3, z, w3.t()))
    return torch.sigmoid(torch.addmm(b4, d, w4.t()))


def median_seconds(f, calls=10, rounds=7):
    with torch.no_grad():
        for _ in range(3):
            f()
        ts = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(calls):
                f()
            ts.append((time.perf_counter() - t0) / calls)
    ts.sort()
    return ts[len(ts) // 2]


flop = 2 * B * (D * H + H * 2 * Z + Z * H + H * D)
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {B}, 784-512-(32)-512-784")
for rep in range(3):
    g, w = median_seconds(gemms), median_seconds(whole)
    print(f"GEMMs alone {g * 1e3:6.2f} ms ({flop / g / 1e9:5.1f} GFLOP/s)   whole pass {w * 1e3:6.2f} ms "
          f"({B / w:7.0f} img/s, {flop / w / 1e9:5.1f} GFLOP/s)   GEMM share {g / w:.2f}")
