"""PyTorch reference fixtures for the table likelihoods (TabularParityTest).

Rerun from the project root with

    /usr/bin/python3 src/test/python/make_tabular_fixtures.py

It writes src/test/resources/parity/tabular_likelihoods.txt and
src/test/resources/parity/vae_composite.txt in the plain-text format of
make_parity_fixtures.py ("scalar NAME VALUE", "tensor NAME ROWS COLS" + one line
of row-major values). Deterministic (torch.manual_seed(2026), float32, CPU).
Masks are 0/1 matrices (1 = observed); a masked cell's data value is written
as-is (the Java side fills it, the loss skips it).

tabular_likelihoods.txt  each likelihood alone, with gradient scale 0.25:
  <case>.out, <case>.x, <case>.mask, <case>.loss (sum over observed cells),
  <case>.dout = 0.25 * d loss / d out, <case>.perrow, <case>.percol, and for
  gaussian-learned <case>.log_var and <case>.dlog_var (scaled 0.25 too).
  Cases: learned (per-column log_var, 4 x 3, bound 6, one log_var at 9.5 and one
  at -8 to exercise the bound), hetero (4 x 3 -> output 4 x 6), bernoulli
  (4 x 3), categorical (5 x 4, one-hot targets, row 2 masked as a whole).
vae_composite.txt  a VAE 8-6-(2)-6-9 (fc1, fc_mu, fc_logvar, fc3, fc4; ReLU)
  with the composite likelihood [gaussian-learned(2)@0,
  gaussian-heteroscedastic(1)@2, bernoulli(2)@3, categorical(3)@5] (output
  width 2 + 2 + 2 + 3 = 9) and its parameter likelihood.0.log_var; B = 5,
  beta 1. x_raw has NaN in missing cells (written as NaN); x is the encoder
  input (NaN -> 0 numeric, 0.5 binary, 1/3 over a categorical span), mask the
  observed cells. loss = (recon + kl) / B, recon, kl, out, and grad.<param>
  for every parameter, at eps0.

Checks before writing: each likelihood's autograd gradient against float64
central differences; the VAE's float32 gradients against a float64 rerun.
Prints OK.
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "parity")
LOG_2PI = math.log(2 * math.pi)
BOUND = 6.0
SCALE = 0.25


class Writer:
    def __init__(self, name, comments):
        self.path = os.path.join(OUT_DIR, name)
        self.lines = ["# " + c for c in comments]

    def scalar(self, name, v):
        text = "%.9e" % v.item() if torch.is_tensor(v) else repr(v)
        self.lines.append("scalar %s %s" % (name, text))

    def tensor(self, name, t):
        t = t.detach()
        rows, cols = (1, t.shape[0]) if t.dim() == 1 else tuple(t.shape)
        self.lines.append("tensor %s %d %d" % (name, rows, cols))
        self.lines.append(" ".join("NaN" if v != v else "%.9e" % v for v in t.reshape(-1).tolist()))

    def save(self):
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        print("wrote", os.path.relpath(self.path))


# ---- the likelihoods, cell by cell: (batch, d) negative log-likelihoods, 0 where masked

def bounded(v):
    return BOUND * torch.tanh(v / BOUND)


def gaussian_cells(mean, raw_log_var, x, mask):
    s = bounded(raw_log_var)
    x = torch.where(mask > 0, x, torch.zeros_like(x))
    cells = 0.5 * (LOG_2PI + s + (x - mean).pow(2) * torch.exp(-s))
    return torch.where(mask > 0, cells, torch.zeros_like(cells))


def bernoulli_cells(logits, x, mask):
    x = torch.where(mask > 0, x, torch.zeros_like(x))
    cells = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return torch.where(mask > 0, cells, torch.zeros_like(cells))


def categorical_rows(logits, x, mask):
    """(batch, 1): cross-entropy of the span, 0 where any cell of the span is masked."""
    x = torch.where(mask > 0, x, torch.zeros_like(x))
    rows = -(x * F.log_softmax(logits, dim=1)).sum(dim=1, keepdim=True)
    observed = mask.min(dim=1, keepdim=True).values > 0
    return torch.where(observed, rows, torch.zeros_like(rows))


def composite_columns(out, x, mask, log_var0):
    """Per original column (batch, 6): gaussian 0..1, hetero 2, bernoulli 3..4, categorical 5..7 (one column)."""
    g = gaussian_cells(out[:, 0:2], log_var0.expand(out.shape[0], 2), x[:, 0:2], mask[:, 0:2])
    h = gaussian_cells(out[:, 2:3], out[:, 3:4], x[:, 2:3], mask[:, 2:3])
    b = bernoulli_cells(out[:, 4:6], x[:, 3:5], mask[:, 3:5])
    c = categorical_rows(out[:, 6:9], x[:, 5:8], mask[:, 5:8])
    return torch.cat([g, h, b, c], dim=1)


def fill(x_raw):
    """The encoder's input: NaN -> 0 (numeric), 0.5 (binary), 1/3 over the whole categorical span."""
    x = x_raw.clone()
    mask = (~torch.isnan(x_raw)).float()
    x[:, 0:3] = torch.nan_to_num(x[:, 0:3], nan=0.0)
    x[:, 3:5] = torch.nan_to_num(x[:, 3:5], nan=0.5)
    span_missing = torch.isnan(x_raw[:, 5:8]).any(dim=1)
    x[span_missing, 5:8] = 1.0 / 3.0
    mask[span_missing, 5:8] = 0.0
    return x, mask


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 6)
        self.fc_mu = nn.Linear(6, 2)
        self.fc_logvar = nn.Linear(6, 2)
        self.fc3 = nn.Linear(2, 6)
        self.fc4 = nn.Linear(6, 9)
        self.log_var0 = nn.Parameter(torch.tensor([0.4, -0.7]))  # likelihood.0.log_var

    def forward(self, x, eps):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps
        return mu, logvar, self.fc4(F.relu(self.fc3(z)))


