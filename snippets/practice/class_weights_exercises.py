"""Exercises on class weights: equal losses, the gradient's share per class, how large a batch catches a bird."""

import math

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)

weights = torch.tensor([1.0, 10.0, 100.0])  # the article's weights: cat, dog, bird

# --8<-- [start:equal_losses]
targets = torch.tensor([0, 0, 0, 1, 2])  # three cats, a dog, a bird
logits = torch.zeros(5, 3, requires_grad=True)  # an untrained model: every sample costs log 3

loss_weighted = F.cross_entropy(logits, targets, weight=weights)
loss_plain = F.cross_entropy(logits, targets)
print(f"weighted = {loss_weighted:.4f}   plain = {loss_plain:.4f}   log 3 = {math.log(3):.4f}")
# --8<-- [end:equal_losses]

assert torch.isclose(loss_weighted, loss_plain) and math.isclose(loss_plain.item(), math.log(3), rel_tol=1e-6)

# --8<-- [start:gradient_share]
loss_weighted.backward()
norms = logits.grad.norm(dim=1)  # every row has the same |p_i - y_i|: only the weights differ
total = weights[targets].sum()
print(f"|dL/dz_i|  = {norms}")
print(f"bird / cat = {norms[4] / norms[0]:.4f}")
print(f"sum of w_y = {total:.0f}")
# --8<-- [end:gradient_share]

ratio_bird_cat = (norms[4] / norms[0]).item()
total_weight = total.item()
assert math.isclose(ratio_bird_cat, 100.0, rel_tol=1e-5)
assert torch.allclose(logits.grad, weights[targets, None] * (torch.softmax(logits.detach(), 1) - F.one_hot(targets, 3)) / total)

# --8<-- [start:batch_for_a_bird]
p_bird = 10 / (1000 + 100 + 10)  # one draw, with replacement
p_at_least_one_8 = 1 - (1 - p_bird) ** 8
n_half = math.ceil(math.log(0.5) / math.log(1 - p_bird))  # smallest n with P(at least one bird) >= 1/2
print(f"P(a bird in a batch of 8)  = {p_at_least_one_8:.4f}")
print(f"n = {n_half}: P = {1 - (1 - p_bird) ** n_half:.4f}   n = {n_half - 1}: P = {1 - (1 - p_bird) ** (n_half - 1):.4f}")
# --8<-- [end:batch_for_a_bird]

assert 1 - (1 - p_bird) ** n_half >= 0.5 > 1 - (1 - p_bird) ** (n_half - 1)
