"""PyTorch reference fixtures for the vae4j parity tests.

Rerun from the project root with

    /usr/bin/python3 src/test/python/make_parity_fixtures.py

It writes five plain-text files to src/test/resources/parity/. The run is
deterministic (torch.manual_seed(1234), float32, CPU). Each file contains
'#' comment lines and records of two kinds:

    scalar <name> <value>
    tensor <name> <rows> <cols>
    <rows*cols values, row-major, on one line>

Weights use PyTorch's (out, in) layout; biases are written as 1 x n tensors.
Losses are per-example averages: (sum over batch) / B.

vae_bernoulli.txt   VAE 12-8-3, Bernoulli likelihood from logits, beta 0.7,
                    B=5. Initial params, x, eps0..eps3, and at eps0: loss,
                    recon, kl, mu, logvar, logits, grad.<param>. Then 3 Adam
                    steps (lr 1e-2), step k using eps_k: adam.loss0..2,
                    adam.<param> after the steps, adam.loss3 = loss at the
                    final params with eps3.
ae_squared_error.txt  Autoencoder 12-8-5-3 / 3-5-8-12 (sigmoid output),
                    squared error, B=6. Initial params, x, loss, code, out,
                    grad.<param>. From the same initial params: 3 steps of
                    SGD (lr 0.05, momentum 0.9) -> sgd.loss0..2, sgd.<param>,
                    and 3 steps of Adam (lr 1e-2) -> adam.loss0..2, adam.<param>.
vae_gaussian.txt    VAE 12-8-3, Gaussian likelihood with fixed variance 0.25
                    around mean = sigmoid(fc4(...)), beta 1.0, B=4. Initial
                    params, x, eps0, loss, recon, kl, mean, grad.<param>.
adamw_clip.txt      The autoencoder of ae_squared_error.txt, same initial
                    params and x: 3 steps of torch.optim.AdamW (lr 1e-2,
                    weight_decay 0.1), each after
                    torch.nn.utils.clip_grad_norm_(max_norm 0.05), which
                    clips on every step. Per step k: loss<k>, norm<k> (the
                    returned total norm), grad<k>.<param> (before clipping),
                    clipped<k>.<param> (after); then adamw.<param>.
lr_schedules.txt    Learning rates of 12 optimiser steps (lr.<name>.<t>, the
                    lr step t uses, full double precision) from torch's
                    lr_scheduler classes: constant, StepLR stepped per epoch
                    (2 steps per epoch, step_size 2 epochs, gamma 0.5),
                    CosineAnnealingLR(T_max 12); and each with a 4-step
                    linear warm-up, factor (t+1)/4, as LinearLR(start_factor
                    1/4, total_iters 3) stepped per step alongside.

At the end the script checks a few analytic gradients against float64
central differences and prints OK (nothing of this is written to disk).
"""
import copy
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "resources", "parity")


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 8)
        self.fc_mu = nn.Linear(8, 3)
        self.fc_logvar = nn.Linear(8, 3)
        self.fc3 = nn.Linear(3, 8)
        self.fc4 = nn.Linear(8, 12)
        with torch.no_grad():
            self.fc_logvar.bias += 0.3  # so that sigma is not ~1

    def forward(self, x, eps):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps
        return mu, logvar, self.fc4(F.relu(self.fc3(z)))


def kl_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def bernoulli_loss(model, x, eps, beta):
    mu, logvar, logits = model(x, eps)
    b = x.shape[0]
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum() / b
    kl = kl_sum(mu, logvar) / b
    return recon + beta * kl, dict(recon=recon, kl=kl, mu=mu, logvar=logvar, logits=logits)


def gaussian_loss(model, x, eps, beta, var):
    mu, logvar, logits = model(x, eps)
    b = x.shape[0]
    mean = torch.sigmoid(logits)
    recon = ((x - mean).pow(2) / (2 * var) + 0.5 * math.log(2 * math.pi * var)).sum() / b
    kl = kl_sum(mu, logvar) / b
    return recon + beta * kl, dict(recon=recon, kl=kl, mu=mu, logvar=logvar, mean=mean)


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 5), nn.ReLU(),
                                     nn.Linear(5, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 8), nn.ReLU(),
                                     nn.Linear(8, 12), nn.Sigmoid())


def ae_loss(model, x):
    code = model.encoder(x)
    out = model.decoder(code)
    return (out - x).pow(2).sum() / x.shape[0], dict(code=code, out=out)


class Writer:
    def __init__(self, name, comments):
        self.path = os.path.join(OUT_DIR, name)
        self.lines = ["# " + c for c in comments]

    def scalar(self, name, v):
        # settings (Python numbers) verbatim, computed values at full float32 precision
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


