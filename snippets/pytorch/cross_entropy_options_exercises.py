"""Exercises on CrossEntropyLoss options: micro-batches with ignore_index, a zero target row, the unpermuted call."""

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)

logits = torch.tensor([
    [2.0, 1.0, 0.1],
    [0.5, 2.5, -1.0],
    [1.5, 0.3, 1.2],
    [-3.0, 0.0, 3.0],
])  # the page's batch
targets_ign = torch.tensor([0, 1, -100, 0])  # the third sample is ignored

# --8<-- [start:micro_batches]
loss_full = F.cross_entropy(logits, targets_ign)

halves = [slice(0, 2), slice(2, 4)]
loss_averaged = sum(F.cross_entropy(logits[h], targets_ign[h]) for h in halves) / 2

# The fix: sum each micro-batch, divide once by the targets kept in the whole batch.
n_kept = (targets_ign != -100).sum()
loss_fixed = sum(F.cross_entropy(logits[h], targets_ign[h], reduction="sum") for h in halves) / n_kept
print(f"full batch        = {loss_full:.4f}")
print(f"mean of the means = {loss_averaged:.4f}")
print(f"sums / kept       = {loss_fixed:.4f}")
# --8<-- [end:micro_batches]

assert not torch.isclose(loss_averaged, loss_full) and torch.isclose(loss_fixed, loss_full)

# --8<-- [start:zero_row]
soft = F.one_hot(targets_ign.clamp(min=0), num_classes=3).float()
soft[2] = 0.0  # "ignore" the third sample by giving it no target mass

loss_zero_row = F.cross_entropy(logits, soft)
kept_sum = F.cross_entropy(logits, targets_ign, reduction="sum")
print(f"zero row          = {loss_zero_row:.4f}")
print(f"kept sum / N      = {kept_sum / 4:.4f}")
print(f"ignore_index mean = {loss_full:.4f}")
# --8<-- [end:zero_row]

assert torch.isclose(loss_zero_row, kept_sum / 4) and not torch.isclose(loss_zero_row, loss_full)

# --8<-- [start:unpermuted]
torch.manual_seed(0)
x = torch.randn(2, 4, 4)  # (N, T, C) with T == C
t = torch.randint(0, 4, (2, 4))  # (N, T)

loss_wrong = F.cross_entropy(x, t)  # reads dim 1, the time steps, as classes
log_p_over_time = F.log_softmax(x, dim=1)  # a softmax over the positions, per vocabulary entry j
picked = log_p_over_time.gather(1, t[:, None, :])  # entry [n, t[n, j], j]
print(f"F.cross_entropy(x, t)    = {loss_wrong:.4f}")
print(f"explicit formula         = {-picked.mean():.4f}")
# --8<-- [end:unpermuted]

assert torch.isclose(loss_wrong, -picked.mean())
