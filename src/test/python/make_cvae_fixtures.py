"""PyTorch reference fixtures for vae4j's conditional VAE (ConditionalVae).

Rerun from the project root with

    /usr/bin/python3 src/test/python/make_cvae_fixtures.py

It writes (deterministic: torch.manual_seed(2015), float32, CPU)

  src/test/resources/parity/cvae_bernoulli.txt
      CVAE 6-5-(2)-5-6 with condition width 3 (scale s = 2.5), ReLU, Bernoulli from logits, beta 0.8,
      B = 5, in the text format of make_parity_fixtures.py (scalar / tensor records).
      Initial params, x, c (one-hot rows, labels 0 1 2 0 2), eps0..eps3; at eps0: loss,
      recon, kl, mu, logvar, logits, grad.<param>, and grad.c = dL/dc (the sum of the
      encoder's and the decoder's Concat parts). Then 3 Adam steps (lr 1e-2), step k with
      eps_k: adam.loss0..2, adam.<param>, adam.loss3 at the final params with eps3.
  src/test/resources/parity/cvae_iwae.txt
      The IWAE bound (Burda et al. 2016) of a CVAE 6-5-(2)-5-6, condition width 3 (s = 2.5), with K = 5
      importance samples, B = 4 (labels 2 0 1 2): log w = log p(x|z,c) + log p(z) - log q(z|x,c),
      z = mu(x,c) + sigma(x,c) eps, row i*K+s of eps (B*K, 2) = sample s of example i (the decoder
      sees c repeated K times); loss = -mean_i logmeanexp_s log w_is, recon and kl (sample means
      of -log p(x|z,c) and log q - log p, per example), logw, weights (softmax over s),
      grad.<param>. Written after the two files below, so they are unchanged.
  src/test/resources/io/pytorch_cvae_6_3_5_2.safetensors (+ .txt)
      save_file(CVAE(6, 3, 5, 2).state_dict()) (s = 1) with vae4j's metadata keys for a cvae
      but no vae4j.condition_scale (a file from before the scale, read with s = 1), and
      the posterior means and decoded means of fixed inputs, so a test checks that vae4j
      reads a file PyTorch wrote and computes what PyTorch computes.

With --check FILE it instead loads a CVAE file vae4j wrote (the state_dict names are
the module's), evaluates it on the inputs stored next to it (FILE.inputs.txt) and
compares with the outputs stored there.

The CVAE module below is the one documented in docs/MODEL_FILES.md: its state_dict
names (fc1, fc_mu, fc_logvar, fc3, fc4) are ConditionalVae's for one hidden layer per
side.
"""
import copy
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
PARITY = os.path.join(HERE, "..", "resources", "parity")
IO = os.path.join(HERE, "..", "resources", "io")


class CVAE(nn.Module):
    """Conditional VAE (Sohn, Lee & Yan 2015): q(z|x,c), p(x|z,c), prior N(0, I).

    The condition c (e.g. a one-hot label) times the scale s is concatenated to the encoder's
    input and to the decoder's input (vae4j.condition_scale; 1 when a file lacks it; vae4j's
    default 10); the decoder returns Bernoulli logits. s is not in the state_dict."""

    def __init__(self, d, c, h, k, s=1.0):
        super().__init__()
        self.s = s
        self.fc1 = nn.Linear(d + c, h)
        self.fc_mu = nn.Linear(h, k)
        self.fc_logvar = nn.Linear(h, k)
        self.fc3 = nn.Linear(k + c, h)
        self.fc4 = nn.Linear(h, d)

    def encode(self, x, c):
        h = F.relu(self.fc1(torch.cat([x, self.s * c], 1)))
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z, c):
        return self.fc4(F.relu(self.fc3(torch.cat([z, self.s * c], 1))))  # logits

    def forward(self, x, c, eps):
        mu, logvar = self.encode(x, c)
        z = mu + torch.exp(0.5 * logvar) * eps
        return mu, logvar, self.decode(z, c)


