"""Label smoothing: the smoothed target PyTorch uses, three equal ways to compute it, its finite optimum."""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4)

# --8<-- [start:targets]
eps, C = 0.1, 3
one_hot = torch.tensor([1.0, 0.0, 0.0])

y_smooth = (1 - eps) * one_hot + eps / C  # PyTorch: eps spread over ALL C classes
y_article = torch.tensor([0.9, 0.05, 0.05])  # the article's figure

print(f"y_smooth  = {y_smooth}")
print(f"y_article = {y_article}")
print(f"1 - eps + eps/C = {1 - eps + eps / C:.4f}")
# --8<-- [end:targets]

smooth_true = y_smooth[0]
smooth_other = y_smooth[1]
assert math.isclose(smooth_true.item(), 1 - eps + eps / C, rel_tol=1e-6)
assert not torch.allclose(y_smooth, y_article)
assert torch.isclose(y_smooth.sum(), torch.tensor(1.0))

# --8<-- [start:targets_plot]
classes = np.arange(C)
plt.figure(figsize=(6, 3.0))
hard_bars = plt.bar(classes - 0.2, one_hot.numpy(), width=0.4, label="$y$")
smooth_bars = plt.bar(classes + 0.2, y_smooth.numpy(), width=0.4, label=r"$y^{\mathrm{LS}}$")
plt.bar_label(smooth_bars, fmt="%.4f", fontsize=9)
plt.xticks(classes, [f"$c = {c}$" for c in classes])
plt.ylabel("$y_c$")
plt.ylim(0, 1.15)
plt.legend()
# --8<-- [end:targets_plot]

# Both targets are distributions; smoothing moves eps (C - 1) / C of the mass off the true class.
for bars in (hard_bars, smooth_bars):
    assert math.isclose(sum(bar.get_height() for bar in bars), 1.0, rel_tol=1e-6)
assert math.isclose(hard_bars[0].get_height() - smooth_bars[0].get_height(), eps * (C - 1) / C, rel_tol=1e-6)

# --8<-- [start:three_ways]
logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
target = torch.tensor([0, 1])

# 1. PyTorch
loss_pytorch = nn.CrossEntropyLoss(label_smoothing=eps)(logits, target)

# 2. by hand: (1 - eps) * CE(hard) + eps * mean over classes of -log p_c
log_p = F.log_softmax(logits, dim=1)
ce_hard = -log_p.gather(1, target[:, None]).squeeze(1)
uniform_term = -log_p.mean(dim=1)
loss_by_hand = ((1 - eps) * ce_hard + eps * uniform_term).mean()

# 3. as a cross-entropy with a soft (probability) target
soft_target = (1 - eps) * F.one_hot(target, C).float() + eps / C
loss_soft = nn.CrossEntropyLoss()(logits, soft_target)

# the article's [0.9, 0.05, 0.05]: eps spread over the C - 1 wrong classes only
article_target = (1 - eps) * F.one_hot(target, C).float() + eps / (C - 1) * (1 - F.one_hot(target, C).float())
loss_article = nn.CrossEntropyLoss()(logits, article_target)

print(f"CrossEntropyLoss(label_smoothing=0.1) = {loss_pytorch:.6f}")
print(f"(1-eps) CE + eps mean_c(-log p_c)     = {loss_by_hand:.6f}")
print(f"CE(z, y_smooth)                       = {loss_soft:.6f}")
print(f"CE(z, y_article)                      = {loss_article:.6f}")
# --8<-- [end:three_ways]

assert torch.isclose(loss_pytorch, loss_by_hand)
assert torch.isclose(loss_pytorch, loss_soft)
assert not torch.isclose(loss_pytorch, loss_article, rtol=1e-4)
assert torch.allclose(article_target[0], y_article)
loss_plain = F.cross_entropy(logits, target)


