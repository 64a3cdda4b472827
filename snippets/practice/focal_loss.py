"""Focal loss (Lin et al., 2017): down-weighting easy examples; PyTorch and NumPy from scratch."""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4, sci_mode=False)
np.set_printoptions(precision=4, suppress=True)


# --8<-- [start:article_style]
class FocalLoss(nn.Module):
    """FL = (1 - p_t)^gamma * CE, with p_t recovered from the per-sample CE as exp(-CE)."""

    def __init__(self, gamma=2.0):
        super().__init__()
        self.gamma = gamma

    def forward(self, logits, target):
        ce = F.cross_entropy(logits, target, reduction="none")  # -log p_t, one per sample
        p_t = torch.exp(-ce)
        return ((1 - p_t) ** self.gamma * ce).mean()


logits = torch.tensor([[5.0, 0.0, 0.0]])  # an easy example: confident and right
target = torch.tensor([0])

ce_easy = F.cross_entropy(logits, target)
p_t_easy = torch.exp(-ce_easy)
focal_easy = FocalLoss(gamma=2.0)(logits, target)

print(f"p_t           = {p_t_easy:.6f}")
print(f"CE            = {ce_easy:.6f}")
print(f"(1 - p_t)^2   = {(1 - p_t_easy) ** 2:.3e}")
print(f"FL(gamma = 2) = {focal_easy:.3e}")
print(f"CE / FL       = {ce_easy / focal_easy:.1f}")
# --8<-- [end:article_style]

easy_factor = (1 - p_t_easy) ** 2
easy_ratio = ce_easy / focal_easy
assert torch.isclose(p_t_easy, F.softmax(logits, dim=1)[0, 0])
assert torch.isclose(focal_easy, easy_factor * ce_easy)
assert focal_easy < ce_easy

# --8<-- [start:p_t_caveat]
# exp(-CE) is p_t only for a plain cross-entropy: options change the per-sample loss.
p_t_true = F.softmax(logits, dim=1)[0, 0]
ce_smoothed = F.cross_entropy(logits, target, label_smoothing=0.1, reduction="none")
ce_weighted = F.cross_entropy(logits, target, weight=torch.tensor([2.0, 1.0, 1.0]), reduction="none")
ce_ignored = F.cross_entropy(logits, torch.tensor([-100]), reduction="none")

print(f"p_t                             = {p_t_true:.4f}")
print(f"exp(-CE), label_smoothing = 0.1 = {torch.exp(-ce_smoothed)[0]:.4f}")
print(f"exp(-CE), weight of class 0 = 2 = {torch.exp(-ce_weighted)[0]:.4f}")
print(f"exp(-CE), target ignored        = {torch.exp(-ce_ignored)[0]:.4f}")
# --8<-- [end:p_t_caveat]

p_t_smoothed = torch.exp(-ce_smoothed)[0]
p_t_weighted = torch.exp(-ce_weighted)[0]
assert torch.isclose(p_t_weighted, p_t_true ** 2)  # a weight w raises exp(-CE) to the power w
assert not torch.isclose(p_t_smoothed, p_t_true, rtol=0, atol=1e-3)
assert torch.exp(-ce_ignored)[0] == 1  # an ignored sample looks perfectly predicted


# --8<-- [start:focal_torch]
def focal_loss(logits, target, gamma=2.0, alpha=None):
    """Multi-class focal loss, FL = -alpha_t (1 - p_t)^gamma log p_t, averaged over the batch.

    alpha: optional tensor of per-class weights; alpha_t = alpha[target].
    """
    log_p_t = F.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
    p_t = log_p_t.exp()
    loss = -((1 - p_t) ** gamma) * log_p_t
    if alpha is not None:
        loss = alpha[target] * loss
    return loss.mean()
# --8<-- [end:focal_torch]


