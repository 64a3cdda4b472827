"""Multi-label classification: one sigmoid per class, binary cross-entropy, pos_weight."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4, sci_mode=False)
np.set_printoptions(precision=4, suppress=True)

# --8<-- [start:example]
classes = ["cat", "dog", "bird"]
logits = torch.tensor([[2.0, 1.5, -1.0]])  # one image, one raw score per class
target = torch.tensor([[1.0, 1.0, 0.0]])  # multi-hot: a cat AND a dog, no bird

bce = nn.BCEWithLogitsLoss()  # reduction="mean": averages over every entry
loss_bce = bce(logits, target)
print(f"BCEWithLogitsLoss = {loss_bce.item():.4f}")
# --8<-- [end:example]


# --8<-- [start:manual]
def binary_ce(logit, y):
    """Hand-written BCE of one class: sigmoid first, then the two log terms."""
    s = torch.sigmoid(logit)
    return -(y * torch.log(s) + (1 - y) * torch.log(1 - s))


per_class_manual = [binary_ce(logits[0, k], target[0, k]) for k in range(3)]
loss_manual = sum(per_class_manual) / 3
print(f"manual mean        = {loss_manual.item():.4f}")
assert torch.allclose(loss_manual, loss_bce)
# --8<-- [end:manual]

# --8<-- [start:per_class]
per_class = nn.BCEWithLogitsLoss(reduction="none")(logits, target)
print(f"sigmoid(z) = {torch.sigmoid(logits)}")
print(f"loss_k     = {per_class}")
print(f"mean       = {per_class.mean().item():.4f}")
# --8<-- [end:per_class]

loss_cat, loss_dog, loss_bird = per_class[0]
p_cat, p_dog, p_bird = torch.sigmoid(logits)[0]
assert torch.allclose(per_class[0], torch.stack(per_class_manual))
assert torch.allclose(per_class.mean(), loss_bce)
# The per-class loss is -log of the probability given to the right answer.
assert torch.isclose(loss_cat, -torch.log(p_cat))
assert torch.isclose(loss_bird, -torch.log(1 - p_bird))

# --8<-- [start:softmax_vs_sigmoid]
p_softmax = F.softmax(logits, dim=1)  # multi-class: the classes compete
p_sigmoid = torch.sigmoid(logits)  # multi-label: each class on its own
sum_softmax = p_softmax.sum()
sum_sigmoid = p_sigmoid.sum()
print(f"softmax(z) = {p_softmax}, sum = {sum_softmax.item():.4f}")
print(f"sigmoid(z) = {p_sigmoid}, sum = {sum_sigmoid.item():.4f}")

predicted_class = classes[p_softmax.argmax(dim=1).item()]  # exactly one class
predicted_labels = [c for c, p in zip(classes, p_sigmoid[0]) if p > 0.5]  # any subset
print(f"argmax softmax(z) -> {predicted_class}")
print(f"sigmoid(z) > 0.5  -> {predicted_labels}")
# --8<-- [end:softmax_vs_sigmoid]

assert torch.isclose(sum_softmax, torch.tensor(1.0))
assert not torch.isclose(sum_sigmoid, torch.tensor(1.0))
assert predicted_labels == ["cat", "dog"]
# sigmoid(z) > 0.5 exactly when z > 0.
assert predicted_labels == [c for c, z in zip(classes, logits[0]) if z > 0]

# --8<-- [start:saturation]
z = torch.tensor([10.0, 20.0, 40.0])  # float32, like a model's output
s = torch.sigmoid(z)
gap = 1 - s  # float32
exact = torch.sigmoid(-z.double())  # 1 - sigmoid(z) = sigmoid(-z), in float64
for zi, si, gi, ei in zip(z.tolist(), s.tolist(), gap.tolist(), exact.tolist()):
    print(f"z = {zi:.0f}: sigmoid(z) == 1.0 is {si == 1.0}, "
          f"1 - sigmoid(z) = {gi:.4e}, exact {ei:.4e}")
# --8<-- [end:saturation]

sigmoid_40_is_one = bool(torch.sigmoid(torch.tensor(40.0)) == 1.0)
assert sigmoid_40_is_one

# The smallest logit at which the property tests (tests/test_identities.py) find the float32
# BCELoss of the sigmoid still finite but off the true loss, for an absent label (target 0).
x_found = torch.tensor([15.0])
bce_found_logits = F.binary_cross_entropy_with_logits(x_found, torch.tensor([0.0])).item()
bce_found_sigmoid = F.binary_cross_entropy(torch.sigmoid(x_found), torch.tensor([0.0])).item()
x_found = x_found.item()
assert np.isfinite(bce_found_sigmoid) and abs(bce_found_sigmoid - bce_found_logits) > 1e-3 * bce_found_logits
# Float32 numbers just below 1 are 2^-24 apart: a smaller gap 1 - sigmoid(z) rounds away.
spacing_below_one = 1.0 - torch.nextafter(torch.tensor(1.0), torch.tensor(0.0))
assert spacing_below_one == 2.0**-24
# On the negative side, PyTorch's float32 sigmoid keeps precision but reaches 0 by z = -100.
assert torch.sigmoid(torch.tensor(-40.0)) > 0 and torch.sigmoid(torch.tensor(-100.0)) == 0
assert s[0] < 1.0 and s[1] == 1.0 and s[2] == 1.0

# --8<-- [start:naive]
# Four confident mistakes per sign: large positive logits for absent labels,
# large negative logits for present labels. The true loss of each is about |z|.
z_big = torch.tensor([20.0, 40.0, 100.0, 200.0, -20.0, -40.0, -100.0, -200.0])
y_big = torch.tensor([0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])

s_big = torch.sigmoid(z_big)
naive = -(y_big * torch.log(s_big) + (1 - y_big) * torch.log(1 - s_big))
clamped = nn.BCELoss(reduction="none")(s_big, y_big)  # BCELoss on sigmoid outputs
stable = nn.BCEWithLogitsLoss(reduction="none")(z_big, y_big)

print("     z    y  naive    BCELoss  BCEWithLogitsLoss")
for row in zip(z_big, y_big, naive, clamped, stable):
    zi, yi, a, b, c = (v.item() for v in row)
    print(f"{zi:6.0f} {yi:4.0f}  {a:<8.4f} {b:<8.4f} {c:.4f}")
# --8<-- [end:naive]

naive_z20 = naive[0]  # logit 20, target 0
clamped_z20 = clamped[0]
stable_z20 = stable[0]
clamped_z200 = clamped[3]  # logit 200, target 0
stable_z200 = stable[3]
assert torch.isinf(naive[:4]).all() and torch.isinf(naive[6:]).all()
assert torch.isfinite(naive[4:6]).all()  # sigmoid(-20), sigmoid(-40) are still > 0
assert torch.equal(clamped, torch.where(torch.isinf(naive), 100.0, naive))
assert torch.allclose(stable, z_big.abs())  # true loss is |z| + log(1 + e^-|z|)

# --8<-- [start:gradients]
z_grad = torch.tensor([20.0, 40.0, -100.0], requires_grad=True)
y_grad = torch.tensor([0.0, 0.0, 1.0])


def grad_of(loss_fn):
    z_grad.grad = None
    loss_fn(z_grad).sum().backward()
    return z_grad.grad.clone() + 0.0  # + 0.0 turns -0.0 into 0.0


g_naive = grad_of(lambda z: -(y_grad * torch.log(torch.sigmoid(z))
                              + (1 - y_grad) * torch.log(1 - torch.sigmoid(z))))
g_clamped = grad_of(lambda z: nn.BCELoss(reduction="none")(torch.sigmoid(z), y_grad))
g_stable = grad_of(lambda z: nn.BCEWithLogitsLoss(reduction="none")(z, y_grad))
print(f"d naive / dz             = {g_naive}")
print(f"d BCELoss / dz           = {g_clamped}")
print(f"d BCEWithLogitsLoss / dz = {g_stable}")
print(f"sigmoid(z) - y           = {torch.sigmoid(z_grad.detach()) - y_grad}")
# --8<-- [end:gradients]

assert torch.isnan(g_naive).all()
assert torch.equal(g_clamped, torch.zeros(3))
assert torch.allclose(g_stable, torch.sigmoid(z_grad.detach()) - y_grad)

# --8<-- [start:stable_torch]
z_all = torch.cat([logits[0], z_big])  # the article's example, then the extremes
y_all = torch.cat([target[0], y_big])
loss_torch = nn.BCEWithLogitsLoss(reduction="none")(z_all, y_all)
print(f"example:  {loss_torch[:3]}, mean = {loss_torch[:3].mean():.4f}")
print(f"extremes: {loss_torch[3:]}")
# --8<-- [end:stable_torch]


# --8<-- [start:stable_numpy]
def bce_with_logits(z, y):
    """Stable BCE from logits: max(z, 0) - z*y + log(1 + exp(-|z|))."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


