"""The gradient of cross-entropy with respect to the logits is p - y; sigmoid + MSE saturates, BCE does not."""

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4)
np.set_printoptions(precision=4, suppress=True)

# --8<-- [start:autograd]
logits = torch.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
target = torch.tensor([0])

loss = nn.CrossEntropyLoss()(logits, target)
loss.backward()

probs = F.softmax(logits, dim=1).detach()
one_hot = F.one_hot(target, num_classes=3).float()

print("z       =", logits.detach())
print("p       =", probs)
print("dL/dz   =", logits.grad)
print("y       =", one_hot)
print("p - y   =", probs - one_hot)
assert torch.allclose(logits.grad, probs - one_hot)
# --8<-- [end:autograd]

loss_value = loss.detach()
p_0, p_1, p_2 = probs[0]
g_0, g_1, g_2 = logits.grad[0]
# The article printed p = [0.659 0.242 0.099] and dL/dz = [-0.341 0.242 0.099]:
# both are right to the three decimals it showed.
assert np.allclose(np.round(probs.numpy(), 3), [[0.659, 0.242, 0.099]], rtol=0, atol=1e-6)
assert np.allclose(np.round(logits.grad.numpy(), 3), [[-0.341, 0.242, 0.099]], rtol=0, atol=1e-6)