def vae_loss(model, x, mask, eps):
    mu, logvar, out = model(x, eps)
    b = x.shape[0]
    recon = composite_columns(out, x, mask, model.log_var0).sum() / b
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / b
    return recon + kl, recon, kl, out


JAVA_NAMES = {"log_var0": "likelihood.0.log_var"}


def named(model):
    for n, p in model.named_parameters():
        yield JAVA_NAMES.get(n, n), p


def check(f, inputs):
    """float64 central differences of scalar f against autograd, for each input."""
    inputs = [t.detach().double().requires_grad_(True) for t in inputs]
    y = f(*inputs)
    grads = torch.autograd.grad(y, inputs)
    for t, g in zip(inputs, grads):
        flat = t.detach().reshape(-1)
        for i in range(flat.numel()):
            h = 1e-6
            orig = flat[i].item()
            with torch.no_grad():
                t.view(-1)[i] = orig + h
                up = f(*inputs).item()
                t.view(-1)[i] = orig - h
                down = f(*inputs).item()
                t.view(-1)[i] = orig
            num = (up - down) / (2 * h)
            assert abs(num - g.reshape(-1)[i].item()) < 1e-5 * max(1, abs(num)), (i, num, g.reshape(-1)[i].item())


def write_case(w, name, cells_fn, out, x, mask, extra=(), columns=None):
    out = out.clone().requires_grad_(True)
    extra = [e.clone().requires_grad_(True) for e in extra]
    cells = cells_fn(out, x, mask, *extra)
    loss = cells.sum()
    (SCALE * loss).backward()
    w.tensor(name + ".out", out)
    w.tensor(name + ".x", x)
    w.tensor(name + ".mask", mask)
    w.scalar(name + ".loss", loss)
    w.tensor(name + ".dout", out.grad)
    w.tensor(name + ".perrow", cells.sum(dim=1, keepdim=True))
    w.tensor(name + ".percol", cells)
    for k, e in enumerate(extra):
        w.tensor(name + ".log_var", e)
        w.tensor(name + ".dlog_var", e.grad)
    check(lambda o, *e: cells_fn(o, x.double(), mask, *e).sum(), [out] + extra)


def mask_of(rows, cols, missing):
    m = torch.ones(rows, cols)
    for r, c in missing:
        m[r, c] = 0.0
    return m


