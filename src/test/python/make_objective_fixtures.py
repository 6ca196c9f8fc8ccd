"""PyTorch reference fixtures for the objectives beyond the plain ELBO: the IWAE
bound and free bits (docs/MATH.md, sections 25 and 26).

Rerun from the project root with

    /usr/bin/python3 src/test/python/make_objective_fixtures.py

It writes two files to src/test/resources/parity/ in the format of
make_parity_fixtures.py (whose Writer and finite-difference check it uses):

iwae.txt        VAE 12-8-(3) of make_parity_fixtures.py (ReLU, Bernoulli
                likelihood from logits), B=4, K=5 importance samples.
                Initial params, x, eps (B*K, 3), row i*K+s = sample s of
                example i. loss = -mean_i logmeanexp_s log w_is with
                log w = log p(x|z) + log p(z) - log q(z|x), log q and log p
                computed from z (autograd differentiates every path);
                logw (B, K), weights (B, K) = softmax over s, recon and kl =
                the sample means of -log p(x|z) and log q - log p, per
                example; grad.<param>. Then the same model and x with K=1 and
                the first sample of each example (eps1, (B, 3)):
                k1.loss, grad1.<param>.
free_bits.txt   VAE 12-8-(4), same form, beta 0.8, B=6, free bits lambda
                between the batch-mean KLs of the dimensions (two below,
                two above; one row of a dimension below lambda has its own KL
                above lambda, so clamping per example would differ):
                loss = recon/B + beta * sum_j clamp(mean_rows KL_rj, min=lambda),
                klbar (1, 4), recon, kl (unclamped, per example), grad.<param>.

iwae_learned_gaussian.txt
                VAE 12-8-(3) with a Gaussian likelihood whose log-variance is
                one trainable parameter per column (vae4j's
                LearnedGaussianLikelihood.perColumn, state_dict name
                likelihood.log_var, bounded s = 6 tanh(v / 6)), B=4, K=5:
                the IWAE bound as in iwae.txt with -log p(x|z) =
                sum_j (log 2 pi + s_j + (x_j - m_j)^2 exp(-s_j)) / 2; x
                standard normal, log_var initial values spread around 0.
                loss, recon, kl, logw, weights, grad.<param> including
                grad.likelihood.log_var (each sample's gradient weighted by
                its normalised importance weight, as autograd gives it).

Deterministic: torch.manual_seed(5678), float32, CPU (the last case draws after the
others, so adding it left their files unchanged).
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_parity_fixtures import Writer, check_gradients  # noqa: E402

LOG_2PI = math.log(2 * math.pi)


class VAE(nn.Module):
    """fc1 / fc_mu / fc_logvar / fc3 / fc4, the names of vae4j's one-hidden-layer Vae."""

    def __init__(self, d=12, h=8, latent=3):
        super().__init__()
        self.fc1 = nn.Linear(d, h)
        self.fc_mu = nn.Linear(h, latent)
        self.fc_logvar = nn.Linear(h, latent)
        self.fc3 = nn.Linear(latent, h)
        self.fc4 = nn.Linear(h, d)
        with torch.no_grad():
            self.fc_logvar.bias += 0.3

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z)))


def iwae_loss(model, x, eps, k):
    b = x.shape[0]
    mu, logvar = model.encode(x)
    mu_r, lv_r = mu.repeat_interleave(k, 0), logvar.repeat_interleave(k, 0)
    x_r = x.repeat_interleave(k, 0)
    z = mu_r + torch.exp(0.5 * lv_r) * eps
    logits = model.decode(z)
    log_px = -F.binary_cross_entropy_with_logits(logits, x_r, reduction="none").sum(1)
    log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(1)
    log_qz = -0.5 * ((z - mu_r).pow(2) / lv_r.exp() + LOG_2PI + lv_r).sum(1)
    logw = (log_px + log_pz - log_qz).view(b, k)
    loss = -(torch.logsumexp(logw, 1) - math.log(k)).mean()
    return loss, dict(logw=logw, weights=torch.softmax(logw, 1),
                      recon=(-log_px).view(b, k).mean(1).sum() / b,
                      kl=(log_qz - log_pz).view(b, k).mean(1).sum() / b)


def kl_per_element(mu, logvar):
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())


def free_bits_loss(model, x, eps, beta, lam):
    b = x.shape[0]
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * eps
    logits = model.decode(z)
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum() / b
    kl = kl_per_element(mu, logvar)
    klbar = kl.mean(0)
    loss = recon + beta * torch.clamp(klbar, min=lam).sum()
    return loss, dict(recon=recon, kl=kl.sum() / b, klbar=klbar, kl_rows=kl)


def case_iwae():
    b, k = 4, 5
    model = VAE()
    x = torch.rand(b, 12)
    eps = torch.randn(b * k, 3)
    w = Writer("iwae.txt", ["VAE 12-8-(3), ReLU, Bernoulli from logits; IWAE bound with K samples",
                            "row i*K+s of eps is sample s of example i",
                            "loss = -mean_i logmeanexp_s [log p(x|z) + log p(z) - log q(z|x)]",
                            "k1.*: K=1 with eps1 = the first sample of each example"])
    w.scalar("batch", b)
    w.scalar("samples", k)
    w.params("", model)
    w.tensor("x", x)
    w.tensor("eps", eps)
    loss, out = iwae_loss(model, x, eps, k)
    loss.backward()
    w.scalar("loss", loss)
    for key in ["recon", "kl"]:
        w.scalar(key, out[key])
    for key in ["logw", "weights"]:
        w.tensor(key, out[key])
    w.params("grad.", model, grads=True)
    print("  IWAE normalised weights per example:", [[round(v, 3) for v in row]
                                                     for row in out["weights"].tolist()])
    check_gradients(lambda m: iwae_loss(m, x.double(), eps.double(), k)[0], model)
    eps1 = eps.view(b, k, 3)[:, 0, :].contiguous()
    model.zero_grad()
    loss1, _ = iwae_loss(model, x, eps1, 1)
    loss1.backward()
    w.tensor("eps1", eps1)
    w.scalar("k1.loss", loss1)
    w.params("grad1.", model, grads=True)
    w.save()


