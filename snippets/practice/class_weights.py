"""Class weights for an imbalanced data set: how CrossEntropyLoss(weight=...) averages."""

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4, sci_mode=False)

# --8<-- [start:weights]
counts = torch.tensor([1000.0, 100.0, 10.0])  # cat, dog, bird
N, C = counts.sum(), len(counts)

w_article = counts.max() / counts  # inverse frequency, scaled so that cat = 1
w_balanced = N / (C * counts)  # "balanced": N / (C * n_c)
w_unit = w_article / w_article.sum()  # the same, scaled to sum to 1

print(f"w_article  = {w_article}")
print(f"w_balanced = {w_balanced}")
print(f"w_unit     = {w_unit}")
print(f"w_balanced / w_article = {w_balanced / w_article}")
# --8<-- [end:weights]

assert torch.equal(w_article, torch.tensor([1.0, 10.0, 100.0]))
# the three variants differ by one constant factor
assert torch.allclose(w_balanced / w_article, (w_balanced / w_article)[0].expand(3))
assert torch.allclose(w_unit / w_article, (w_unit / w_article)[0].expand(3))
balanced_scale = (w_balanced / w_article)[0]
w_balanced_cat, w_balanced_bird = w_balanced[0], w_balanced[2]

# --8<-- [start:batch]
torch.manual_seed(0)
logits = torch.randn(5, 3)
target = torch.tensor([0, 0, 0, 1, 2])  # three cats, one dog, one bird

per_sample = F.cross_entropy(logits, target, reduction="none")  # l_i, no weights
print(f"l_i = {per_sample}")
print(f"mean l_i = {per_sample.mean():.4f}")
# --8<-- [end:batch]

# --8<-- [start:weighted_mean]
w = w_article
loss_pytorch = nn.CrossEntropyLoss(weight=w)(logits, target)

w_y = w[target]  # the weight of each sample's true class
loss_formula = (w_y * per_sample).sum() / w_y.sum()  # sum_i w_{y_i} l_i / sum_i w_{y_i}
loss_plain_mean = (w_y * per_sample).mean()  # sum_i w_{y_i} l_i / n: NOT what PyTorch does

print(f"w_y = {w_y}, sum w_y = {w_y.sum():.0f}")
print(f"CrossEntropyLoss(weight=w)    = {loss_pytorch:.4f}")
print(f"sum w_y l_i / sum w_y         = {loss_formula:.4f}")
print(f"mean(w_y l_i)                 = {loss_plain_mean:.4f}")
# --8<-- [end:weighted_mean]

assert torch.isclose(loss_pytorch, loss_formula)
assert not torch.isclose(loss_pytorch, loss_plain_mean)
# reduction="none" returns w_{y_i} l_i, reduction="sum" their sum: only "mean" divides by sum w_y
assert torch.allclose(F.cross_entropy(logits, target, weight=w, reduction="none"), w_y * per_sample)
assert torch.isclose(F.cross_entropy(logits, target, weight=w, reduction="sum"), (w_y * per_sample).sum())
assert torch.isclose(loss_plain_mean * len(target), (w_y * per_sample).sum())
sum_w_y = w_y.sum()

# --8<-- [start:scaling]
for name, weight in [("w_article ", w_article), ("w_balanced", w_balanced), ("w_unit    ", w_unit)]:
    mean = F.cross_entropy(logits, target, weight=weight)
    total = F.cross_entropy(logits, target, weight=weight, reduction="sum")
    print(f"{name}: mean = {mean:.4f}   sum = {total:8.4f}")
# --8<-- [end:scaling]

