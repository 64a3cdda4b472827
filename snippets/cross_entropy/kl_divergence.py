"""Cross-entropy and KL divergence: the forecasters, H(P, Q) = H(P) + KL(P || Q), asymmetry, Gibbs."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

np.set_printoptions(precision=4, suppress=True)
torch.set_printoptions(precision=4)

# --8<-- [start:cross_entropy_numpy]
def cross_entropy(p, q):
    """H(P, Q) = -sum p_i log q_i, with 0 log q = 0 for every outcome P never produces."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    support = p > 0  # outcomes with p_i = 0 contribute nothing, whatever q_i is
    with np.errstate(divide="ignore"):  # q_i = 0 where p_i > 0 gives log 0 = -inf: H = inf
        return -np.sum(p[support] * np.log(q[support])) + 0.0


P = np.array([1.0, 0.0])  # the truth: [rain, sun], it rains for sure
Q_A = np.array([0.9, 0.1])  # forecaster A
Q_B = np.array([0.6, 0.4])  # forecaster B

ce_A = cross_entropy(P, Q_A)
ce_B = cross_entropy(P, Q_B)
print(f"H(P, Q_A) = {ce_A:.4f}")
print(f"H(P, Q_B) = {ce_B:.4f}")
# --8<-- [end:cross_entropy_numpy]

# --8<-- [start:cross_entropy_torch]
P_t = torch.tensor([1.0, 0.0], dtype=torch.float64)
Q_A_t = torch.tensor([0.9, 0.1], dtype=torch.float64)
Q_B_t = torch.tensor([0.6, 0.4], dtype=torch.float64)

# torch.xlogy(x, y) = x * log(y), and exactly 0 wherever x == 0
ce_A_t = -torch.xlogy(P_t, Q_A_t).sum()
ce_B_t = -torch.xlogy(P_t, Q_B_t).sum()
print(f"H(P, Q_A) = {ce_A_t:.4f}")
print(f"H(P, Q_B) = {ce_B_t:.4f}")
# --8<-- [end:cross_entropy_torch]

assert np.isclose(ce_A, ce_A_t.item()) and np.isclose(ce_B, ce_B_t.item())
assert np.isclose(ce_A, -np.log(0.9)) and np.isclose(ce_B, -np.log(0.6))
assert ce_A < ce_B

# --8<-- [start:zero_probabilities]
Q_C = np.array([0.0, 1.0])  # forecaster C: "certainly sunny"
Q_D = np.array([1.0, 0.0])  # forecaster D: "certainly rain", exactly right

ce_C = cross_entropy(P, Q_C)
ce_D = cross_entropy(P, Q_D)
print(f"H(P, Q_C) = {ce_C:.4f}")
print(f"H(P, Q_D) = {ce_D:.4f}")

with np.errstate(all="ignore"):  # the formula typed naively, for comparison
    ce_D_naive = -np.sum(P * np.log(Q_D))
print(f"H_naive(P, Q_D) = {ce_D_naive:.4f}")
# --8<-- [end:zero_probabilities]

assert np.isinf(ce_C) and ce_D == 0.0 and not np.signbit(ce_D) and np.isnan(ce_D_naive)
assert torch.isinf(-torch.xlogy(P_t, torch.tensor([0.0, 1.0], dtype=torch.float64)).sum())
assert -torch.xlogy(P_t, torch.tensor([1.0, 0.0], dtype=torch.float64)).sum().item() == 0.0


# --8<-- [start:kl_numpy]
def entropy(p):
    """H(P) = -sum p_i log p_i, with 0 log 0 = 0."""
    p = np.asarray(p, dtype=float)
    support = p > 0
    return -np.sum(p[support] * np.log(p[support])) + 0.0


