"""Exercises on focal loss: its gradient, where it halves cross-entropy, easy examples against a hard one."""

import math

import torch
import torch.nn.functional as F

# --8<-- [start:focal_gradient]
gamma, p_t = 2.0, 0.9
# Logits [z, 0, 0] whose softmax gives the true class 0 the probability p_t.
z = torch.tensor([[math.log(2 * p_t / (1 - p_t)), 0.0, 0.0]], dtype=torch.float64, requires_grad=True)
p = torch.softmax(z, dim=1)[0, 0]
focal = -(1 - p) ** gamma * torch.log(p)
focal.backward()

derived = (1 - p_t) ** gamma * (gamma * p_t * math.log(p_t) - (1 - p_t))
print(f"p_t = {p.item():.4f}")
print(f"autograd dFL/dz_t = {z.grad[0, 0].item():.6f}   derived = {derived:.6f}")
print(f"cross-entropy's   = {p_t - 1:.6f}")
# --8<-- [end:focal_gradient]

assert math.isclose(p.item(), p_t) and math.isclose(z.grad[0, 0].item(), derived, rel_tol=1e-9)
focal_grad = derived
grad_ratio = (p_t - 1) / derived

# --8<-- [start:half_loss]
p_half = 1 - math.sqrt(0.5)  # (1 - p_t)^2 = 1/2
print(f"p_t = {p_half:.4f}: FL / CE = {(1 - p_half) ** 2:.4f}")
# --8<-- [end:half_loss]

assert math.isclose((1 - p_half) ** 2, 0.5)

# --8<-- [start:easy_vs_hard]
p_easy, p_hard = 0.99, 0.1
ce_easy, ce_hard = -math.log(p_easy), -math.log(p_hard)
fl_easy, fl_hard = (1 - p_easy) ** 2 * ce_easy, (1 - p_hard) ** 2 * ce_hard
easy_per_hard_ce = ce_hard / ce_easy
easy_per_hard_fl = fl_hard / fl_easy
print(f"easy examples that weigh as much as one hard one: CE {easy_per_hard_ce:.1f}, focal {easy_per_hard_fl:.4g}")
# --8<-- [end:easy_vs_hard]

assert math.isclose(easy_per_hard_fl / easy_per_hard_ce, (1 - p_hard) ** 2 / (1 - p_easy) ** 2)