# --8<-- [start:numpy_grad]
def softmax(z):
    """Row-wise softmax; subtracting the row maximum keeps exp() from overflowing."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy_grad(z, t, reduction="mean"):
    """dL/dz for L = -log softmax(z)[t], averaged ('mean') or summed ('sum') over rows."""
    n, k = z.shape
    y = np.eye(k)[t]  # one-hot rows
    g = softmax(z) - y
    return g / n if reduction == "mean" else g


z_np = np.array([[2.0, 1.0, 0.1]])
t_np = np.array([0])
grad_np = cross_entropy_grad(z_np, t_np)
print("p     =", softmax(z_np))
print("p - y =", grad_np)
# --8<-- [end:numpy_grad]

assert np.allclose(grad_np, logits.grad.numpy(), atol=1e-7)


# --8<-- [start:finite_differences]
z64 = torch.tensor([[2.0, 1.0, 0.1]], dtype=torch.float64, requires_grad=True)


def ce(z):
    """The loss as a function of the logits alone."""
    return F.cross_entropy(z, target)


ce(z64).backward()

h = 1e-6
grad_fd = torch.zeros_like(z64)
with torch.no_grad():
    for i in range(z64.shape[1]):
        step = torch.zeros_like(z64)
        step[0, i] = h
        grad_fd[0, i] = (ce(z64 + step) - ce(z64 - step)) / (2 * h)

print("autograd     =", z64.grad)
print("central diff =", grad_fd)
assert torch.allclose(grad_fd, z64.grad, rtol=0, atol=1e-8)

passed = torch.autograd.gradcheck(ce, (z64,))
print("gradcheck:", passed)
# --8<-- [end:finite_differences]

assert passed is True

# --8<-- [start:batch]
Z = torch.tensor([[2.0, 1.0, 0.1],
                  [0.5, 2.5, -1.0],
                  [-0.3, 0.2, 0.4],
                  [1.0, 1.0, 3.0]])
T = torch.tensor([0, 1, 2, 0])  # the last sample is wrong with confidence
N = Z.shape[0]

P = F.softmax(Z, dim=1)
Y = F.one_hot(T, num_classes=3).float()

Z_mean = Z.clone().requires_grad_()
F.cross_entropy(Z_mean, T, reduction="mean").backward()
Z_sum = Z.clone().requires_grad_()
F.cross_entropy(Z_sum, T, reduction="sum").backward()

print(f"p - y =\n{P - Y}")
print(f"grad (reduction='mean') =\n{Z_mean.grad}")
print(f"grad (reduction='sum') =\n{Z_sum.grad}")
assert torch.allclose(Z_mean.grad, (P - Y) / N)
assert torch.allclose(Z_sum.grad, P - Y)
# --8<-- [end:batch]

assert torch.allclose(Z_sum.grad, N * Z_mean.grad)
assert np.allclose(cross_entropy_grad(Z.numpy().astype(np.float64), T.numpy()), Z_mean.grad.numpy(), atol=1e-7)
assert np.allclose(cross_entropy_grad(Z.numpy().astype(np.float64), T.numpy(), "sum"), Z_sum.grad.numpy(), atol=1e-7)
batch_size = N
wrong_grad_true_class = Z_sum.grad[3, 0]
wrong_grad_true_class_mean = Z_mean.grad[3, 0]
wrong_p_true_class = P[3, 0]

# --8<-- [start:sum_to_zero]
row_sums = Z_sum.grad.sum(dim=1)
print("sum_i dL/dz_i =", torch.round(row_sums, decimals=6) + 0.0)  # float32 leaves ~1e-8 of rounding
assert torch.allclose(row_sums, torch.zeros(N), atol=1e-6)
# --8<-- [end:sum_to_zero]

# --8<-- [start:shrinks]
print(f"{'z_0':>5}  {'p_0':>6}  {'dL/dz_0':>8}  {'||dL/dz||_1':>11}  {'2(1 - p_0)':>10}")
norms = []
for z0 in [-2.0, 0.0, 2.0, 4.0, 6.0]:
    z = torch.tensor([[z0, 1.0, 0.1]], requires_grad=True)
    F.cross_entropy(z, target).backward()
    p0 = F.softmax(z, dim=1)[0, 0].item()
    norm = z.grad.abs().sum().item()  # the L1 norm: sum of |p_i - y_i|
    norms.append(norm)
    assert np.isclose(norm, 2 * (1 - p0), atol=1e-6)
    print(f"{z0:5.1f}  {p0:6.4f}  {z.grad[0, 0].item():+8.4f}  {norm:11.4f}  {2 * (1 - p0):10.4f}")
# --8<-- [end:shrinks]

assert all(a > b for a, b in zip(norms, norms[1:]))
norm_first, norm_last = norms[0], norms[-1]

# The Euclidean norm is not a function of p_t alone: it also depends on how the
# remaining 1 - p_t is split among the wrong classes. Same p_t, two different L2 norms:
grad_even = torch.tensor([-0.5, 0.25, 0.25])  # p = [0.5, 0.25, 0.25], t = 0
grad_lopsided = torch.tensor([-0.5, 0.5, 0.0])  # p = [0.5, 0.5, 0.0], t = 0
l2_even, l2_lopsided = grad_even.norm().item(), grad_lopsided.norm().item()
assert grad_even.abs().sum() == grad_lopsided.abs().sum() == 1.0
assert not np.isclose(l2_even, l2_lopsided)

# --8<-- [start:article_sigmoid]
x = torch.tensor([10.0], requires_grad=True)  # target 1, and sigmoid(10) is close to 1: a right answer
y_target = torch.tensor([1.0])

s = torch.sigmoid(x)
mse = (s - y_target) ** 2
mse.backward()

s64 = 1 / (1 + np.exp(-10.0))
mse_grad_right = 2 * (s64 - 1) * s64 * (1 - s64)  # the closed form, in float64

print(f"sigmoid(10)               = {s.item():.6f}")
print(f"dL/dx (autograd, float32) = {x.grad.item():+.4e}")
print(f"2(s-1)s(1-s) (float64)    = {mse_grad_right:+.4e}")
# --8<-- [end:article_sigmoid]

s_right = s.item()
one_minus_s = 1 - s64
mse_grad_right_f32 = x.grad.item()
# Just below 1, neighbouring float32 numbers are 2**-24 apart (the page says so).
float32_gap_below_one = np.float32(1.0) - np.nextafter(np.float32(1.0), np.float32(0.0))
assert float32_gap_below_one == np.float32(2.0) ** -24
# float32 resolves 1 - s (about 4.5e-5) only to that spacing, so agreement is to ~3 digits.
assert np.isclose(mse_grad_right_f32, mse_grad_right, rtol=2e-3)
# The article printed 0.0000408851: wrong sign and about 10^4 times too large.
assert mse_grad_right < 0 and abs(mse_grad_right) < 1e-8
assert not np.isclose(mse_grad_right_f32, 0.0000408851, rtol=0.1, atol=0)


# --8<-- [start:mse_vs_bce]
def mse_grad(x, y):
    """d/dx (sigmoid(x) - y)^2, by autograd."""
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ((torch.sigmoid(x) - y) ** 2).backward()
    return x.grad.item()


def bce_grad(x, y):
    """d/dx BCE(sigmoid(x), y), by autograd on the logit."""
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, torch.tensor(y, dtype=torch.float64)).backward()
    return x.grad.item()


y = 1.0
print(f"{'x':>5}  {'sigmoid(x)':>10}  {'dMSE/dx':>11}  {'dBCE/dx':>11}")
for xv in [-10.0, -5.0, -2.0, 0.0, 2.0, 5.0, 10.0]:
    sv = 1 / (1 + np.exp(-xv))
    g_mse, g_bce = mse_grad(xv, y), bce_grad(xv, y)
    assert np.isclose(g_mse, 2 * (sv - y) * sv * (1 - sv), rtol=1e-12, atol=0)
    assert np.isclose(g_bce, sv - y, rtol=1e-12, atol=0)
    print(f"{xv:5.1f}  {sv:10.6f}  {g_mse:+11.4e}  {g_bce:+11.4e}")
# --8<-- [end:mse_vs_bce]

s_wrong = 1 / (1 + np.exp(10.0))
mse_grad_wrong = mse_grad(-10.0, y)
bce_grad_wrong = bce_grad(-10.0, y)
bce_grad_right = bce_grad(10.0, y)
mse_grad_zero = mse_grad(0.0, y)
mse_grad_minus2 = mse_grad(-2.0, y)
mse_grad_5 = mse_grad(5.0, y)
assert np.isclose(mse_grad_right, mse_grad(10.0, y), rtol=1e-12)
# Confidently wrong: MSE's gradient is tiny; BCE's is close to -1.
assert abs(mse_grad_wrong) < 1e-3 and abs(bce_grad_wrong + 1) < 1e-4
# Confidently right: both are tiny, as they should be.
assert abs(bce_grad_right) < 1e-4
# MSE's gradient is not monotone in the error: being more wrong (x = -10) gives a smaller push than x = -2.
assert abs(mse_grad_wrong) < abs(mse_grad_minus2)
ratio_wrong = bce_grad_wrong / mse_grad_wrong

# --8<-- [start:mse_peak]
# |dMSE/dx| = 2 s (1 - s)^2 for y = 1 is largest where s = 1/3, i.e. x = -ln 2.
x_peak = -np.log(2.0)
mse_grad_peak = mse_grad(x_peak, y)
print(f"x_peak = {x_peak:.4f}, sigmoid(x_peak) = {1 / (1 + np.exp(-x_peak)):.4f}, dMSE/dx = {mse_grad_peak:+.4f}")
# --8<-- [end:mse_peak]

grid = np.linspace(-10, 10, 2001)
assert all(abs(mse_grad(float(v), y)) <= abs(mse_grad_peak) + 1e-12 for v in grid[::50])
assert np.isclose(mse_grad_peak, -8 / 27)

# --8<-- [start:mse_vs_bce_plot]
x_grid = np.linspace(-10.0, 10.0, 201)
mse_grads = np.array([mse_grad(float(v), y) for v in x_grid])
bce_grads = np.array([bce_grad(float(v), y) for v in x_grid])
# wrong (x < 0), yet MSE pushes with less than a tenth of BCE's strength
faint = (x_grid < 0) & (abs(mse_grads) < abs(bce_grads) / 10)
x_faint = x_grid[faint].max()
print(f"|dMSE/dx| < |dBCE/dx| / 10 for x <= {x_faint:.1f}")

plt.figure(figsize=(6, 3.6))
plt.axvspan(x_grid[0], x_faint, color="gray", alpha=0.2, linewidth=0)
plt.plot(x_grid, bce_grads, label=r"$\mathrm{BCE}$: $s - 1$")
plt.plot(x_grid, mse_grads, label=r"$\mathrm{MSE}$: $2 (s - 1) s (1 - s)$")
plt.plot(x_peak, mse_grad_peak, "o", color="C1")
plt.annotate(r"$x = -\ln 2$, $-8/27$", (x_peak, mse_grad_peak), xytext=(10, -14), textcoords="offset points")
plt.axhline(0.0, color="gray", linewidth=0.8)
plt.xlabel("$x$")
plt.ylabel(r"$\partial L / \partial x$")
plt.legend(loc="lower right")
# --8<-- [end:mse_vs_bce_plot]

# The shaded band is one piece, from the left edge: |dMSE/dx| / |dBCE/dx| = 2 s (1 - s) grows with x while s < 1/2.
assert np.array_equal(np.flatnonzero(faint), np.arange(faint.sum()))
s_faint = (1 - np.sqrt(1 - 2 * 0.1)) / 2  # 2 s (1 - s) = 0.1, the smaller root
assert x_faint <= np.log(s_faint / (1 - s_faint)) < x_faint + (x_grid[1] - x_grid[0])
# No point of the curve lies below the marked peak, and BCE's push only grows with the error.
assert mse_grads.min() >= mse_grad_peak - 1e-12 and np.all(np.diff(bce_grads) > 0)