z_np = np.array([2.0, 1.5, -1.0, 20, 40, 100, 200, -20, -40, -100, -200])
y_np = np.array([1.0, 1.0, 0.0, 0, 0, 0, 0, 1, 1, 1, 1])
loss_np = bce_with_logits(z_np, y_np)
print(f"example:  {loss_np[:3]}, mean = {loss_np[:3].mean():.4f}")
print(f"extremes: {loss_np[3:]}")
# --8<-- [end:stable_numpy]

loss_np_example = loss_np[:3].mean()
assert np.array_equal(z_np, z_all.numpy()) and np.array_equal(y_np, y_all.numpy())
assert np.allclose(loss_np, loss_torch.numpy(), rtol=1e-6, atol=1e-7)
assert np.isclose(loss_np_example, loss_bce.item())
# The stable form is the textbook formula, rewritten: check it where the textbook one is safe.
z_mid = np.linspace(-8, 8, 33)
for y_val in (0.0, 1.0):
    sig = 1 / (1 + np.exp(-z_mid))
    textbook = -(y_val * np.log(sig) + (1 - y_val) * np.log(1 - sig))
    assert np.allclose(bce_with_logits(z_mid, y_val), textbook)

# --8<-- [start:pos_weight_counts]
# A made-up training set of 1000 images: how many contain each label.
n_images = 1000
n_positive = torch.tensor([400.0, 250.0, 20.0])  # cat, dog, bird
n_negative = n_images - n_positive
pos_weight = n_negative / n_positive  # one weight per class
print(f"n_positive = {n_positive}")
print(f"n_negative = {n_negative}")
print(f"pos_weight = {pos_weight}")
# --8<-- [end:pos_weight_counts]

