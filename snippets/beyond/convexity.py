"""The shape of the loss: cross-entropy is convex in the logits, sigmoid + MSE is not, log-sum-exp, sigmoid as a two-class softmax."""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)
torch.set_num_threads(1)  # one thread: the same sums in the same order on every run

# --8<-- [start:hessian]
z = torch.tensor([2.0, 1.0, 0.1, -1.0], dtype=torch.float64)
y = torch.tensor(0)

p = F.softmax(z, dim=0)
H_formula = torch.diag(p) - torch.outer(p, p)
H_autograd = torch.autograd.functional.hessian(lambda logits: F.cross_entropy(logits, y), z)
eigenvalues = torch.linalg.eigvalsh(H_formula)

print(f"p = {p}")
print(f"diag(p) - p p^T =\n{H_formula}")
print(f"H_formula == H_autograd (to 1e-14): {torch.allclose(H_formula, H_autograd, atol=1e-14)}")
print(f"eigenvalues = {[round(e, 4) + 0.0 for e in eigenvalues.tolist()]}")  # + 0.0 prints -0.0 as 0.0
# --8<-- [end:hessian]

assert torch.allclose(H_formula, H_autograd, atol=1e-14)
assert (eigenvalues >= -1e-15).all()  # positive semidefinite: convex
assert abs(eigenvalues[0]) < 1e-15 and (eigenvalues[1:] > 1e-3).all()
ones = torch.ones(4, dtype=torch.float64)
assert torch.allclose(H_formula @ ones, torch.zeros(4, dtype=torch.float64), atol=1e-15)  # flat along z + c 1
for other in range(4):  # the Hessian does not depend on the target
    H_other = torch.autograd.functional.hessian(lambda logits: F.cross_entropy(logits, torch.tensor(other)), z)
    assert torch.allclose(H_other, H_formula, atol=1e-14)
hessian_error = (H_formula - H_autograd).abs().max().item()

# --8<-- [start:chords]
torch.manual_seed(0)
a, b = 4 * torch.randn(100_000, 4, dtype=torch.float64), 4 * torch.randn(100_000, 4, dtype=torch.float64)
lam = torch.rand(100_000, 1, dtype=torch.float64)
target = torch.randint(4, (100_000,))


def ce(logits):
    return F.cross_entropy(logits, target, reduction="none")


def sigmoid_mse(logit):
    """(sigmoid(z) - 1)^2: one logit, target 1."""
    return (torch.sigmoid(logit) - 1) ** 2


ce_violations = (ce(lam * a + (1 - lam) * b) > lam[:, 0] * ce(a) + (1 - lam[:, 0]) * ce(b) + 1e-12).sum().item()
s, t = a[:, 0], b[:, 0]
mse_violations = (sigmoid_mse(lam[:, 0] * s + (1 - lam[:, 0]) * t)
                  > lam[:, 0] * sigmoid_mse(s) + (1 - lam[:, 0]) * sigmoid_mse(t) + 1e-12).sum().item()
print(f"chords below the curve, cross-entropy:   {ce_violations} of 100000")
print(f"chords below the curve, sigmoid + MSE:   {mse_violations} of 100000")
# --8<-- [end:chords]

assert ce_violations == 0 and mse_violations > 1000
n_chords = len(lam)

# --8<-- [start:nonconvex_plot]
zs = torch.linspace(-8, 6, 281, dtype=torch.float64)
mse_curve = sigmoid_mse(zs)
bce_curve = F.softplus(-zs)  # -log sigmoid(z): BCE with target 1
z_a, z_b = -7.0, 0.0
chord = lambda v, f: f(torch.tensor(z_a)) + (v - z_a) / (z_b - z_a) * (f(torch.tensor(z_b)) - f(torch.tensor(z_a)))
z_inflection = -math.log(2)

fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(zs, mse_curve, label=r"$(\sigma(z) - 1)^2$")
ax.plot(zs, bce_curve, label=r"$-\log \sigma(z)$")
between = (zs >= z_a) & (zs <= z_b)
ax.plot(zs[between], chord(zs[between], sigmoid_mse), ":", color="C0")
ax.plot([z_a, z_b], [sigmoid_mse(torch.tensor(z_a)), sigmoid_mse(torch.tensor(z_b))], "o", color="C0")
ax.axvline(z_inflection, color="gray", linewidth=0.8, linestyle="--")
ax.annotate(r"$z = -\log 2$", (z_inflection, 1.6), xytext=(4, 0), textcoords="offset points")
ax.set_xlabel("$z$,  $y = 1$")
ax.set_ylabel("$L$")
ax.set_ylim(0, 2)
ax.legend()
# --8<-- [end:nonconvex_plot]

# What the figure shows: the MSE curve lies above its dotted chord (not convex); BCE lies below each of its chords.
assert (mse_curve[between][1:-1] > chord(zs[between], sigmoid_mse)[1:-1]).all()
assert (bce_curve[between][1:-1] < chord(zs[between], lambda v: F.softplus(-v))[1:-1]).all()
second = torch.diff(mse_curve, n=2)
assert (second[zs[1:-1] < z_inflection - 0.1] < 0).all() and (second[zs[1:-1] > z_inflection + 0.1] > 0).all()
assert (torch.diff(bce_curve, n=2) > 0).all()

# --8<-- [start:lse]
v = torch.tensor([2.0, 1.0, 0.1], dtype=torch.float64)
print(f"max(z) = {v.max():.4f}   LSE(z) = {torch.logsumexp(v, 0):.4f}   max(z) + log 3 = {v.max() + math.log(3):.4f}")
for tau in [1.0, 0.5, 0.1, 0.01]:
    print(f"tau = {tau:4.2f}: tau * LSE(z / tau) = {tau * torch.logsumexp(v / tau, 0):.4f}")