def case_free_bits():
    b, beta = 6, 0.8
    model = VAE(latent=4)
    with torch.no_grad():
        model.fc_mu.weight *= 3  # KLs that differ from row to row
    x = torch.rand(b, 12)
    eps = torch.randn(b, 4)
    with torch.no_grad():
        _, out = free_bits_loss(model, x, eps, beta, 0.0)
        klbar, rows = out["klbar"], out["kl_rows"]
    order = torch.argsort(klbar)
    lam = 0.5 * (klbar[order[1]] + klbar[order[2]]).item()
    gap = torch.min(torch.abs(klbar - lam)).item()
    assert gap > 1e-3, ("lambda too close to a dimension's batch-mean KL", klbar, lam)
    below = [j for j in range(4) if klbar[j] < lam]
    assert len(below) == 2
    assert any(rows[r, j] > lam for j in below for r in range(b)), \
        "need a row above lambda in a dimension whose mean is below it"
    w = Writer("free_bits.txt", ["VAE 12-8-(4), ReLU, Bernoulli from logits; free bits (Kingma et al. 2016)",
                                 "loss = recon/B + beta * sum_j clamp(mean_rows KL_rj, min=lambda)",
                                 "kl = unclamped KL per example; klbar = mean over rows per dimension"])
    w.scalar("batch", b)
    w.scalar("beta", beta)
    w.scalar("lambda", lam)
    w.params("", model)
    w.tensor("x", x)
    w.tensor("eps0", eps)
    loss, out = free_bits_loss(model, x, eps, beta, lam)
    loss.backward()
    w.scalar("loss", loss)
    w.scalar("recon", out["recon"])
    w.scalar("kl", out["kl"])
    w.tensor("klbar", out["klbar"])
    w.params("grad.", model, grads=True)
    print("  free bits: lambda %.4f, batch-mean KL per dimension %s" % (lam, [round(v, 4) for v in klbar.tolist()]))
    check_gradients(lambda m: free_bits_loss(m, x.double(), eps.double(), beta, lam)[0], model)
    w.save()


BOUND = 6.0


class Likelihood(nn.Module):
    """vae4j's LearnedGaussianLikelihood.perColumn: a raw log-variance v per column, s = B tanh(v / B)."""

    def __init__(self, d):
        super().__init__()
        self.log_var = nn.Parameter(0.6 * torch.randn(d))

    def neg_log_p(self, mean, x):
        s = BOUND * torch.tanh(self.log_var / BOUND)
        return 0.5 * (LOG_2PI + s + (x - mean).pow(2) * torch.exp(-s)).sum(1)


class GaussianVAE(VAE):
    def __init__(self):
        super().__init__()
        self.likelihood = Likelihood(12)


def iwae_gaussian_loss(model, x, eps, k):
    b = x.shape[0]
    mu, logvar = model.encode(x)
    mu_r, lv_r = mu.repeat_interleave(k, 0), logvar.repeat_interleave(k, 0)
    x_r = x.repeat_interleave(k, 0)
    z = mu_r + torch.exp(0.5 * lv_r) * eps
    log_px = -model.likelihood.neg_log_p(model.decode(z), x_r)
    log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(1)
    log_qz = -0.5 * ((z - mu_r).pow(2) / lv_r.exp() + LOG_2PI + lv_r).sum(1)
    logw = (log_px + log_pz - log_qz).view(b, k)
    loss = -(torch.logsumexp(logw, 1) - math.log(k)).mean()
    return loss, dict(logw=logw, weights=torch.softmax(logw, 1),
                      recon=(-log_px).view(b, k).mean(1).sum() / b,
                      kl=(log_qz - log_pz).view(b, k).mean(1).sum() / b)


def case_iwae_learned_gaussian():
    b, k = 4, 5
    model = GaussianVAE()
    x = torch.randn(b, 12)
    eps = torch.randn(b * k, 3)
    w = Writer("iwae_learned_gaussian.txt", [
        "VAE 12-8-(3), ReLU, Gaussian likelihood with a learned log-variance per column",
        "(likelihood.log_var, s = 6 tanh(v/6)); IWAE bound with K samples, row i*K+s of eps is sample s of example i",
        "loss = -mean_i logmeanexp_s [log p(x|z) + log p(z) - log q(z|x)]"])
    w.scalar("batch", b)
    w.scalar("samples", k)
    w.params("", model)
    w.tensor("x", x)
    w.tensor("eps", eps)
    loss, out = iwae_gaussian_loss(model, x, eps, k)
    loss.backward()
    w.scalar("loss", loss)
    for key in ["recon", "kl"]:
        w.scalar(key, out[key])
    for key in ["logw", "weights"]:
        w.tensor(key, out[key])
    w.params("grad.", model, grads=True)
    print("  IWAE (learned variance) normalised weights per example:",
          [[round(v, 3) for v in row] for row in out["weights"].tolist()])
    check_gradients(lambda m: iwae_gaussian_loss(m, x.double(), eps.double(), k)[0], model, picks=12)
    w.save()


if __name__ == "__main__":
    torch.manual_seed(5678)
    case_iwae()
    case_free_bits()
    case_iwae_learned_gaussian()
