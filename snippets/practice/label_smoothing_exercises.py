"""Exercises on label smoothing: the optimal margin for ImageNet, for the article's target, and at eps = 1."""

import math

import torch
import torch.nn.functional as F


def m_star(eps, C):
    """The optimal margin of logits [m, 0, ..., 0] under label smoothing eps with C classes."""
    return math.log((1 - eps + eps / C) / (eps / C))


# --8<-- [start:imagenet]
C, eps = 1000, 0.1
margins = torch.arange(0.0, 20.0, 0.01, dtype=torch.float64)  # one row of logits per margin
logits = torch.zeros(len(margins), C, dtype=torch.float64)
logits[:, 0] = margins
losses = F.cross_entropy(logits, torch.zeros(len(margins), dtype=torch.long), label_smoothing=eps, reduction="none")

m_imagenet = m_star(eps, C)
target = torch.full((C,), eps / C, dtype=torch.float64)
target[0] += 1 - eps
entropy_target = -(target * target.log()).sum().item()
print(f"m* = log((1 - eps + eps/C) / (eps/C)) = {m_imagenet:.4f}   grid: {margins[losses.argmin()]:.2f}")
print(f"min loss = {losses.min():.4f}   H(smoothed target) = {entropy_target:.4f}")
# --8<-- [end:imagenet]

assert abs(margins[losses.argmin()].item() - m_imagenet) <= 0.005 + 1e-9
assert abs(losses.min().item() - entropy_target) < 1e-4

# --8<-- [start:article_target]
article = torch.tensor([[0.9, 0.05, 0.05]], dtype=torch.float64)  # eps spread over the wrong classes only
grid = torch.arange(0.0, 8.0, 0.001, dtype=torch.float64)
rows = torch.stack([grid, torch.zeros_like(grid), torch.zeros_like(grid)], dim=1)
loss_article = F.cross_entropy(rows, article.expand(len(grid), 3), reduction="none")

m_article = math.log(0.9 / 0.05)  # where softmax([m, 0, 0]) = [0.9, 0.05, 0.05]
m_pytorch = m_star(0.1, 3)
print(f"article's target: m* = log 18 = {m_article:.4f}   grid: {grid[loss_article.argmin()]:.3f}")
print(f"PyTorch's target: m* = log 28 = {m_pytorch:.4f}")
# --8<-- [end:article_target]

assert abs(grid[loss_article.argmin()].item() - m_article) <= 0.0005 + 1e-9
assert math.isclose(m_article, math.log(18)) and math.isclose(m_pytorch, math.log(28))

# --8<-- [start:eps_one]
z = torch.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
for label in range(3):
    z.grad = None
    loss = F.cross_entropy(z, torch.tensor([label]), label_smoothing=1.0)
    loss.backward()
    print(f"label {label}: loss = {loss:.4f}   gradient = {z.grad[0]}")
print(f"m*(eps = 1) = {m_star(1.0, 3):.4f}")
# --8<-- [end:eps_one]

loss_eps_one = loss.item()
assert m_star(1.0, 3) == 0.0
assert all(
    torch.equal(F.cross_entropy(z, torch.tensor([0]), label_smoothing=1.0), F.cross_entropy(z, torch.tensor([k]), label_smoothing=1.0))
    for k in range(3)
)