def loss_fn(model, x, c, eps, beta):
    """-ELBO per example: [BCE(logits, x) + beta KL(q(z|x,c) || N(0, I))] summed / B."""
    mu, logvar, logits = model(x, c, eps)
    b = x.shape[0]
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum() / b
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / b
    return recon + beta * kl, dict(recon=recon, kl=kl, mu=mu, logvar=logvar, logits=logits)


class Writer:
    def __init__(self, path, comments):
        self.path = path
        self.lines = ["# " + s for s in comments]

    def scalar(self, name, v):
        text = "%.9e" % v.item() if torch.is_tensor(v) else repr(v)
        self.lines.append("scalar %s %s" % (name, text))

    def tensor(self, name, t):
        t = t.detach()
        rows, cols = (1, t.shape[0]) if t.dim() == 1 else tuple(t.shape)
        self.lines.append("tensor %s %d %d" % (name, rows, cols))
        self.lines.append(" ".join("%.9e" % v for v in t.reshape(-1).tolist()))

    def params(self, prefix, model, grads=False):
        for n, p in model.named_parameters():
            self.tensor(prefix + n, p.grad if grads else p)

    def save(self):
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        print("wrote", os.path.relpath(self.path))


# A minimal safetensors reader and writer (float32 only), as this interpreter has no
# safetensors package; the layout is the format's: an 8-byte little-endian header length,
# the JSON header (dtype, shape, data_offsets per tensor, __metadata__), the raw data.
# safetensors.torch.save_file / load_file read and write the same files.
def save_safetensors(tensors, path, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().to(torch.float32)
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", (name, info["dtype"])
        a, b = info["data_offsets"]
        values = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").copy()
        tensors[name] = torch.from_numpy(values).reshape(info["shape"])
    return tensors, meta


def one_hot(labels, width):
    return F.one_hot(torch.tensor(labels), width).float()


def check_gradients(model, x, c, eps, beta, h=1e-6):
    """float64 central differences of every parameter entry against autograd."""
    m = copy.deepcopy(model).double()
    fn = lambda: loss_fn(m, x.double(), c.double(), eps.double(), beta)[0]
    m.zero_grad()
    fn().backward()
    worst = 0.0
    for name, p in m.named_parameters():
        flat = p.data.view(-1)
        for i in range(flat.numel()):
            old = flat[i].item()
            with torch.no_grad():
                flat[i] = old + h
                up = fn().item()
                flat[i] = old - h
                down = fn().item()
                flat[i] = old
            num, ana = (up - down) / (2 * h), p.grad.view(-1)[i].item()
            err = abs(num - ana) / max(1e-3, abs(num))
            worst = max(worst, err)
            assert err < 1e-5, (name, i, num, ana)
    print("  finite-difference check OK (worst rel. err %.2e)" % worst)


def case_parity():
    d, cw, hidden, k, beta, b, scale = 6, 3, 5, 2, 0.8, 5, 2.5
    model = CVAE(d, cw, hidden, k, scale)
    with torch.no_grad():
        model.fc_logvar.bias += 0.3  # so that sigma is not ~1
    x = torch.rand(b, d)
    x[0, :2], x[1, :2] = 0.0, 1.0
    c = one_hot([0, 1, 2, 0, 2], cw).requires_grad_(True)
    eps = [torch.randn(b, k) for _ in range(4)]
    w = Writer(os.path.join(PARITY, "cvae_bernoulli.txt"), [
        "CVAE 6-5-(2)-5-6, condition width 3 scaled by 2.5, ReLU, Bernoulli from logits (make_cvae_fixtures.py)",
        "loss = recon/B + beta*kl/B; grads of loss at eps0; grad.c = dL/dc (both concats)",
        "adam: lr 1e-2, step k uses eps_k; adam.loss3 at final params with eps3"])
    w.scalar("batch", b)
    w.scalar("beta", beta)
    w.scalar("condition_scale", scale)
    w.params("", model)
    w.tensor("x", x)
    w.tensor("c", c)
    for i, e in enumerate(eps):
        w.tensor("eps%d" % i, e)
    loss, out = loss_fn(model, x, c, eps[0], beta)
    loss.backward()
    w.scalar("loss", loss)
    w.scalar("recon", out["recon"])
    w.scalar("kl", out["kl"])
    for key in ["mu", "logvar", "logits"]:
        w.tensor(key, out[key])
    w.params("grad.", model, grads=True)
    w.tensor("grad.c", c.grad)
    check_gradients(model, x, c.detach(), eps[0], beta)
    c = c.detach()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for i in range(3):
        opt.zero_grad()
        loss, _ = loss_fn(model, x, c, eps[i], beta)
        loss.backward()
        opt.step()
        w.scalar("adam.loss%d" % i, loss)
    w.params("adam.", model)
    with torch.no_grad():
        w.scalar("adam.loss3", loss_fn(model, x, c, eps[3], beta)[0])
    w.save()


def metadata(d, cw, hidden, k):
    """The metadata vae4j writes for a cvae (docs/MODEL_FILES.md)."""
    return {"vae4j.format_version": "1", "vae4j.model": "cvae", "vae4j.input_size": str(d),
            "vae4j.condition_size": str(cw), "vae4j.hidden_sizes": "[%d]" % hidden,
            "vae4j.decoder_hidden_sizes": "[%d]" % hidden, "vae4j.latent_size": str(k),
            "vae4j.activation": "relu", "vae4j.output_activation": "identity",
            "vae4j.likelihood": "bernoulli"}


def outputs(model, x, c):
    with torch.no_grad():
        mu, _ = model.encode(x, c)
        return mu, torch.sigmoid(model.decode(mu, c))


def case_file():
    d, cw, hidden, k = 6, 3, 5, 2
    model = CVAE(d, cw, hidden, k)
    x = torch.rand(4, d)
    c = one_hot([2, 0, 1, 2], cw)
    mu, mean = outputs(model, x, c)
    path = os.path.join(IO, "pytorch_cvae_6_3_5_2.safetensors")
    save_safetensors(model.state_dict(), path, metadata(d, cw, hidden, k))
    print("wrote", os.path.relpath(path))
    w = Writer(path[:-len(".safetensors")] + ".txt",
               ["inputs and outputs of pytorch_cvae_6_3_5_2.safetensors (make_cvae_fixtures.py):",
                "mu = posterior mean of (x, c); mean = sigmoid(decode(mu, c))"])
    w.tensor("x", x)
    w.tensor("c", c)
    w.tensor("mu", mu)
    w.tensor("mean", mean)
    w.save()


def read_text(path):
    tensors = {}
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l and not l.startswith("#")]
    i = 0
    while i < len(lines):
        head = lines[i].split()
        if head[0] == "tensor":
            rows, cols = int(head[2]), int(head[3])
            values = [float(v) for v in lines[i + 1].split()]
            tensors[head[1]] = torch.tensor(values, dtype=torch.float32).reshape(rows, cols)
            i += 2
        else:
            i += 1
    return tensors