def write_forward(w, model, loss, outputs, scalars, tensors):
    """Backprop `loss` and write it, the named forward outputs and all grads."""
    loss.backward()
    w.scalar("loss", loss)
    for key in scalars:
        w.scalar(key, outputs[key])
    for key in tensors:
        w.tensor(key, outputs[key])
    w.params("grad.", model, grads=True)


def run_steps(w, prefix, model, opt, loss_fn, n):
    for k in range(n):
        opt.zero_grad()
        loss, _ = loss_fn(k)
        loss.backward()
        opt.step()
        w.scalar("%s.loss%d" % (prefix, k), loss)
    w.params(prefix + ".", model)


def case_vae_bernoulli():
    model, beta = VAE(), 0.7
    x = torch.rand(5, 12)
    x[0, :4], x[1, :4] = 0.0, 1.0
    eps = [torch.randn(5, 3) for _ in range(4)]
    w = Writer("vae_bernoulli.txt", ["VAE 12-8-3, Bernoulli likelihood from logits",
                                     "loss = recon/B + beta*kl/B; grads of loss at eps0",
                                     "adam: lr 1e-2, step k uses eps_k; adam.loss3 at final params with eps3"])
    w.scalar("batch", 5)
    w.scalar("beta", beta)
    w.params("", model)
    w.tensor("x", x)
    for k, e in enumerate(eps):
        w.tensor("eps%d" % k, e)
    write_forward(w, model, *bernoulli_loss(model, x, eps[0], beta),
                  ["recon", "kl"], ["mu", "logvar", "logits"])
    check_gradients(lambda m: bernoulli_loss(m, x.double(), eps[0].double(), beta)[0], model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    run_steps(w, "adam", model, opt, lambda k: bernoulli_loss(model, x, eps[k], beta), 3)
    with torch.no_grad():
        w.scalar("adam.loss3", bernoulli_loss(model, x, eps[3], beta)[0])
    w.save()


def case_ae_squared_error():
    model = AE()
    x = torch.rand(6, 12)
    w = Writer("ae_squared_error.txt", ["Autoencoder 12-8-5-3 / 3-5-8-12, sigmoid output",
                                        "loss = sum((out - x)^2) / B",
                                        "sgd: lr 0.05 momentum 0.9; adam: lr 1e-2; both from the initial params"])
    w.scalar("batch", 6)
    w.params("", model)
    w.tensor("x", x)
    initial = copy.deepcopy(model)
    write_forward(w, model, *ae_loss(model, x), [], ["code", "out"])
    check_gradients(lambda m: ae_loss(m, x.double())[0], model)
    for prefix, make_opt in [("sgd", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
                             ("adam", lambda p: torch.optim.Adam(p, lr=1e-2))]:
        m = copy.deepcopy(initial)
        run_steps(w, prefix, m, make_opt(m.parameters()), lambda k: ae_loss(m, x), 3)
    w.save()
    return initial, x


def case_vae_gaussian():
    model, beta, var = VAE(), 1.0, 0.25
    x = torch.rand(4, 12)
    eps0 = torch.randn(4, 3)
    w = Writer("vae_gaussian.txt", ["VAE 12-8-3, Gaussian likelihood, fixed variance, mean = sigmoid(fc4)",
                                    "recon = sum((x-mean)^2/(2 var) + 0.5 log(2 pi var)) / B; loss = recon + beta*kl/B"])
    w.scalar("batch", 4)
    w.scalar("beta", beta)
    w.scalar("variance", var)
    w.params("", model)
    w.tensor("x", x)
    w.tensor("eps0", eps0)
    write_forward(w, model, *gaussian_loss(model, x, eps0, beta, var),
                  ["recon", "kl"], ["mean"])
    check_gradients(lambda m: gaussian_loss(m, x.double(), eps0.double(), beta, var)[0], model)
    w.save()


AE_PARAM_ORDER_NOTE = "parameters in named_parameters() order: " \
    "encoder.0/2/4 and decoder.0/2/4, weight then bias"


def case_adamw_clip(initial, x):
    lr, weight_decay, max_norm = 1e-2, 0.1, 0.05
    w = Writer("adamw_clip.txt", ["Autoencoder of ae_squared_error.txt (same initial params and x)",
                                  "per step: clip_grad_norm_(max_norm) then torch.optim.AdamW step",
                                  "grad<k> before clipping, clipped<k> after, norm<k> = returned total norm",
                                  AE_PARAM_ORDER_NOTE])
    w.scalar("batch", x.shape[0])
    w.scalar("lr", lr)
    w.scalar("weight_decay", weight_decay)
    w.scalar("max_norm", max_norm)
    w.params("", initial)
    w.tensor("x", x)
    m = copy.deepcopy(initial)
    opt = torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=weight_decay)
    for k in range(3):
        opt.zero_grad()
        loss, _ = ae_loss(m, x)
        loss.backward()
        w.scalar("loss%d" % k, loss)
        w.params("grad%d." % k, m, grads=True)
        norm = torch.nn.utils.clip_grad_norm_(m.parameters(), max_norm)
        assert max_norm / (norm.item() + 1e-6) < 1, "clipping must trigger on every step"
        w.scalar("norm%d" % k, norm)
        w.params("clipped%d." % k, m, grads=True)
        opt.step()
    w.params("adamw.", m)
    w.save()


def lr_sequence(make_schedulers, base_lr, steps, steps_per_epoch):
    """The lr each of `steps` optimiser steps uses. make_schedulers(opt) returns
    (per_step, per_epoch) lists of schedulers; per-step ones are stepped after
    every optimiser step, per-epoch ones after every steps_per_epoch steps."""
    p = torch.zeros(1, requires_grad=True)
    p.grad = torch.zeros(1)
    opt = torch.optim.SGD([p], lr=base_lr)
    per_step, per_epoch = make_schedulers(opt)
    lrs = []
    for t in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        for s in per_step:
            s.step()
        if (t + 1) % steps_per_epoch == 0:
            for s in per_epoch:
                s.step()
    return lrs


def case_lr_schedules():
    from torch.optim import lr_scheduler as S
    base_lr, steps, steps_per_epoch, step_epochs, gamma, warmup = 0.01, 12, 2, 2, 0.5, 4
    w = Writer("lr_schedules.txt", ["lr.<schedule>.<t>: the learning rate optimiser step t (0-based) uses",
                                    "torch.optim.lr_scheduler classes on an SGD optimiser with lr base_lr; constant: MultiplicativeLR(1.0)",
                                    "step: StepLR(step_size=step_epochs, gamma) stepped once per epoch",
                                    "cosine: CosineAnnealingLR(T_max=steps, eta_min=0) stepped per step",
                                    "warmup_*: plus LinearLR(start_factor=1/warmup, total_iters=warmup-1) "
                                    "stepped per step, i.e. factor (t+1)/warmup for t < warmup"])
    for name, v in [("base_lr", base_lr), ("steps", steps), ("steps_per_epoch", steps_per_epoch),
                    ("step_epochs", step_epochs), ("gamma", gamma), ("warmup_steps", warmup)]:
        w.scalar(name, v)
    mains = {
        "constant": lambda o: ([S.MultiplicativeLR(o, lambda t: 1.0)], []),  # chainable, unlike LambdaLR
        "step": lambda o: ([], [S.StepLR(o, step_size=step_epochs, gamma=gamma)]),
        "cosine": lambda o: ([S.CosineAnnealingLR(o, T_max=steps, eta_min=0)], []),
    }
    for name, make in mains.items():
        def with_warmup(o, make=make):
            warm = S.LinearLR(o, start_factor=1.0 / warmup, end_factor=1.0, total_iters=warmup - 1)
            per_step, per_epoch = make(o)
            return [warm] + per_step, per_epoch
        for label, maker in [(name, make), ("warmup_" + name, with_warmup)]:
            for t, lr in enumerate(lr_sequence(maker, base_lr, steps, steps_per_epoch)):
                w.scalar("lr.%s.%d" % (label, t), lr)
    w.save()


def check_gradients(loss_fn, model, h=1e-6, picks=3):
    """Compare float64 analytic gradients of a few entries of every parameter
    to central differences, and the float32 grads already in `model` too."""
    m = copy.deepcopy(model).double()
    m.zero_grad()
    loss_fn(m).backward()
    worst = 0.0
    for (name, p), p32 in zip(m.named_parameters(), model.parameters()):
        flat = p.data.view(-1)
        for i in range(0, flat.numel(), max(1, flat.numel() // picks)):
            old = flat[i].item()
            with torch.no_grad():
                flat[i] = old + h
                up = loss_fn(m).item()
                flat[i] = old - h
                down = loss_fn(m).item()
                flat[i] = old
            num, ana = (up - down) / (2 * h), p.grad.view(-1)[i].item()
            f32 = p32.grad.view(-1)[i].item()
            scale = max(1e-3, abs(num))
            worst = max(worst, abs(num - ana) / scale)
            assert abs(num - ana) / scale < 1e-5, (name, i, num, ana)
            assert abs(num - f32) / scale < 1e-3, (name, i, num, f32)
    print("  finite-difference check OK (worst rel. err %.2e)" % worst)


if __name__ == "__main__":
    torch.manual_seed(1234)
    os.makedirs(OUT_DIR, exist_ok=True)
    case_vae_bernoulli()
    ae_initial, ae_x = case_ae_squared_error()
    case_vae_gaussian()
    # Added later; they draw no random numbers, so the files above are unchanged.
    case_adamw_clip(ae_initial, ae_x)
    case_lr_schedules()