def kl_divergence(p, q):
    """KL(P || Q) = sum p_i log(p_i / q_i), summed over the outcomes with p_i > 0."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    support = p > 0
    with np.errstate(divide="ignore"):  # q_i = 0 where p_i > 0: KL = inf
        return np.sum(p[support] * np.log(p[support] / q[support])) + 0.0


kl_A = kl_divergence(P, Q_A)
kl_B = kl_divergence(P, Q_B)
print(f"KL(P || Q_A) = {kl_A:.4f}")
print(f"KL(P || Q_B) = {kl_B:.4f}")
# --8<-- [end:kl_numpy]

# --8<-- [start:kl_torch]
# F.kl_div(input, target) expects input = log Q (log-probabilities) and target = P
# (probabilities), and returns KL(P || Q); reduction="sum" adds up the outcomes.
kl_A_t = F.kl_div(torch.log(Q_A_t), P_t, reduction="sum")
kl_B_t = F.kl_div(torch.log(Q_B_t), P_t, reduction="sum")
print(f"KL(P || Q_A) = {kl_A_t:.4f}")
print(f"KL(P || Q_B) = {kl_B_t:.4f}")
# --8<-- [end:kl_torch]

assert np.isclose(kl_A, kl_A_t.item()) and np.isclose(kl_B, kl_B_t.item())

# --8<-- [start:decomposition_forecasters]
H_P = entropy(P)
for name, q, ce, kl in [("Q_A", Q_A, ce_A, kl_A), ("Q_B", Q_B, ce_B, kl_B)]:
    print(f"H(P) + KL(P || {name}) = {H_P:.4f} + {kl:.4f} = {H_P + kl:.4f}   H(P, {name}) = {ce:.4f}")
    assert np.isclose(ce, H_P + kl)
# --8<-- [end:decomposition_forecasters]

assert H_P == 0.0

# --8<-- [start:decomposition_general]
P_medium = np.array([0.7, 0.2, 0.1])
Q_uniform = np.array([1 / 3, 1 / 3, 1 / 3])

H_medium = entropy(P_medium)
kl_medium_uniform = kl_divergence(P_medium, Q_uniform)
ce_medium_uniform = cross_entropy(P_medium, Q_uniform)
print(f"H(P)          = {H_medium:.4f}")
print(f"KL(P || U)    = {kl_medium_uniform:.4f}")
print(f"H(P) + KL     = {H_medium + kl_medium_uniform:.4f}")
print(f"H(P, U)       = {ce_medium_uniform:.4f}")
print(f"log 3         = {np.log(3):.4f}")

assert np.isclose(ce_medium_uniform, H_medium + kl_medium_uniform)
# --8<-- [end:decomposition_general]

# Against the uniform distribution, every outcome costs log 3 nats, so H(P, U) = log 3.
assert np.isclose(ce_medium_uniform, np.log(3))
assert np.isclose(kl_medium_uniform, np.log(3) - H_medium)

# --8<-- [start:constant_gap]
candidates = {
    "Q_1": np.array([0.5, 0.3, 0.2]),
    "Q_2": np.array([0.6, 0.25, 0.15]),
    "Q_3": np.array([0.7, 0.2, 0.1]),  # Q_3 = P
}
for name, q in candidates.items():
    ce, kl = cross_entropy(P_medium, q), kl_divergence(P_medium, q)
    print(f"H(P, {name}) = {ce:.4f}   KL(P || {name}) = {kl:.4f}   difference = {ce - kl:.4f}")
    assert np.isclose(ce - kl, H_medium)
# --8<-- [end:constant_gap]

ce_medium_self = cross_entropy(P_medium, P_medium)
assert np.isclose(ce_medium_self, H_medium)
assert all(cross_entropy(P_medium, q) >= H_medium for q in candidates.values())

# --8<-- [start:asymmetry]
kl_PU = kl_divergence(P_medium, Q_uniform)
kl_UP = kl_divergence(Q_uniform, P_medium)
print(f"KL(P || U)     = {kl_PU:.4f}")
print(f"KL(U || P)     = {kl_UP:.4f}")

kl_P_QA = kl_divergence(P, Q_A)
kl_QA_P = kl_divergence(Q_A, P)
print(f"KL(P || Q_A)   = {kl_P_QA:.4f}")
print(f"KL(Q_A || P)   = {kl_QA_P:.4f}")
# --8<-- [end:asymmetry]

assert not np.isclose(kl_PU, kl_UP)
assert np.isfinite(kl_P_QA) and np.isinf(kl_QA_P)

# --8<-- [start:forward_reverse]
x = np.linspace(-6.0, 6.0, 241)


def bump(mu, sigma):
    """A Gaussian-shaped distribution over the 241 points of x."""
    w = np.exp(-0.5 * ((x - mu) / sigma) ** 2)
    return w / w.sum()


P_two = 0.6 * bump(-2.0, 0.7) + 0.4 * bump(2.0, 0.7)  # two peaks
shapes = [(mu, sigma) for mu in np.linspace(-4.0, 4.0, 81) for sigma in np.linspace(0.3, 4.0, 38)]
fit_forward = min(shapes, key=lambda shape: kl_divergence(P_two, bump(*shape)))  # KL(P || Q)
fit_reverse = min(shapes, key=lambda shape: kl_divergence(bump(*shape), P_two))  # KL(Q || P)
print(f"argmin KL(P || Q): mu = {fit_forward[0]:+.1f}, sigma = {fit_forward[1]:.1f}")
print(f"argmin KL(Q || P): mu = {fit_reverse[0]:+.1f}, sigma = {fit_reverse[1]:.1f}")

plt.figure(figsize=(6, 3.6))
plt.plot(x, P_two, color="black", label="$P$")
plt.plot(x, bump(*fit_forward), label=r"$Q$: $\min\, \mathrm{KL}(P \,\|\, Q)$")
plt.plot(x, bump(*fit_reverse), label=r"$Q$: $\min\, \mathrm{KL}(Q \,\|\, P)$")
plt.xlabel("$x$")
plt.yticks([])  # probabilities per grid point: only the shapes matter
plt.ylim(0, None)
plt.legend()
# --8<-- [end:forward_reverse]

mu_forward, sigma_forward = fit_forward
mu_reverse, sigma_reverse = fit_reverse
# KL(P || Q) over Gaussians matches P's mean and spread, covering both peaks;
mean_P = np.sum(x * P_two)
std_P = np.sqrt(np.sum((x - mean_P) ** 2 * P_two))
assert abs(mu_forward - mean_P) <= 0.05 + 1e-9 and abs(sigma_forward - std_P) <= 0.1
# KL(Q || P) sits on the taller peak with its width, and ignores the other one.
assert np.isclose(mu_reverse, -2.0) and abs(sigma_reverse - 0.7) <= 0.05 + 1e-9
assert bump(*fit_reverse)[x > 0].sum() < 0.01 and bump(*fit_forward)[x > 0].sum() > 0.3

# --8<-- [start:gibbs]
rng = np.random.default_rng(0)
pairs = rng.dirichlet(np.ones(4), size=(10_000, 2))  # 10,000 random pairs (P, Q), 4 outcomes

kls = np.array([kl_divergence(p, q) for p, q in pairs])
kl_min = kls.min()
kl_self_max = max(kl_divergence(p, p) for p, _ in pairs)
print(f"min KL(P || Q) = {kl_min:.6f}")
print(f"max KL(P || P) = {kl_self_max:.6f}")

assert np.all(kls > 0)  # P != Q in every random pair: strictly positive
assert kl_self_max == 0.0  # P == Q: every term is p_i log 1 = 0
# --8<-- [end:gibbs]

# --8<-- [start:kl_div_pitfall]
P_m = torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64)
U = torch.full((3,), 1 / 3, dtype=torch.float64)

kl_right = F.kl_div(U.log(), P_m, reduction="sum")  # input = log Q, target = P
kl_swapped = F.kl_div(P_m.log(), U, reduction="sum")  # reads like kl_div(P, Q): it is KL(U || P)
print(f"F.kl_div(log U, P) = {kl_right:.4f}   = KL(P || U)")
print(f"F.kl_div(log P, U) = {kl_swapped:.4f}   = KL(U || P)")
# --8<-- [end:kl_div_pitfall]

assert np.isclose(kl_right.item(), kl_PU) and np.isclose(kl_swapped.item(), kl_UP)
with warnings.catch_warnings(record=True) as _silent:  # the swapped call raises no warning
    warnings.simplefilter("always")
    F.kl_div(P_m.log(), U, reduction="sum")
assert not _silent
# With a one-hot P, the swapped call takes log 0 and returns inf; the right one is finite.
assert torch.isinf(F.kl_div(P_t.log(), Q_A_t, reduction="sum"))
assert torch.isclose(F.kl_div(Q_A_t.log(), P_t, reduction="sum"), kl_A_t)

# --8<-- [start:kl_div_batch]
P_batch = torch.stack([P_m, torch.tensor([0.1, 0.3, 0.6], dtype=torch.float64)])  # 2 rows
log_Q_batch = torch.log(torch.stack([U, U]))

kl_rows = F.kl_div(log_Q_batch, P_batch, reduction="none").sum(dim=1)
kl_batchmean = F.kl_div(log_Q_batch, P_batch, reduction="batchmean")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    kl_mean = F.kl_div(log_Q_batch, P_batch, reduction="mean")

print(f"KL(P_i || U)          = {kl_rows.numpy()}")
print(f"reduction='batchmean' = {kl_batchmean:.4f}")
print(f"reduction='mean'      = {kl_mean:.4f}")
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
# --8<-- [end:kl_div_batch]

assert torch.isclose(kl_batchmean, kl_rows.mean())
assert torch.isclose(kl_mean, kl_rows.sum() / P_batch.numel())  # divides by rows * classes
assert len(caught) == 1
