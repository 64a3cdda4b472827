"""Exercises on multi-label classification: the loss at zero logits, pos_weight's gradient and its calibration."""

import math

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)

# --8<-- [start:zero_logits]
torch.manual_seed(0)
K = 20
logits = torch.zeros(8, K)  # an untrained model: every logit 0
multi_hot = torch.randint(0, 2, (8, K)).float()  # any targets at all
class_index = torch.randint(0, K, (8,))

bce_start = F.binary_cross_entropy_with_logits(logits, multi_hot).item()
ce_start = F.cross_entropy(logits, class_index).item()
print(f"BCE = {bce_start:.4f}   log 2 = {math.log(2):.4f}")
print(f"CE  = {ce_start:.4f}   log K = {math.log(K):.4f}")
# --8<-- [end:zero_logits]

assert math.isclose(bce_start, math.log(2), rel_tol=1e-6) and math.isclose(ce_start, math.log(K), rel_tol=1e-6)

# --8<-- [start:pos_weight_grad]
w = torch.tensor([49.0])  # the bird's pos_weight: 980 negatives / 20 positives
grads = {}
for y in (1.0, 0.0):
    z = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy_with_logits(z, torch.tensor([y], dtype=torch.float64), pos_weight=w.double()).backward()
    s = torch.sigmoid(z.detach())
    derived = (1 - y) * s - w.double() * y * (1 - s)  # d/dz of -[w y log s + (1 - y) log(1 - s)]
    print(f"y = {y:.0f}: autograd = {z.grad.item():+.4f}   derived = {derived.item():+.4f}")
    assert torch.allclose(z.grad, derived)
    grads[y] = z.grad.item()
# --8<-- [end:pos_weight_grad]

grad_present, grad_absent = grads[1.0], grads[0.0]
assert math.isclose(grad_present, 49 * (torch.sigmoid(torch.tensor(-1.0, dtype=torch.float64)).item() - 1))

# --8<-- [start:constant_prediction]
pi = 20 / 1000  # the fraction of images with a bird
weight = (1 - pi) / pi  # pos_weight = negatives / positives


def expected_loss(z, w):
    """Mean BCE with pos_weight w of a constant logit z, over data with a fraction pi of positives."""
    s = torch.sigmoid(z)
    return -(w * pi * torch.log(s) + (1 - pi) * torch.log(1 - s))


z_grid = torch.linspace(-8.0, 8.0, 16_001, dtype=torch.float64)
for name, pos_w in [("no pos_weight", 1.0), ("pos_weight", weight)]:
    s_best = torch.sigmoid(z_grid[expected_loss(z_grid, pos_w).argmin()]).item()
    s_closed = pos_w * pi / (pos_w * pi + 1 - pi)  # where the derivative w pi (s - 1) + (1 - pi) s vanishes
    print(f"{name:13}: best constant sigma = {s_best:.4f}   closed form = {s_closed:.4f}")
    assert abs(s_best - s_closed) < 1e-3
# --8<-- [end:constant_prediction]

sigma_plain = pi
sigma_weighted = weight * pi / (weight * pi + 1 - pi)
assert math.isclose(weight, 49.0) and math.isclose(sigma_weighted, 0.5)
# pos_weight w shifts the best logit by log w: subtracting it gives back the frequency.
z_weighted = math.log(sigma_weighted / (1 - sigma_weighted))
assert math.isclose(1 / (1 + math.exp(-(z_weighted - math.log(weight)))), pi)
