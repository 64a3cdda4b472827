"""Temperature, proper scoring and calibration: what T does, why cross-entropy rewards honesty, ECE and temperature scaling, distillation's T²."""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4)
torch.set_num_threads(1)  # one thread: the same sums in the same order on every machine and run

# --8<-- [start:temperature]
z = torch.tensor([2.0, 1.0, 0.1])  # the article's logits; the true class is 0
y = torch.tensor([0])


def entropy(p):
    """H(p) in nats."""
    return -(p * p.log()).sum().item()


temperatures = [0.25, 0.5, 1.0, 2.0, 4.0, 100.0]
rows = []
for T in temperatures:
    p = F.softmax(z / T, dim=0)
    loss = F.cross_entropy(z[None] / T, y).item()
    rows.append((T, p, entropy(p), loss))
    print(f"T = {T:6.2f}: softmax(z/T) = {p}   H = {entropy(p):.4f}   CE = {loss:.4f}")
print(f"log C = {math.log(3):.4f}")
# --8<-- [end:temperature]

# Dividing by T never changes the ranking; it only sharpens (T < 1) or flattens (T > 1).
assert all(p.argmax().item() == 0 for _, p, _, _ in rows)
entropies = [h for _, _, h, _ in rows]
losses = [l for _, _, _, l in rows]
assert all(a < b for a, b in zip(entropies, entropies[1:]))
assert all(a < b for a, b in zip(losses, losses[1:]))  # the true class is the top one: a flatter p costs more
p_hot = F.softmax(z / 100.0, dim=0)
assert torch.allclose(p_hot, torch.full((3,), 1 / 3), atol=0.01)
loss_T1 = rows[2][3]
loss_T100 = rows[-1][3]
log_C = math.log(3)
assert abs(loss_T100 - log_C) < 0.01

# --8<-- [start:proper]
q = torch.tensor([0.6, 0.3, 0.1], dtype=torch.float64)  # how the outcomes really fall


def expected_log_score(p):
    """E_{y ~ q}[-log p_y]: the mean cross-entropy of forecast p when outcomes follow q."""
    return -(q * p.log()).sum(-1)


def expected_linear_score(p):
    """E_{y ~ q}[-p_y]: a score that is not proper."""
    return -(q * p).sum(-1)


forecasts = {
    "p = q (honest)": q,
    "sharper": torch.tensor([0.8, 0.15, 0.05], dtype=torch.float64),
    "flatter": torch.tensor([0.4, 0.35, 0.25], dtype=torch.float64),
    "one-hot": torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64),
}
for name, p in forecasts.items():
    print(f"{name:15s} E[-log p_y] = {expected_log_score(p):.4f}   E[-p_y] = {expected_linear_score(p):+.4f}")

torch.manual_seed(0)
candidates = torch.distributions.Dirichlet(torch.ones(3, dtype=torch.float64)).sample((100_000,))
best_log = expected_log_score(candidates).min()
print(f"H(q) = {entropy(q):.4f}; lowest E[-log p_y] over 100000 random p = {best_log:.4f}")
# --8<-- [end:proper]

H_q = entropy(q)
score_honest = expected_log_score(q).item()
assert math.isclose(score_honest, H_q, rel_tol=1e-12)
# The gap to the honest forecast is KL(q || p) >= 0: every other forecast scores worse.
gaps = expected_log_score(candidates) - H_q
assert torch.allclose(gaps, (q * (q / candidates).log()).sum(-1), atol=1e-12)
assert gaps.min() > 0
for name, p in forecasts.items():
    if name != "p = q (honest)":
        assert expected_log_score(p) > score_honest
# The linear score is not proper: the one-hot on the most likely outcome beats the honest forecast.
assert expected_linear_score(forecasts["one-hot"]) < expected_linear_score(q)
assert expected_linear_score(candidates).min() >= expected_linear_score(forecasts["one-hot"]) - 1e-12

# --8<-- [start:ece]
def ece(logits, labels, bins=10):
    """Expected calibration error: |accuracy - confidence| per confidence bin, weighted by the bin's share."""
    confidence, predicted = F.softmax(logits, dim=1).max(dim=1)
    correct = (predicted == labels).float()
    edges = torch.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > lo) & (confidence <= hi)
        if in_bin.any():
            total += in_bin.float().mean() * (correct[in_bin].mean() - confidence[in_bin].mean()).abs()
    return float(total)
# --8<-- [end:ece]

# --8<-- [start:train]
torch.manual_seed(0)
C, D = 4, 10
centers = 0.7 * torch.randn(C, D)  # four overlapping Gaussian clouds in 10 dimensions