# --8<-- [start:margin]
def losses_at(m):
    """Hard and smoothed loss, and d(smoothed)/dm, for logits [m, 0, 0] and target 0."""
    z = torch.tensor([[m, 0.0, 0.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0])
    hard = F.cross_entropy(z, y)
    smooth = F.cross_entropy(z, y, label_smoothing=eps)
    smooth.backward()
    return hard.item(), smooth.item(), z.grad[0, 0].item()


for m in [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0]:
    hard, smooth, slope = losses_at(m)
    print(f"m = {m:4.1f}: CE = {hard:.4f}   CE_ls = {smooth:.4f}   dCE_ls/dm = {slope:+.4f}")
# --8<-- [end:margin]

# --8<-- [start:optimum]
m_grid = torch.linspace(0.0, 10.0, 1_000_001, dtype=torch.float64)  # step 1e-5
z_grid = torch.stack([m_grid, torch.zeros_like(m_grid), torch.zeros_like(m_grid)], dim=1)
y_grid = torch.zeros(len(m_grid), dtype=torch.long)
loss_grid = F.cross_entropy(z_grid, y_grid, label_smoothing=eps, reduction="none")

best = loss_grid.argmin()
m_numeric = m_grid[best]
loss_min = loss_grid[best]
m_closed = math.log((1 - eps + eps / C) / (eps / C))

print(f"argmin_m CE_ls (grid)            = {m_numeric:.4f}")
print(f"log((1 - eps + eps/C) / (eps/C)) = {m_closed:.4f}")
print(f"min_m CE_ls                      = {loss_min:.4f}")
# --8<-- [end:optimum]

step = (m_grid[1] - m_grid[0]).item()
assert abs(m_numeric.item() - m_closed) <= step
# at the optimum, softmax(z) equals the smoothed target, so the loss is the target's entropy
p_at_optimum = F.softmax(torch.tensor([m_closed, 0.0, 0.0], dtype=torch.float64), dim=0)
assert torch.allclose(p_at_optimum, y_smooth.double(), atol=1e-6)
H_smooth = -(y_smooth.double() * torch.log(y_smooth.double())).sum()
assert torch.isclose(loss_min, H_smooth, atol=1e-9)
assert math.isclose(losses_at(m_closed)[2], 0.0, abs_tol=1e-9)
ratio_closed = (1 - eps + eps / C) / (eps / C)
assert math.isclose(ratio_closed, 28.0)
hard_20, smooth_20, slope_20 = losses_at(20.0)
assert hard_20 < 1e-8 and smooth_20 > 1.0 and slope_20 > 0
# far beyond the optimum the smoothed loss grows linearly, with slope 1 - (1 - eps + eps/C) = eps (C - 1) / C
slope_limit = eps * (C - 1) / C
assert math.isclose(slope_20, slope_limit, rel_tol=1e-6)

# --8<-- [start:margin_plot]
m_plot = np.linspace(0.0, 12.0, 121)
hard_plot, smooth_plot, _ = map(np.array, zip(*[losses_at(float(m)) for m in m_plot]))

plt.figure(figsize=(6, 3.6))
plt.plot(m_plot, hard_plot, label=r"$\mathrm{CE}$")
plt.plot(m_plot, smooth_plot, label=rf"$\mathrm{{CE}}_{{\mathrm{{LS}}}}$, $\varepsilon = {eps}$")
plt.axvline(m_closed, color="C1", linestyle=":", linewidth=1)
plt.plot(m_closed, loss_min, "o", color="C1")
plt.annotate(rf"$m^\ast = {m_closed:.2f}$", (m_closed, loss_min), xytext=(6, -16), textcoords="offset points")
plt.xlabel("$m$,  $z = [m, 0, 0]$")
plt.ylabel("$L$")
plt.ylim(0, None)
plt.legend()
# --8<-- [end:margin_plot]

# m* is where the smoothed curve is lowest: its lowest point is the grid point next to m*, and none is below loss_min.
assert abs(m_plot[smooth_plot.argmin()] - m_closed) <= (m_plot[1] - m_plot[0]) / 2
assert smooth_plot.min() >= loss_min.item() - 1e-12
# The hard loss only falls; the smoothed one falls before m* and rises after it.
assert np.all(np.diff(hard_plot) < 0)
assert np.all(np.diff(smooth_plot[m_plot < m_closed]) < 0) and np.all(np.diff(smooth_plot[m_plot > m_closed]) > 0)