def check(path):
    """Loads a vae4j CVAE file into the module and compares with the outputs vae4j stored."""
    state, meta = load_safetensors(path)
    assert meta["vae4j.model"] == "cvae", meta
    hidden = json.loads(meta["vae4j.hidden_sizes"])
    assert len(hidden) == 1, "this module has one hidden layer per side"
    model = CVAE(int(meta["vae4j.input_size"]), int(meta["vae4j.condition_size"]), hidden[0],
                 int(meta["vae4j.latent_size"]), float(meta.get("vae4j.condition_scale", 1)))
    model.load_state_dict(state)  # strict: every name and shape must match
    t = read_text(path + ".inputs.txt")
    mu, mean = outputs(model, t["x"], t["c"])
    worst = max((mu - t["mu"]).abs().max().item(), (mean - t["mean"]).abs().max().item())
    print("max abs difference %.3e" % worst)
    assert worst < 1e-5, worst
    print("OK")


LOG_2PI = math.log(2 * math.pi)


def iwae_loss(model, x, c, eps, k):
    """-mean_i logmeanexp_s [log p(x|z_is,c) + log p(z_is) - log q(z_is|x,c)], log q and log p from z."""
    b = x.shape[0]
    mu, logvar = model.encode(x, c)
    mu_r, lv_r = mu.repeat_interleave(k, 0), logvar.repeat_interleave(k, 0)
    x_r, c_r = x.repeat_interleave(k, 0), c.repeat_interleave(k, 0)
    z = mu_r + torch.exp(0.5 * lv_r) * eps
    log_px = -F.binary_cross_entropy_with_logits(model.decode(z, c_r), x_r, reduction="none").sum(1)
    log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(1)
    log_qz = -0.5 * ((z - mu_r).pow(2) / lv_r.exp() + LOG_2PI + lv_r).sum(1)
    logw = (log_px + log_pz - log_qz).view(b, k)
    loss = -(torch.logsumexp(logw, 1) - math.log(k)).mean()
    return loss, dict(logw=logw, weights=torch.softmax(logw, 1),
                      recon=(-log_px).view(b, k).mean(1).sum() / b,
                      kl=(log_qz - log_pz).view(b, k).mean(1).sum() / b)