w = v.clone().requires_grad_()
torch.logsumexp(w, 0).backward()
print(f"grad LSE(z) = {w.grad}   softmax(z) = {F.softmax(v, 0)}")
# --8<-- [end:lse]

assert v.max() <= torch.logsumexp(v, 0) <= v.max() + math.log(3)
smooth_max = [tau * torch.logsumexp(v / tau, 0).item() for tau in (1.0, 0.5, 0.1, 0.01)]
assert all(a > b for a, b in zip(smooth_max, smooth_max[1:]))  # falls towards the max as tau shrinks
assert 0 <= smooth_max[-1] - v.max().item() <= 0.01 * math.log(3)
assert torch.allclose(w.grad, F.softmax(v, 0))
lse_value = torch.logsumexp(v, 0).item()

# --8<-- [start:two_class]
torch.manual_seed(1)
s = torch.randn(5, dtype=torch.float64, requires_grad=True)  # one logit per example
labels = torch.tensor([1, 0, 1, 1, 0])

bce = F.binary_cross_entropy_with_logits(s, labels.double())
(grad_bce,) = torch.autograd.grad(bce, s)

pair = torch.stack([torch.zeros_like(s), s], dim=1)  # logits [0, s]: class 1 has logit s
ce2 = F.cross_entropy(pair, labels)
(grad_ce,) = torch.autograd.grad(ce2, s)

print(f"sigmoid(s)            = {torch.sigmoid(s).detach()}")
print(f"softmax([0, s])[1]    = {F.softmax(pair, dim=1)[:, 1].detach()}")
print(f"BCE = {bce:.6f}   CE over [0, s] = {ce2:.6f}")
print(f"dBCE/ds = {grad_bce}")
print(f"dCE/ds  = {grad_ce}")
# --8<-- [end:two_class]

assert torch.allclose(torch.sigmoid(s), F.softmax(pair, dim=1)[:, 1])
assert torch.isclose(bce, ce2, rtol=1e-12)
assert torch.allclose(grad_bce, grad_ce, rtol=1e-12)
# Only the difference of two logits matters: CE over [a, b] is BCE of b - a.
a2, b2 = torch.randn(5, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
assert torch.isclose(F.cross_entropy(torch.stack([a2, b2], 1), labels),
                     F.binary_cross_entropy_with_logits(b2 - a2, labels.double()), rtol=1e-12)
bce_value = bce.item()

# --8<-- [start:exercise_uniform]
C = 5
p0 = F.softmax(torch.zeros(C, dtype=torch.float64), dim=0)
H0 = torch.diag(p0) - torch.outer(p0, p0)
print(f"eigenvalues at z = 0, C = {C}: {[round(e, 4) + 0.0 for e in torch.linalg.eigvalsh(H0).tolist()]}")
# --8<-- [end:exercise_uniform]

eig0 = torch.linalg.eigvalsh(H0)
assert abs(eig0[0]) < 1e-15 and torch.allclose(eig0[1:], torch.full((C - 1,), 1 / C, dtype=torch.float64))
eig_uniform = 1 / C

# --8<-- [start:exercise_inflection]
def second_derivative(v):
    x = torch.tensor(v, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(sigmoid_mse(x), x, create_graph=True)
    (h,) = torch.autograd.grad(g, x)
    return h.item()


lo, hi = -3.0, 2.0  # concave at lo, convex at hi
for _ in range(60):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if second_derivative(mid) < 0 else (lo, mid)
print(f"L''(z) = 0 at z = {lo:.6f};  -log 2 = {-math.log(2):.6f};  sigmoid there = {torch.sigmoid(torch.tensor(lo)):.6f}")
# --8<-- [end:exercise_inflection]

assert abs(lo - (-math.log(2))) < 1e-9
z_star = lo

# --8<-- [start:exercise_mlp]
torch.manual_seed(2)
x, labels3 = torch.randn(200, 2), torch.randint(3, (200,))
W1, W2 = torch.randn(8, 2, requires_grad=True), torch.randn(3, 8, requires_grad=True)


def mlp_loss(W1, W2):
    return F.cross_entropy(torch.tanh(x @ W1.T) @ W2.T, labels3)


for _ in range(200):  # train it by gradient descent: theta is a good point, not a random one
    W1.grad = W2.grad = None
    mlp_loss(W1, W2).backward()
    with torch.no_grad():
        W1 -= 0.5 * W1.grad
        W2 -= 0.5 * W2.grad
W1, W2 = W1.detach(), W2.detach()


swap = torch.arange(8)
swap[[0, 1]] = swap[[1, 0]]  # exchange hidden units 0 and 1
W1s, W2s = W1[swap], W2[:, swap]
print(f"L(theta) = {mlp_loss(W1, W2):.4f}   L(theta swapped) = {mlp_loss(W1s, W2s):.4f}   "
      f"L(midpoint) = {mlp_loss((W1 + W1s) / 2, (W2 + W2s) / 2):.4f}")
# --8<-- [end:exercise_mlp]

L_theta = mlp_loss(W1, W2).item()
L_mid = mlp_loss((W1 + W1s) / 2, (W2 + W2s) / 2).item()
assert math.isclose(L_theta, mlp_loss(W1s, W2s).item(), rel_tol=1e-6)
assert L_mid > L_theta  # the midpoint of two equally good weights is worse: not convex in the weights