pos_weight_cat, pos_weight_dog, pos_weight_bird = pos_weight
# With these weights, the positives of each class weigh as much in total as its negatives.
assert torch.allclose(pos_weight * n_positive, n_negative)

# --8<-- [start:pos_weight]
# The article's image, plus a second one that does contain a bird.
logits_2 = torch.tensor([[2.0, 1.5, -1.0],
                         [-0.5, 0.3, -2.0]])
target_2 = torch.tensor([[1.0, 1.0, 0.0],
                         [0.0, 0.0, 1.0]])

plain = nn.BCEWithLogitsLoss(reduction="none")(logits_2, target_2)
weighted = nn.BCEWithLogitsLoss(reduction="none", pos_weight=pos_weight)(logits_2, target_2)

s2 = torch.sigmoid(logits_2)
by_hand = -(pos_weight * target_2 * torch.log(s2) + (1 - target_2) * torch.log(1 - s2))
print(f"plain    =\n{plain}")
print(f"weighted =\n{weighted}")
print(f"by hand  =\n{by_hand}")
assert torch.allclose(weighted, by_hand)
# --8<-- [end:pos_weight]

loss_bird_present = plain[1, 2]
loss_bird_present_weighted = weighted[1, 2]
loss_plain_mean = plain.mean()
loss_weighted_mean = weighted.mean()
# Positive entries are multiplied by pos_weight; negative entries are untouched.
assert torch.allclose(weighted, torch.where(target_2 == 1, pos_weight * plain, plain))
assert torch.isclose(loss_bird_present_weighted, pos_weight_bird * loss_bird_present)
assert torch.equal(weighted[target_2 == 0], plain[target_2 == 0])
# The gradient of a positive entry is scaled by the same factor: w * (sigmoid(z) - 1).
z_leaf = logits_2.clone().requires_grad_(True)
nn.BCEWithLogitsLoss(reduction="sum", pos_weight=pos_weight)(z_leaf, target_2).backward()
grad_weighted = z_leaf.grad.clone()
z_leaf.grad = None
nn.BCEWithLogitsLoss(reduction="sum")(z_leaf, target_2).backward()
assert torch.isclose(grad_weighted[1, 2], pos_weight_bird * z_leaf.grad[1, 2])
assert torch.isclose(grad_weighted[1, 2], pos_weight_bird * (torch.sigmoid(logits_2[1, 2]) - 1))
