"""Exercises on why classification uses cross-entropy: MSE's best shift, underflow, the best constant guess."""

import numpy as np
import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)

# --8<-- [start:best_shift]
z = np.array([5.0, 1.0, 0.5])  # the page's correct, confident prediction
y = np.array([1.0, 0.0, 0.0])
d = z - y

c_best = -d.mean()  # d/dc mean((d + c)^2) = 2 mean(d + c) = 0
mse_best = np.mean((d + c_best) ** 2)
shifts = np.linspace(-5.0, 5.0, 10_001)
mse_grid = ((d + shifts[:, None]) ** 2).mean(axis=1)  # one row per shift c
print(f"c* = {c_best:.4f}   MSE(z + c*) = {mse_best:.4f}   var(z - y) = {d.var():.4f}")
print(f"grid: argmin c = {shifts[mse_grid.argmin()]:.4f}, min MSE = {mse_grid.min():.4f}")
# --8<-- [end:best_shift]

assert np.isclose(mse_best, d.var()) and abs(shifts[mse_grid.argmin()] - c_best) < 1e-3
assert np.allclose(np.exp(z + c_best) / np.exp(z + c_best).sum(), np.exp(z) / np.exp(z).sum())

# --8<-- [start:underflow_count]
tiny_f32 = 2.0**-149  # the smallest positive float32, a subnormal
tiny_f64 = 2.0**-1074  # the smallest positive float64


def first_zero(dtype):
    """The smallest number of factors 0.5 whose product is 0 in this dtype."""
    return next(n for n in range(1, 2000) if torch.full((n,), 0.5, dtype=dtype).prod() == 0)


n_zero_f32 = first_zero(torch.float32)
n_zero_f64 = first_zero(torch.float64)
print(f"float32: 0.5 ** {n_zero_f32 - 1} = {torch.full((n_zero_f32 - 1,), 0.5).prod():.4e}, 0.5 ** {n_zero_f32} = 0")
print(f"float64: first zero at {n_zero_f64} factors")
# --8<-- [end:underflow_count]

# 2^-150 lies exactly halfway between 0 and 2^-149; round-half-to-even gives 0.
assert n_zero_f32 == -np.log2(tiny_f32) + 1 and n_zero_f64 == -np.log2(tiny_f64) + 1
assert torch.tensor(tiny_f32, dtype=torch.float32).item() == tiny_f32 > 0

# --8<-- [start:best_constant]
labels = torch.tensor([0] * 5 + [1] * 3 + [2] * 2)  # 50 %, 30 %, 20 %
frequencies = torch.bincount(labels).double() / len(labels)

b = torch.zeros(3, dtype=torch.float64, requires_grad=True)  # the same logits for every sample
for step in range(100):
    loss = F.cross_entropy(b.expand(len(labels), 3), labels)
    loss.backward()
    with torch.no_grad():
        b -= 1.0 * b.grad
        b.grad.zero_()

q_best = torch.softmax(b.detach(), dim=0)
loss_best = loss.item()
H_labels = -(frequencies * frequencies.log()).sum().item()
print(f"softmax(b) = {q_best}")
print(f"loss = {loss_best:.4f}   H(label frequencies) = {H_labels:.4f}")
# --8<-- [end:best_constant]

assert torch.allclose(frequencies, torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64))
assert torch.allclose(q_best, frequencies, atol=1e-6) and abs(loss_best - H_labels) < 1e-9