# --8<-- [start:focal_numpy]
def focal_loss_np(logits, target, gamma=2.0, alpha=None):
    """The same loss in NumPy: a stable log-softmax, then the focal weighting."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p_t = log_p[np.arange(len(target)), target]
    p_t = np.exp(log_p_t)
    loss = -((1 - p_t) ** gamma) * log_p_t
    if alpha is not None:
        loss = alpha[target] * loss
    return loss.mean()
# --8<-- [end:focal_numpy]

# --8<-- [start:shares]
batch_logits = torch.tensor([
    [5.0, 0.0, 0.0],  # easy: confident and right
    [2.0, 1.0, 0.1],  # fairly easy
    [0.5, 2.0, 0.0],  # hard: the model prefers class 1
    [0.0, 3.0, 1.0],  # very hard: confident and wrong
])
batch_target = torch.tensor([0, 0, 0, 2])

ce_i = F.cross_entropy(batch_logits, batch_target, reduction="none")
p_t_i = torch.exp(-ce_i)
fl_i = (1 - p_t_i) ** 2 * ce_i  # gamma = 2


def sci(t):
    return "[" + ", ".join(f"{v:.2e}" for v in t.tolist()) + "]"


print(f"p_t             = {p_t_i}")
print(f"CE_i            = {sci(ce_i)}")
print(f"FL_i            = {sci(fl_i)}")
print(f"CE_i / sum CE_i = {ce_i / ce_i.sum()}")
print(f"FL_i / sum FL_i = {fl_i / fl_i.sum()}")
# --8<-- [end:shares]

# --8<-- [start:alpha_form]
alpha = torch.tensor([0.25, 0.5, 1.0])  # per-class weights alpha_c

fl_torch = focal_loss(batch_logits, batch_target, gamma=2.0, alpha=alpha)
fl_numpy = focal_loss_np(batch_logits.numpy(), batch_target.numpy(), gamma=2.0, alpha=alpha.numpy())
print(f"FL(gamma = 2, alpha), PyTorch = {fl_torch:.6f}")
print(f"FL(gamma = 2, alpha), NumPy   = {fl_numpy:.6f}")
# --8<-- [end:alpha_form]

assert np.isclose(fl_torch.item(), fl_numpy)
for g in [0.0, 0.5, 1.0, 2.0, 5.0]:
    for a in [None, alpha]:
        a_np = None if a is None else a.numpy()
        t = focal_loss(batch_logits, batch_target, gamma=g, alpha=a)
        n = focal_loss_np(batch_logits.numpy(), batch_target.numpy(), gamma=g, alpha=a_np)
        assert np.isclose(t.item(), n, rtol=1e-6)
# the article-style class and the alpha-free focal_loss agree
assert torch.isclose(FocalLoss(gamma=2.0)(batch_logits, batch_target), focal_loss(batch_logits, batch_target))
assert torch.isclose(fl_i.mean(), focal_loss(batch_logits, batch_target))
share_easy_ce = (ce_i / ce_i.sum())[0]
share_easy_fl = (fl_i / fl_i.sum())[0]
share_mid_ce = (ce_i / ce_i.sum())[1]
share_mid_fl = (fl_i / fl_i.sum())[1]
share_hardest_ce = (ce_i / ce_i.sum())[3]
share_hardest_fl = (fl_i / fl_i.sum())[3]
assert share_easy_fl < 1e-6 and share_easy_fl < share_easy_ce and share_hardest_fl > share_hardest_ce

# --8<-- [start:gamma_zero]
ce_plain = F.cross_entropy(batch_logits, batch_target)
fl_gamma0 = focal_loss(batch_logits, batch_target, gamma=0.0)
print(f"FL(gamma = 0)           = {fl_gamma0:.6f}")
print(f"CE                      = {ce_plain:.6f}")

fl_gamma0_alpha = focal_loss(batch_logits, batch_target, gamma=0.0, alpha=alpha)
ce_weight_sum = F.cross_entropy(batch_logits, batch_target, weight=alpha, reduction="sum")
ce_weight_mean = F.cross_entropy(batch_logits, batch_target, weight=alpha)
print(f"FL(gamma = 0, alpha)    = {fl_gamma0_alpha:.6f}")
print(f"CE(weight=alpha, sum)/n = {ce_weight_sum / len(batch_target):.6f}")
print(f"CE(weight=alpha)        = {ce_weight_mean:.6f}")
# --8<-- [end:gamma_zero]

assert torch.isclose(fl_gamma0, ce_plain)
assert torch.isclose(fl_gamma0_alpha, ce_weight_sum / len(batch_target))
assert not torch.isclose(fl_gamma0_alpha, ce_weight_mean)

# --8<-- [start:gamma_table]
p_t_values = [0.1, 0.5, 0.9, 0.99]
gammas = [0.0, 0.5, 1.0, 2.0, 5.0]


def logits_with_p_t(p_t, C=3):
    """Logits [m, 0, 0] whose softmax gives class 0 the probability p_t."""
    return torch.tensor([[math.log(p_t * (C - 1) / (1 - p_t)), 0.0, 0.0]], dtype=torch.float64)


y0 = torch.tensor([0])
print("FL / CE = (1 - p_t)^gamma")
print("p_t   " + "".join(f"{'gamma=' + str(g):>11}" for g in gammas) + "   CE")
ratio = {}
for p_t in p_t_values:
    z = logits_with_p_t(p_t)
    ce = F.cross_entropy(z, y0)
    row = []
    for g in gammas:
        ratio[p_t, g] = (focal_loss(z, y0, gamma=g) / ce).item()
        row.append(f"{ratio[p_t, g]:11.2e}")
    print(f"{p_t:<5} " + "".join(row) + f"   {ce:.4f}")
# --8<-- [end:gamma_table]

for (p_t, g), r in ratio.items():
    assert math.isclose(r, (1 - p_t) ** g, rel_tol=1e-9)
for p_t in p_t_values:
    assert ratio[p_t, 0.0] == 1.0  # gamma = 0: focal loss is cross-entropy

factor_hard_g2 = ratio[0.1, 2.0]
factor_easy_g2 = ratio[0.9, 2.0]
factor_very_easy_g2 = ratio[0.99, 2.0]
factor_easy_g5 = ratio[0.9, 5.0]
reduction_easy_g2 = 1 / factor_easy_g2
reduction_very_easy_g2 = 1 / factor_very_easy_g2
# relative weight of a hard (p_t = 0.1) and an easy (p_t = 0.9) example, before and after
hard_over_easy_ce = math.log(0.1) / math.log(0.9)
hard_over_easy_fl = hard_over_easy_ce * factor_hard_g2 / factor_easy_g2
assert math.isclose(reduction_easy_g2, 100.0)
assert math.isclose(hard_over_easy_fl / hard_over_easy_ce, 81.0)

# --8<-- [start:gamma_plot]
p_t_grid = np.linspace(0.01, 0.99, 99)
fl_curves = {g: np.array([focal_loss(logits_with_p_t(p), y0, gamma=g).item() for p in p_t_grid]) for g in gammas}

plt.figure(figsize=(6, 3.6))
for g, curve in fl_curves.items():
    plt.plot(p_t_grid, curve, label=f"$\\gamma = {g:g}$")
plt.xlabel("$p_t$")
plt.ylabel(r"$\mathrm{FL}(p_t)$")
plt.xlim(0, 1)
plt.ylim(0, 5)
plt.legend()
# --8<-- [end:gamma_plot]

# gamma = 0 is cross-entropy; each larger gamma lies below the last, by the factor (1 - p_t)^gamma.
assert np.allclose(fl_curves[0.0], -np.log(p_t_grid), rtol=1e-12)
for g_low, g_high in zip(gammas, gammas[1:]):
    assert np.all(fl_curves[g_high] < fl_curves[g_low])
for g, curve in fl_curves.items():
    assert np.allclose(curve, (1 - p_t_grid) ** g * fl_curves[0.0], rtol=1e-9)
