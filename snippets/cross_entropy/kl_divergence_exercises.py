"""Exercises on cross-entropy and KL divergence: KL to the uniform, kl_div's default mean, the forward fit."""

import warnings

import numpy as np
import torch
import torch.nn.functional as F


def kl_divergence(p, q):
    """KL(P || Q) = sum p_i log(p_i / q_i), summed over the outcomes with p_i > 0."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    support = p > 0
    with np.errstate(divide="ignore"):
        return np.sum(p[support] * np.log(p[support] / q[support])) + 0.0


# --8<-- [start:kl_uniform]
P = np.array([0.5, 0.5, 0.0, 0.0])
U = np.full(4, 0.25)

kl_PU = kl_divergence(P, U)
kl_UP = kl_divergence(U, P)
print(f"KL(P || U) = {kl_PU:.4f}   log 4 - log 2 = {np.log(4) - np.log(2):.4f}")
print(f"KL(U || P) = {kl_UP}")
# --8<-- [end:kl_uniform]

assert np.isclose(kl_PU, np.log(2)) and np.isinf(kl_UP)

# --8<-- [start:kl_div_mean]
torch.manual_seed(0)
n_rows, n_classes = 8, 10
teacher = torch.softmax(torch.randn(n_rows, n_classes), dim=1)  # P, one row per sample
student_log = torch.log_softmax(torch.randn(n_rows, n_classes), dim=1)  # log Q

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the default reduction warns: it is the point here
    kl_logged = F.kl_div(student_log, teacher)  # reduction="mean"
kl_batchmean = F.kl_div(student_log, teacher, reduction="batchmean")
kl_per_row = (teacher * (teacher.log() - student_log)).sum(dim=1)
print(f"logged (mean)       = {kl_logged:.4f}")
print(f"logged * n_classes  = {kl_logged * n_classes:.4f}")
print(f"batchmean           = {kl_batchmean:.4f}")
print(f"mean of rows' KL    = {kl_per_row.mean():.4f}")
# --8<-- [end:kl_div_mean]

assert torch.isclose(kl_logged * n_classes, kl_batchmean) and torch.isclose(kl_batchmean, kl_per_row.mean())

# --8<-- [start:mixture_moments]
weights, means, width = np.array([0.6, 0.4]), np.array([-2.0, 2.0]), 0.7
mu_pred = np.sum(weights * means)
# Variance of a mixture: the mean of the components' second moments, minus the squared mean.
sigma_pred = np.sqrt(np.sum(weights * (width**2 + means**2)) - mu_pred**2)

x = np.linspace(-6.0, 6.0, 241)  # the page's P, on the page's grid
bumps = [np.exp(-0.5 * ((x - m) / width) ** 2) for m in means]
P_two = sum(w * b / b.sum() for w, b in zip(weights, bumps))
mu_P = np.sum(x * P_two)
sigma_P = np.sqrt(np.sum((x - mu_P) ** 2 * P_two))
print(f"predicted: mu = {mu_pred:+.4f}, sigma = {sigma_pred:.4f}")
print(f"P's own:   mu = {mu_P:+.4f}, sigma = {sigma_P:.4f}")
# --8<-- [end:mixture_moments]

assert abs(mu_pred - mu_P) < 1e-3 and abs(sigma_pred - sigma_P) < 1e-3
