"""nn.CrossEntropyLoss options: reduction, ignore_index, probability targets, extra dimensions."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4)

# --8<-- [start:batch]
logits = torch.tensor([
    [2.0, 1.0, 0.1],
    [0.5, 2.5, -1.0],
    [1.5, 0.3, 1.2],
    [-3.0, 0.0, 3.0],
])  # (N, C) = (4, 3)
targets = torch.tensor([0, 1, 2, 0])  # (N,) class indices
N = len(targets)
# --8<-- [end:batch]

# --8<-- [start:reduction]
loss_none = nn.CrossEntropyLoss(reduction="none")(logits, targets)
loss_sum = nn.CrossEntropyLoss(reduction="sum")(logits, targets)
loss_mean = nn.CrossEntropyLoss(reduction="mean")(logits, targets)  # the default

print(f"none    = {loss_none}")
print(f"sum     = {loss_sum:.4f}")
print(f"mean    = {loss_mean:.4f}")
print(f"sum / N = {loss_sum / N:.4f}")

per_sample = -F.log_softmax(logits, dim=1)[torch.arange(N), targets]
assert torch.allclose(loss_none, per_sample)
assert torch.allclose(loss_sum, loss_none.sum())
assert torch.allclose(loss_mean, loss_sum / N)
# --8<-- [end:reduction]

loss_worst = loss_none.max()
assert torch.equal(loss_worst, loss_none[3])
assert loss_worst > loss_none[:3].sum()  # the confidently wrong sample outweighs the rest

# --8<-- [start:ignore_index]
targets_ign = torch.tensor([0, 1, -100, 0])  # -100 is the default ignore_index
kept = targets_ign != -100
n_kept = kept.sum()

none_ign = F.cross_entropy(logits, targets_ign, reduction="none")
sum_ign = F.cross_entropy(logits, targets_ign, reduction="sum")
mean_ign = F.cross_entropy(logits, targets_ign)

print(f"none         = {none_ign}")
print(f"sum          = {sum_ign:.4f}")
print(f"mean         = {mean_ign:.4f}")
print(f"sum / n_kept = {sum_ign / n_kept:.4f}   (n_kept = {n_kept})")
print(f"sum / N      = {sum_ign / N:.4f}   (N = {N})")
# --8<-- [end:ignore_index]

mean_ign_wrong = sum_ign / N
# The ignored sample contributes 0 to the sum and is left out of the count.
assert none_ign[2] == 0
assert torch.allclose(sum_ign, loss_none[kept].sum())
assert torch.allclose(mean_ign, sum_ign / n_kept)
assert torch.allclose(mean_ign, F.cross_entropy(logits[kept], targets[kept]))
assert not torch.isclose(mean_ign, mean_ign_wrong)

# With class weights, the mean divides by the total weight of the kept targets.
class_weight = torch.tensor([1.0, 2.0, 3.0])
sum_w = F.cross_entropy(logits, targets_ign, weight=class_weight, reduction="sum")
mean_w = F.cross_entropy(logits, targets_ign, weight=class_weight)
assert torch.allclose(mean_w, sum_w / class_weight[targets_ign[kept]].sum())

# --8<-- [start:all_ignored]
all_ignored = torch.full((N,), -100)
print(f"mean = {F.cross_entropy(logits, all_ignored):.4f}")
print(f"sum  = {F.cross_entropy(logits, all_ignored, reduction='sum'):.4f}")
# --8<-- [end:all_ignored]

assert torch.isnan(F.cross_entropy(logits, all_ignored))
assert F.cross_entropy(logits, all_ignored, reduction="sum") == 0

# --8<-- [start:probability_targets]
soft = torch.tensor([
    [0.7, 0.2, 0.1],
    [0.1, 0.8, 0.1],
    [0.0, 0.3, 0.7],
    [0.5, 0.25, 0.25],
])  # (N, C) float: one distribution per sample, rows sum to 1

loss_soft = F.cross_entropy(logits, soft)
soft_per_sample = -(soft * F.log_softmax(logits, dim=1)).sum(dim=1)

print(f"none                  = {F.cross_entropy(logits, soft, reduction='none')}")
print(f"-sum p log_softmax(z) = {soft_per_sample}")
print(f"mean                  = {loss_soft:.4f}")

assert torch.allclose(F.cross_entropy(logits, soft, reduction="none"), soft_per_sample)
assert torch.allclose(loss_soft, soft_per_sample.mean())
# --8<-- [end:probability_targets]

assert torch.allclose(soft.sum(dim=1), torch.ones(N))

# --8<-- [start:one_hot]
one_hot = F.one_hot(targets, num_classes=3).float()
loss_one_hot = F.cross_entropy(logits, one_hot)

print(f"one_hot(y) =\n{one_hot}")
print(f"CE(z, one_hot(y)) = {loss_one_hot:.4f}")
print(f"CE(z, y)          = {loss_mean:.4f}")

assert torch.allclose(loss_one_hot, loss_mean)
# --8<-- [end:one_hot]

# --8<-- [start:one_hot_weighted]
w = torch.tensor([1.0, 10.0, 100.0])  # class weights
loss_w_index = F.cross_entropy(logits, targets, weight=w)
loss_w_one_hot = F.cross_entropy(logits, one_hot, weight=w)
sum_w_all = F.cross_entropy(logits, targets, weight=w, reduction="sum")
total_weight = w[targets].sum()

print(f"sum of w_y * loss           = {sum_w_all:.4f}")
print(f"CE(z, y, weight=w)          = {loss_w_index:.4f}   (divided by sum of w_y = {total_weight:.0f})")
print(f"CE(z, one_hot(y), weight=w) = {loss_w_one_hot:.4f}   (divided by N = {N})")

assert torch.allclose(loss_w_index, sum_w_all / total_weight)
assert torch.allclose(loss_w_one_hot, sum_w_all / N)
# --8<-- [end:one_hot_weighted]

assert torch.allclose(F.cross_entropy(logits, one_hot, weight=w, reduction="sum"), sum_w_all)
assert not torch.isclose(loss_w_index, loss_w_one_hot)

# --8<-- [start:dtype_pitfall]
float_indices = targets.float()  # class indices, but stored as floats
try:
    F.cross_entropy(logits, float_indices)
except RuntimeError as error:
    print(f"RuntimeError: {error}")
# --8<-- [end:dtype_pitfall]

# --8<-- [start:segmentation]
torch.manual_seed(0)
seg_logits = torch.randn(2, 3, 2, 2)  # (N, C, H, W): 3 class scores per pixel
seg_target = torch.randint(0, 3, (2, 2, 2))  # (N, H, W): one class index per pixel

loss_seg = F.cross_entropy(seg_logits, seg_target)
loss_map = F.cross_entropy(seg_logits, seg_target, reduction="none")

# The same loss over N*H*W independent pixels: move C last, then flatten.
flat_logits = seg_logits.permute(0, 2, 3, 1).reshape(-1, 3)  # (N*H*W, C)
loss_seg_flat = F.cross_entropy(flat_logits, seg_target.reshape(-1))

print(f"logits: {tuple(seg_logits.shape)}  target: {tuple(seg_target.shape)}")
print(f"loss_map: {tuple(loss_map.shape)}")
print(f"CE(N, C, H, W) = {loss_seg:.4f}")
print(f"CE(N*H*W, C)   = {loss_seg_flat:.4f}")

assert loss_map.shape == seg_target.shape
assert torch.allclose(loss_seg, loss_seg_flat)
assert torch.allclose(loss_seg, loss_map.mean())
# --8<-- [end:segmentation]

# A permuted tensor is not contiguous: reshape copies, view refuses.
assert not seg_logits.permute(0, 2, 3, 1).is_contiguous()
try:
    seg_logits.permute(0, 2, 3, 1).view(-1, 3)
except RuntimeError:
    pass
else:
    raise AssertionError("view() on a permuted tensor should fail")

# --8<-- [start:lm_shapes]
torch.manual_seed(0)
batch, steps, vocab = 2, 4, 5
lm_logits = torch.randn(batch, steps, vocab)  # (N, T, C): what a language model returns
lm_targets = torch.randint(0, vocab, (batch, steps))  # (N, T): the next token at each step
# --8<-- [end:lm_shapes]

# --8<-- [start:lm_pitfall]
try:
    F.cross_entropy(lm_logits, lm_targets)  # reads dim 1 (T) as the classes
except RuntimeError as error:
    print(f"RuntimeError: {error}")
# --8<-- [end:lm_pitfall]

# --8<-- [start:lm_right]
loss_lm = F.cross_entropy(lm_logits.permute(0, 2, 1), lm_targets)  # (N, C, T)
loss_lm_flat = F.cross_entropy(lm_logits.reshape(-1, vocab), lm_targets.reshape(-1))  # (N*T, C)

print(f"CE(N, C, T) = {loss_lm:.4f}")
print(f"CE(N*T, C)  = {loss_lm_flat:.4f}")

assert torch.allclose(loss_lm, loss_lm_flat)
# --8<-- [end:lm_right]

# --8<-- [start:lm_silent]
torch.manual_seed(0)
square_logits = torch.randn(2, 4, 4)  # (N, T, C) with T == C
square_targets = torch.randint(0, 4, (2, 4))

loss_square_wrong = F.cross_entropy(square_logits, square_targets)  # no error
loss_square_right = F.cross_entropy(square_logits.permute(0, 2, 1), square_targets)

print(f"CE(N, T, C) = {loss_square_wrong:.4f}")
print(f"CE(N, C, T) = {loss_square_right:.4f}")
# --8<-- [end:lm_silent]

assert not torch.isclose(loss_square_wrong, loss_square_right)
assert torch.allclose(
    loss_square_right, F.cross_entropy(square_logits.reshape(-1, 4), square_targets.reshape(-1))
)
