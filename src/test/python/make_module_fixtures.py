"""PyTorch reference fixture for the vae4j module tests (LayerNorm, Concat).

Rerun from the project root with

    /usr/bin/python3 src/test/python/make_module_fixtures.py

It writes src/test/resources/parity/modules.txt in the format of
make_parity_fixtures.py ('#' comments, 'scalar <name> <value>',
'tensor <name> <rows> <cols>' followed by the row-major values on one line;
weights (out, in), biases and LayerNorm's weight/bias 1 x n). Deterministic:
torch.manual_seed(4321), float32, CPU. Every case uses the loss
L = sum(r * y) for a fixed random r, so dL/dy = r.

ln.*    nn.LayerNorm(6) (eps 1e-5) with random weight and bias, B=4,
        x ~ N(0, 1). ln.x, ln.weight, ln.bias, ln.r, ln.y, ln.grad.weight,
        ln.grad.bias, ln.dx.
lnshift.*  the same layer on an ill-conditioned batch: x = 40 + 0.1 N(0, 1)
        (mean large against the spread), B=3. lnshift.x, lnshift.r, and the
        outputs twice: in float32 (lnshift.y, lnshift.grad.weight,
        lnshift.grad.bias, lnshift.dx) and in float64 from the same float32
        inputs (lnshift.y64, ...), the exact values to compare with; float32
        PyTorch is off those by ~5e-5 relative here.
seq.*   nn.Sequential(Linear(5, 7), LayerNorm(7), ReLU(), Linear(7, 3)), the
        LayerNorm's weight and bias randomised, B=4. seq.<state_dict name>,
        seq.x, seq.r, seq.y, seq.grad.<name>, seq.dx.
cat.*   a conditional encoder: h = cat([x, c], 1) (x (B, 5), c (B, 2)) into
        nn.Sequential(Linear(7, 6), LayerNorm(6), ReLU(), Linear(6, 3)), B=4.
        cat.<state_dict name>, cat.x, cat.c, cat.r, cat.y, cat.grad.<name>,
        cat.dx, cat.dc.

Before writing, the script checks the hand-written LayerNorm backward of
docs/MATH.md (dx = rstd (g - mean(g) - xhat mean(g xhat)), g = dy gamma)
against autograd in float64, and torch's LayerNorm against
torch.autograd.gradcheck, and prints OK.
"""
import copy
import os

import torch
import torch.nn as nn

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "resources", "parity")


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
        self.lines.append(" ".join("%.9e" % v for v in t.reshape(-1).tolist()))

    def save(self):
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        print("wrote", os.path.relpath(self.path))


def randomise_layer_norms(model):
    for m in model.modules():
        if isinstance(m, nn.LayerNorm):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)


def case_layer_norm(w):
    ln = nn.LayerNorm(6)
    randomise_layer_norms(ln)
    x = torch.randn(4, 6, requires_grad=True)
    r = torch.rand(4, 6) * 2 - 1
    y = ln(x)
    (r * y).sum().backward()
    w.scalar("ln.eps", ln.eps)
    for name, t in [("x", x), ("weight", ln.weight), ("bias", ln.bias), ("r", r), ("y", y),
                    ("grad.weight", ln.weight.grad), ("grad.bias", ln.bias.grad), ("dx", x.grad)]:
        w.tensor("ln." + name, t)

    xs = (torch.randn(3, 6) * 0.1 + 40.0)
    rs = torch.rand(3, 6) * 2 - 1
    w.tensor("lnshift.x", xs)
    w.tensor("lnshift.r", rs)
    for suffix, dtype in [("", torch.float32), ("64", torch.float64)]:
        m = copy.deepcopy(ln).to(dtype)
        m.zero_grad()
        xd = xs.detach().to(dtype).clone().requires_grad_(True)
        yd = m(xd)
        (rs.to(dtype) * yd).sum().backward()
        for name, t in [("y", yd), ("grad.weight", m.weight.grad), ("grad.bias", m.bias.grad), ("dx", xd.grad)]:
            w.tensor("lnshift." + name + suffix, t)


def case_sequential(w, prefix, model, inputs):
    randomise_layer_norms(model)
    for n, p in model.state_dict().items():
        w.tensor(prefix + n, p)
    for name, t in inputs.items():
        t.requires_grad_(True)
        w.tensor(prefix + name, t)
    h = torch.cat(list(inputs.values()), 1)
    y = model(h)
    r = torch.rand(y.shape) * 2 - 1
    (r * y).sum().backward()
    w.tensor(prefix + "r", r)
    w.tensor(prefix + "y", y)
    for n, p in model.named_parameters():
        w.tensor(prefix + "grad." + n, p.grad)
    for name, t in inputs.items():
        w.tensor(prefix + "d" + name, t.grad)


def check_layer_norm_backward():
    """The MATH.md formula against autograd, and torch's LayerNorm against gradcheck (float64)."""
    g = torch.Generator().manual_seed(99)
    x = torch.randn(5, 7, dtype=torch.float64, generator=g, requires_grad=True)
    gamma = torch.rand(7, dtype=torch.float64, generator=g) + 0.5
    beta = torch.rand(7, dtype=torch.float64, generator=g) - 0.5
    dy = torch.randn(5, 7, dtype=torch.float64, generator=g)
    y = torch.nn.functional.layer_norm(x, (7,), gamma, beta, 1e-5)
    y.backward(dy)
    with torch.no_grad():
        mean = x.mean(1, keepdim=True)
        rstd = 1 / torch.sqrt(x.var(1, unbiased=False, keepdim=True) + 1e-5)
        xhat = (x - mean) * rstd
        gg = dy * gamma
        dx = rstd * (gg - gg.mean(1, keepdim=True) - xhat * (gg * xhat).mean(1, keepdim=True))
    err = (dx - x.grad).abs().max().item()
    assert err < 1e-12, err
    assert torch.autograd.gradcheck(
        lambda a, b, c: torch.nn.functional.layer_norm(a, (7,), b, c, 1e-5),
        (x.detach().requires_grad_(True), gamma.requires_grad_(True), beta.requires_grad_(True)))
    print("  LayerNorm backward formula OK (max abs err %.1e), gradcheck OK" % err)


if __name__ == "__main__":
    check_layer_norm_backward()
    torch.manual_seed(4321)
    os.makedirs(OUT_DIR, exist_ok=True)
    w = Writer("modules.txt", __doc__.strip().splitlines()[:1]
               + ["written by src/test/python/make_module_fixtures.py (torch %s); loss sum(r * y)"
                  % torch.__version__])
    case_layer_norm(w)
    case_sequential(w, "seq.", nn.Sequential(nn.Linear(5, 7), nn.LayerNorm(7), nn.ReLU(), nn.Linear(7, 3)),
                    {"x": torch.randn(4, 5)})
    case_sequential(w, "cat.", nn.Sequential(nn.Linear(7, 6), nn.LayerNorm(6), nn.ReLU(), nn.Linear(6, 3)),
                    {"x": torch.randn(4, 5), "c": torch.randn(4, 2)})
    w.save()
