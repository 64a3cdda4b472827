"""Exercises on nn.CrossEntropyLoss: the loss at initialization, bounds from the maximum, the mean is no max."""

import math

import torch
import torch.nn.functional as F

# --8<-- [start:first_loss]
torch.manual_seed(0)
for n_classes in (10, 1000):
    logits = 0.01 * torch.randn(64, n_classes)  # a fresh model: tiny, nearly equal logits
    targets = torch.randint(0, n_classes, (64,))
    loss = F.cross_entropy(logits, targets)
    print(f"C = {n_classes:4d}: first loss = {loss:.4f}   log C = {math.log(n_classes):.4f}")
    assert abs(loss.item() - math.log(n_classes)) < 0.01
# --8<-- [end:first_loss]

log_10 = math.log(10)
log_1000 = math.log(1000)
assert math.isclose(F.cross_entropy(torch.zeros(1, 10), torch.tensor([3])).item(), log_10, rel_tol=1e-6)

# --8<-- [start:bounds]
z = torch.tensor([2.0, 1.0, 0.1])
y = 2
gap = (z.max() - z[y]).item()
lower, upper = gap, gap + math.log(len(z))
loss_y2 = F.cross_entropy(z[None], torch.tensor([y])).item()
print(f"{lower:.4f} <= L = {loss_y2:.4f} <= {upper:.4f}")

torch.manual_seed(1)
Z = 5 * torch.randn(10_000, 7)  # many random rows: the bounds hold for every one
Y = torch.randint(0, 7, (10_000,))
L = F.cross_entropy(Z, Y, reduction="none")
G = Z.max(dim=1).values - Z[torch.arange(10_000), Y]
print(f"all rows inside: {bool(((G <= L + 1e-5) & (L <= G + math.log(7) + 1e-5)).all())}")
# --8<-- [end:bounds]

assert lower <= loss_y2 <= upper and ((G <= L + 1e-5) & (L <= G + math.log(7) + 1e-5)).all()


# --8<-- [start:mean_shift]
def loss_mean_shift(z, y):
    """The log-sum-exp 'trick' with the mean instead of the maximum: a bug."""
    m = z.mean()
    return -(z[y] - m) + torch.log(torch.exp(z - m).sum())


z_far = torch.tensor([200.0, 0.0])  # float32: exp overflows past about 88.72
loss_bug = loss_mean_shift(z_far, 1)
loss_right = F.cross_entropy(z_far[None], torch.tensor([1]))
print(f"mean shift: {loss_bug.item()}   F.cross_entropy: {loss_right.item():.4f}")
# --8<-- [end:mean_shift]

assert torch.isinf(loss_bug) and loss_right.item() == 200.0
max_exponent = (z_far - z_far.mean()).max().item()
assert math.log(torch.finfo(torch.float32).max) < max_exponent