def case_likelihoods():
    w = Writer("tabular_likelihoods.txt", ["each table likelihood alone: loss = sum of observed cells,",
                                           "dout and dlog_var are 0.25 * its gradient"])
    w.scalar("scale", SCALE)
    w.scalar("bound", BOUND)
    # gaussian with one learned log-variance per column
    out = torch.randn(4, 3)
    x = torch.randn(4, 3)
    log_var = torch.tensor([0.3, 9.5, -8.0])
    mask = mask_of(4, 3, [(0, 1), (2, 0), (3, 2)])
    write_case(w, "learned", lambda o, t, m, lv: gaussian_cells(o, lv.expand(o.shape[0], 3), t, m),
               out, x, mask, extra=[log_var])
    # heteroscedastic: output [mean | raw log-variance]
    out = torch.cat([torch.randn(4, 3), 3 * torch.randn(4, 3)], dim=1)
    out[1, 4] = 11.0   # beyond the bound
    out[2, 5] = -10.0
    x = torch.randn(4, 3)
    mask = mask_of(4, 3, [(1, 1), (3, 0)])
    write_case(w, "hetero", lambda o, t, m: gaussian_cells(o[:, :3], o[:, 3:], t, m), out, x, mask)
    # bernoulli from logits, saturated ones included
    out = 4 * torch.randn(4, 3)
    out[0, 0], out[1, 1] = 40.0, -40.0
    x = torch.tensor([[1., 0., 1.], [0., 0., 1.], [1., 1., 0.], [0., 1., 0.]])
    mask = mask_of(4, 3, [(0, 2), (2, 1)])
    write_case(w, "bernoulli", bernoulli_cells, out, x, mask)
    # categorical over a one-hot span of 4
    out = 2 * torch.randn(5, 4)
    out[4] = torch.tensor([30., -30., 0., 5.])
    x = F.one_hot(torch.tensor([0, 3, 1, 2, 0]), 4).float()
    mask = mask_of(5, 4, [(2, 0), (2, 1), (2, 2), (2, 3)])
    write_case(w, "categorical", categorical_rows, out, x, mask)
    w.save()


def case_vae():
    model = VAE()
    with torch.no_grad():
        model.fc_logvar.bias += 0.3
    b = 5
    x_raw = torch.cat([torch.randn(b, 3),
                       (torch.rand(b, 2) < 0.5).float(),
                       F.one_hot(torch.tensor([0, 2, 1, 1, 0]), 3).float()], dim=1)
    for r, c in [(0, 1), (1, 2), (2, 3), (3, 5), (3, 6), (3, 7), (4, 0), (4, 4)]:
        x_raw[r, c] = float("nan")
    x, mask = fill(x_raw)
    eps = torch.randn(b, 2)
    loss, recon, kl, out = vae_loss(model, x, mask, eps)
    loss.backward()
    w = Writer("vae_composite.txt", ["VAE 8-6-(2)-6-9, composite likelihood gaussian-learned(2), "
                                     "gaussian-heteroscedastic(1), bernoulli(2), categorical(3)",
                                     "loss = (recon + kl) / B over observed cells; grads at eps0"])
    w.scalar("batch", b)
    for n, p in named(model):
        w.tensor(n, p)
    w.tensor("x_raw", x_raw)
    w.tensor("x", x)
    w.tensor("mask", mask)
    w.tensor("eps0", eps)
    w.scalar("loss", loss)
    w.scalar("recon", recon)
    w.scalar("kl", kl)
    w.tensor("out", out)
    for n, p in named(model):
        w.tensor("grad." + n, p.grad)
    params = list(model.parameters())
    # float64 check through a functional copy
    ps64 = [p.detach().double().clone().requires_grad_(True) for p in params]
    m64 = VAE().double()
    for p, q in zip(m64.parameters(), ps64):
        with torch.no_grad():
            p.copy_(q)
    l64 = vae_loss(m64, x.double(), mask.double(), eps.double())[0]
    l64.backward()
    for (n, p), p64 in zip(named(model), m64.parameters()):
        assert torch.allclose(p.grad.double(), p64.grad, rtol=1e-4, atol=1e-6), n
    w.save()


if __name__ == "__main__":
    torch.manual_seed(2026)
    case_likelihoods()
    case_vae()
    print("OK")