loss_mean_article = F.cross_entropy(logits, target, weight=w_article)
loss_mean_balanced = F.cross_entropy(logits, target, weight=w_balanced)
loss_mean_unit = F.cross_entropy(logits, target, weight=w_unit)
assert torch.isclose(loss_mean_article, loss_mean_balanced)
assert torch.isclose(loss_mean_article, loss_mean_unit)
assert torch.isclose(F.cross_entropy(logits, target, weight=7.0 * w_article), loss_mean_article)
# with reduction="sum" (or a plain mean) the scale of the weights does matter
loss_sum_article = F.cross_entropy(logits, target, weight=w_article, reduction="sum")
loss_sum_unit = F.cross_entropy(logits, target, weight=w_unit, reduction="sum")
assert not torch.isclose(loss_sum_article, loss_sum_unit)
assert torch.isclose(loss_sum_article / loss_sum_unit, w_article.sum())

# --8<-- [start:single_class]
cats_only = torch.tensor([0, 0, 0, 0, 0])
loss_cats_weighted = F.cross_entropy(logits, cats_only, weight=w_article)
loss_cats_plain = F.cross_entropy(logits, cats_only)
print(f"CE(z, y; w_article) = {loss_cats_weighted:.4f}")
print(f"CE(z, y)            = {loss_cats_plain:.4f}")
# --8<-- [end:single_class]

assert torch.isclose(loss_cats_weighted, loss_cats_plain)
# a batch of 8 drawn with replacement from the data set holds only cats with probability (n_cat / N)^8
p_cats_only_batch8 = (counts[0] / N) ** 8
assert torch.isclose(F.cross_entropy(logits, cats_only + 2, weight=w_article), F.cross_entropy(logits, cats_only + 2))

# --8<-- [start:contribution]
torch.manual_seed(0)
data_target = torch.repeat_interleave(torch.arange(3), counts.long())  # 1000 cats, 100 dogs, 10 birds
data_logits = torch.randn(len(data_target), 3)  # an untrained model: no class is favoured
data_loss = F.cross_entropy(data_logits, data_target, reduction="none")


def class_shares(weight):
    """Fraction of the (weighted) loss that each class contributes; the shares sum to 1."""
    weighted = weight[data_target] * data_loss
    return torch.stack([weighted[data_target == c].sum() for c in range(3)]) / weighted.sum()


share_plain = class_shares(torch.ones(3))
share_weighted = class_shares(w_balanced)
print(f"n_c        = {counts}")
print(f"n_c w_c    = {counts * w_balanced}")
print(f"L_c / L, w = 1          : {share_plain}")
print(f"L_c / L, w = w_balanced : {share_weighted}")
# --8<-- [end:contribution]

# inverse-frequency weights give every class the same total weight N / C
assert torch.allclose(counts * w_balanced, (N / C).expand(3))
assert torch.isclose(share_plain.sum(), torch.tensor(1.0)) and torch.isclose(share_weighted.sum(), torch.tensor(1.0))
assert share_plain[2] < 0.02 and share_weighted[2] > 0.25
share_bird_plain, share_bird_weighted = share_plain[2], share_weighted[2]
share_cat_plain, share_cat_weighted = share_plain[0], share_weighted[0]
total_weight_per_class = N / C

# --8<-- [start:contribution_plot]
classes = np.arange(C)
plt.figure(figsize=(6, 3.2))
plain_bars = plt.bar(classes - 0.2, share_plain.numpy(), width=0.4, label="$w_c = 1$")
weighted_bars = plt.bar(classes + 0.2, share_weighted.numpy(), width=0.4, label=r"$w_c = N / (C\, n_c)$")
for bars in (plain_bars, weighted_bars):
    plt.bar_label(bars, fmt="%.3f", fontsize=9)
plt.axhline(1 / C, color="gray", linestyle=":", linewidth=1)
plt.xticks(classes, [f"$n_c = {n:.0f}$" for n in counts.tolist()])
plt.ylabel("$L_c / L$")
plt.ylim(0, 1.05)
plt.legend()
# --8<-- [end:contribution_plot]

# Without weights the largest class takes nearly all the loss; with them every class is near its fair share 1/C.
assert share_plain[0] > 0.85 and share_plain[2] < 0.02
assert torch.all((share_weighted - 1 / C).abs() < 0.1)
assert np.allclose([bar.get_height() for bar in weighted_bars], share_weighted.numpy())