def sample(n):
    labels = torch.randint(C, (n,))
    return centers[labels] + torch.randn(n, D), labels


x_train, y_train = sample(400)
x_val, y_val = sample(1000)  # for fitting the temperature
x_test, y_test = sample(2000)  # for measuring


def train(label_smoothing=0.0):
    """A small MLP trained full-batch until it fits its 400 examples; returns its validation and test logits."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(D, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, C))
    for _ in range(400):  # plain full-batch gradient descent
        model.zero_grad()
        F.cross_entropy(model(x_train), y_train, label_smoothing=label_smoothing).backward()
        with torch.no_grad():
            for weight in model.parameters():
                weight -= 1.0 * weight.grad
    with torch.no_grad():
        return model(x_val), model(x_test), F.cross_entropy(model(x_train), y_train).item()


def report(name, logits):
    confidence, predicted = F.softmax(logits, dim=1).max(dim=1)
    accuracy = (predicted == y_test).float().mean().item()
    nll = F.cross_entropy(logits, y_test).item()
    print(f"{name:8s} accuracy = {accuracy:.4f}   mean confidence = {confidence.mean():.4f}   "
          f"NLL = {nll:.4f}   ECE = {ece(logits, y_test):.4f}")
    return accuracy, confidence.mean().item(), nll, ece(logits, y_test)


val_logits, test_logits, train_nll = train()
print(f"training NLL = {train_nll:.4f}")
acc_raw, conf_raw, nll_raw, ece_raw = report("CE", test_logits)
# --8<-- [end:train]

assert train_nll < 0.01 < nll_raw  # it fits its training set and is far less sure on new data
assert conf_raw - acc_raw > 0.1  # over-confident: it claims more than it gets right

# --8<-- [start:temperature_scaling]
grid = torch.arange(0.5, 10.0, 0.01)
val_nll = torch.stack([F.cross_entropy(val_logits / T, y_val) for T in grid])
T_fit = grid[val_nll.argmin()].item()
print(f"T fitted on the validation set = {T_fit:.2f}")
acc_ts, conf_ts, nll_ts, ece_ts = report("CE / T", test_logits / T_fit)
# --8<-- [end:temperature_scaling]

assert 0 < val_nll.argmin() < len(grid) - 1  # an interior minimum, not the edge of the grid
assert T_fit > 1  # the model was over-confident: its logits must be flattened
assert acc_ts == acc_raw  # dividing by T keeps every argmax
assert nll_ts < nll_raw and ece_ts < ece_raw / 2

# --8<-- [start:label_smoothing]
val_logits_ls, test_logits_ls, _ = train(label_smoothing=0.1)
acc_ls, conf_ls, nll_ls, ece_ls = report("CE_LS", test_logits_ls)
# --8<-- [end:label_smoothing]

assert ece_ls < ece_raw / 2 and nll_ls < nll_raw
assert conf_ls < conf_raw

# --8<-- [start:reliability_plot]
def reliability(ax, logits, title, bins=10):
    confidence, predicted = F.softmax(logits, dim=1).max(dim=1)
    correct = (predicted == y_test).float()
    edges = np.linspace(0, 1, bins + 1)
    accuracy = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > lo) & (confidence <= hi)
        accuracy.append(correct[in_bin].mean().item() if in_bin.any() else 0.0)
    ax.bar(edges[:-1], accuracy, width=1 / bins, align="edge", edgecolor="black", linewidth=0.5)
    ax.plot([0, 1], [0, 1], "--", color="C1")
    ax.set_title(f"{title}, ECE = {ece(logits, y_test):.3f}", fontsize=10)
    ax.set_xlabel(r"$\max_c p_c$")
    return np.array(accuracy)


fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), sharey=True)
bars = {
    "CE": reliability(axes[0], test_logits, "CE"),
    "CE / T": reliability(axes[1], test_logits / T_fit, f"CE / T, T = {T_fit:.2f}"),
    "CE_LS": reliability(axes[2], test_logits_ls, r"CE$_{\mathrm{LS}}$, $\varepsilon = 0.1$"),
}
axes[0].set_ylabel(r"$\mathrm{acc}$")
fig.tight_layout()
# --8<-- [end:reliability_plot]

# Over-confidence reads off the raw panel: in its fullest bin, (0.9, 1], accuracy is far below the confidence.
top = (F.softmax(test_logits, dim=1).max(dim=1).values > 0.9)
assert top.float().mean() > 0.5
assert bars["CE"][-1] < 0.9 - 0.05
assert all(len(b) == 10 and ((0 <= b) & (b <= 1)).all() for b in bars.values())

# --8<-- [start:distillation]
torch.manual_seed(2)
N, K = 64, 10
teacher = 3 * torch.randn(N, K)
student = (3 * torch.randn(N, K)).requires_grad_()


def soft_loss(T):
    """Hinton's soft term: cross-entropy between the teacher's and the student's softmax at temperature T."""
    return F.cross_entropy(student / T, F.softmax(teacher / T, dim=1))