def check_iwae_gradients(model, x, c, eps, k, h=1e-6):
    """float64 central differences of every parameter entry of the IWAE loss against autograd."""
    m = copy.deepcopy(model).double()
    fn = lambda: iwae_loss(m, x.double(), c.double(), eps.double(), k)[0]
    m.zero_grad()
    fn().backward()
    worst = 0.0
    for name, p in m.named_parameters():
        flat = p.data.view(-1)
        for i in range(flat.numel()):
            old = flat[i].item()
            with torch.no_grad():
                flat[i] = old + h
                up = fn().item()
                flat[i] = old - h
                down = fn().item()
                flat[i] = old
            num, ana = (up - down) / (2 * h), p.grad.view(-1)[i].item()
            err = abs(num - ana) / max(1e-3, abs(num))
            worst = max(worst, err)
            assert err < 1e-5, (name, i, num, ana)
    print("  IWAE finite-difference check OK (worst rel. err %.2e)" % worst)


def case_iwae():
    d, cw, hidden, latent, b, k, scale = 6, 3, 5, 2, 4, 5, 2.5
    model = CVAE(d, cw, hidden, latent, scale)
    with torch.no_grad():
        model.fc_logvar.bias += 0.3
    x = torch.rand(b, d)
    c = one_hot([2, 0, 1, 2], cw)
    eps = torch.randn(b * k, latent)
    w = Writer(os.path.join(PARITY, "cvae_iwae.txt"), [
        "CVAE 6-5-(2)-5-6, condition width 3 scaled by 2.5, ReLU, Bernoulli from logits (make_cvae_fixtures.py); IWAE bound",
        "K samples per example: row i*K+s of eps is sample s of example i; the decoder gets c repeated K times",
        "loss = -mean_i logmeanexp_s [log p(x|z,c) + log p(z) - log q(z|x,c)]"])
    w.scalar("batch", b)
    w.scalar("samples", k)
    w.scalar("condition_scale", scale)
    w.params("", model)
    w.tensor("x", x)
    w.tensor("c", c)
    w.tensor("eps", eps)
    loss, out = iwae_loss(model, x, c, eps, k)
    loss.backward()
    w.scalar("loss", loss)
    for key in ["recon", "kl"]:
        w.scalar(key, out[key])
    for key in ["logw", "weights"]:
        w.tensor(key, out[key])
    w.params("grad.", model, grads=True)
    print("  CVAE IWAE normalised weights per example:", [[round(v, 3) for v in row]
                                                          for row in out["weights"].tolist()])
    check_iwae_gradients(model, x, c, eps, k)
    w.save()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
        sys.exit(0)
    torch.manual_seed(2015)
    os.makedirs(PARITY, exist_ok=True)
    case_parity()
    case_file()
    case_iwae()