def grad_norm(loss):
    (g,) = torch.autograd.grad(loss, student)
    return g, g.norm().item()


_, hard_norm = grad_norm(F.cross_entropy(student, teacher.argmax(dim=1)))
print(f"hard labels, T = 1:   |grad| = {hard_norm:.5f}")
for T in [1.0, 2.0, 4.0, 8.0, 16.0]:
    g, norm = grad_norm(soft_loss(T))
    print(f"soft targets, T = {T:4.1f}: |grad| = {norm:.5f}   T^2 |grad| = {T * T * norm:.5f}")
# --8<-- [end:distillation]

norms = {T: grad_norm(soft_loss(T))[1] for T in [1.0, 2.0, 4.0, 8.0, 16.0]}
# The gradient is (softmax(z/T) - softmax(v/T)) / (T N), exactly.
for T in norms:
    g, _ = grad_norm(soft_loss(T))
    expected = (F.softmax(student / T, dim=1) - F.softmax(teacher / T, dim=1)) / (T * N)
    assert torch.allclose(g, expected.detach(), atol=1e-8)
# For large T it tends to (z - v - their mean difference) / (K N T²): it shrinks as 1/T², and T² undoes that.
diff = (student - teacher).detach()
limit = ((diff - diff.mean(dim=1, keepdim=True)) / (K * N)).norm().item()
assert abs(16.0**2 * norms[16.0] / limit - 1) < 0.02
shrink_1_to_16 = norms[1.0] / norms[16.0]
assert shrink_1_to_16 > 100
scaled = [T * T * n for T, n in norms.items()]
assert max(scaled) / min(scaled) < 4
assert all(0.5 < value / hard_norm < 2 for value in scaled)  # T² brings it back to the size of the hard-label gradient
shrink_1_to_4 = norms[1.0] / norms[4.0]

# --8<-- [start:exercise_limit]
for T in [10.0, 1e3, 1e6]:
    print(f"T = {T:9.0f}: CE(z/T, 0) = {F.cross_entropy(z[None] / T, y).item():.6f}   "
          f"CE(z/T, 2) = {F.cross_entropy(z[None] / T, torch.tensor([2])).item():.6f}")
# --8<-- [end:exercise_limit]

assert abs(F.cross_entropy(z[None] / 1e6, y).item() - log_C) < 1e-5
assert abs(F.cross_entropy(z[None] / 1e6, torch.tensor([2])).item() - log_C) < 1e-5

# --8<-- [start:exercise_brier]
def expected_brier(p):
    """E_{y ~ q}[sum_c (p_c - [c = y])^2]."""
    return (q * ((p[..., None, :] - torch.eye(3, dtype=torch.float64)) ** 2).sum(-1)).sum(-1)


brier_honest = expected_brier(q).item()
brier_best_random = expected_brier(candidates).min().item()
print(f"E[Brier](q) = {brier_honest:.4f}   1 - sum q^2 = {1 - (q * q).sum():.4f}")
print(f"lowest E[Brier] over 100000 random p = {brier_best_random:.4f}")
# --8<-- [end:exercise_brier]

# Proper: E[Brier](p) = E[Brier](q) + |p - q|^2.
assert torch.allclose(expected_brier(candidates) - brier_honest, ((candidates - q) ** 2).sum(-1), atol=1e-12)
assert brier_best_random > brier_honest
assert math.isclose(brier_honest, 1 - (q * q).sum().item(), rel_tol=1e-12)

# --8<-- [start:exercise_useless]
uniform_logits = torch.zeros(len(y_test), C)  # the same forecast, 1/C each, for every example
ece_uniform = ece(uniform_logits, y_test)
share_of_class_0 = (y_test == 0).float().mean().item()
print(f"ECE(uniform forecast) = {ece_uniform:.4f}   |share of class 0 - 1/C| = {abs(share_of_class_0 - 1 / C):.4f}")
print(f"accuracy = {share_of_class_0:.4f}")
# --8<-- [end:exercise_useless]

# Every forecast is in one bin with confidence 1/C, and argmax picks class 0: ECE is |share of class 0 - 1/C|.
assert math.isclose(ece_uniform, abs(share_of_class_0 - 1 / C), abs_tol=1e-6)
assert ece_uniform < ece_ts and share_of_class_0 < acc_raw / 2
