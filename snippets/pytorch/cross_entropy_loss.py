"""Inside nn.CrossEntropyLoss: four equal computations, overflow, underflow, a stable NumPy version."""

import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4)
np.set_printoptions(precision=4, suppress=True)

# --8<-- [start:four_ways]
logits = torch.tensor([[2.0, 1.0, 0.1]])  # one sample, three classes
target = torch.tensor([0])  # the true class index
y = target[0]

# 1. The library loss, fed raw logits
loss_ce = nn.CrossEntropyLoss()(logits, target)

# 2. log-softmax, then the negative log-likelihood loss
loss_nll = nn.NLLLoss()(F.log_softmax(logits, dim=1), target)

# 3. The definition: minus the log of the softmax probability of the true class
loss_softmax = -torch.log(F.softmax(logits, dim=1)[0, y])

# 4. The simplified form: -z_y + log sum_j exp(z_j)
loss_lse = -logits[0, y] + torch.logsumexp(logits[0], dim=0)

print(f"CrossEntropyLoss       = {loss_ce:.4f}")
print(f"NLLLoss(log_softmax)   = {loss_nll:.4f}")
print(f"-log softmax(z)_y      = {loss_softmax:.4f}")
print(f"-z_y + logsumexp(z)    = {loss_lse:.4f}")

for other in (loss_nll, loss_softmax, loss_lse):
    assert torch.allclose(loss_ce, other)
# --8<-- [end:four_ways]

p_true = F.softmax(logits, dim=1)[0, y]
assert torch.isclose(loss_ce, -torch.log(p_true))

# --8<-- [start:nll_alone]
nll_of_logits = nn.NLLLoss()(logits, target)  # no log-softmax first: a mistake
print(f"NLLLoss(z) = {nll_of_logits:.4f}")
print(f"-z_y       = {-logits[0, y]:.4f}")
# --8<-- [end:nll_alone]

# NLLLoss only picks the target entry and negates it.
assert torch.equal(nll_of_logits, -logits[0, y])

# --8<-- [start:shift_invariance]
shifted = logits + 100.0  # add the same constant to every logit
print(f"softmax(z)       = {F.softmax(logits, dim=1)}")
print(f"softmax(z + 100) = {F.softmax(shifted, dim=1)}")
print(f"loss(z + 100)    = {F.cross_entropy(shifted, target):.4f}")
# --8<-- [end:shift_invariance]

assert torch.allclose(F.softmax(shifted, dim=1), F.softmax(logits, dim=1))
assert torch.allclose(F.cross_entropy(shifted, target), loss_ce)

# --8<-- [start:float32_limit]
print(f"log(float32 max) = {np.log(np.finfo(np.float32).max):.4f}")
print(f"exp([88, 89])    = {torch.exp(torch.tensor([88.0, 89.0]))}")
# --8<-- [end:float32_limit]

f32_max = np.finfo(np.float32).max
exp_limit_f32 = np.log(f32_max)
exp_limit_f64 = np.log(np.finfo(np.float64).max)

# --8<-- [start:overflow_torch]
big = torch.tensor([[1000.0, 999.0, 998.0]])
big_target = torch.tensor([0])

exp_big = torch.exp(big)
softmax_naive = exp_big / exp_big.sum()
loss_naive_softmax = -torch.log(softmax_naive[0, 0])
loss_naive_lse = -big[0, 0] + torch.log(exp_big.sum())

print(f"exp(z)                   = {exp_big}")
print(f"exp(z) / sum exp(z)      = {softmax_naive}")
print(f"-log softmax(z)_y        = {loss_naive_softmax}")
print(f"-z_y + log sum exp(z)    = {loss_naive_lse}")
# --8<-- [end:overflow_torch]

assert torch.isinf(exp_big).all() and torch.isnan(softmax_naive).all()
assert torch.isnan(loss_naive_softmax) and torch.isinf(loss_naive_lse)

# --8<-- [start:overflow_numpy]
big_np = np.array([1000.0, 999.0, 998.0])

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    exp_big_np = np.exp(big_np)
    softmax_naive_np = exp_big_np / exp_big_np.sum()

print(f"exp(z)              = {exp_big_np}")
print(f"exp(z) / sum exp(z) = {softmax_naive_np}")
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
# --8<-- [end:overflow_numpy]

assert np.isinf(exp_big_np).all() and np.isnan(softmax_naive_np).all()
assert len(caught) == 2


# --8<-- [start:stable]
def cross_entropy_stable(z, y):
    """-z_y + log sum_j exp(z_j), written as -(z_y - m) + log sum_j exp(z_j - m), m = max_j z_j."""
    m = z.max()
    return -(z[y] - m) + torch.log(torch.exp(z - m).sum())


loss_big_manual = cross_entropy_stable(big[0], 0)
loss_big_logsumexp = -big[0, 0] + torch.logsumexp(big[0], dim=0)
loss_big_log_softmax = -F.log_softmax(big, dim=1)[0, 0]
loss_big = F.cross_entropy(big, big_target)

print(f"exp(z - m)                      = {torch.exp(big - big.max())}")
print(f"-(z_y - m) + log sum exp(z - m) = {loss_big_manual:.4f}")
print(f"-z_y + torch.logsumexp(z)       = {loss_big_logsumexp:.4f}")
print(f"-log_softmax(z)_y               = {loss_big_log_softmax:.4f}")
print(f"F.cross_entropy(z, y)           = {loss_big:.4f}")
# --8<-- [end:stable]

assert torch.allclose(loss_big, loss_big_manual)
assert torch.allclose(loss_big, loss_big_log_softmax)
# -z_y + logsumexp(z) subtracts two numbers near 1000, where float32 values are
# 2**-14 (about 6e-5) apart, so it only agrees to that resolution.
float32_spacing_1000 = np.spacing(np.float32(1000.0))
assert torch.allclose(loss_big, loss_big_logsumexp, rtol=0, atol=float(float32_spacing_1000))
# [1000, 999, 998] is [2, 1, 0] shifted by 998: the same loss.
loss_small_equivalent = F.cross_entropy(torch.tensor([[2.0, 1.0, 0.0]]), big_target)
assert torch.allclose(loss_big, loss_small_equivalent)

# --8<-- [start:underflow]
scaled = torch.tensor([[200.0, 100.0, 10.0]])  # 100 times the logits: a very confident model
assert torch.equal(scaled, 100 * logits)
rare_target = torch.tensor([2])  # the true class is the one it rules out

probs = F.softmax(scaled, dim=1)
log_of_softmax = torch.log(probs)
log_softmax = F.log_softmax(scaled, dim=1)
loss_rare_naive = -log_of_softmax[0, 2]
loss_rare = F.cross_entropy(scaled, rare_target)

print(f"softmax(z)            = {probs}")
print(f"log(softmax(z))       = {log_of_softmax}")
print(f"log_softmax(z)        = {log_softmax}")
print(f"-log(softmax(z)_y)    = {loss_rare_naive}")
print(f"F.cross_entropy(z, y) = {loss_rare:.4f}")
# --8<-- [end:underflow]

log_p1_via_softmax = log_of_softmax[0, 1]
log_p1_exact = log_softmax[0, 1]
p_rare_exact = np.exp(-190.0)  # float64 can still hold the true probability
smallest_f32 = np.finfo(np.float32).smallest_subnormal
assert probs[0, 2] == 0 and torch.isinf(loss_rare_naive)
assert torch.isfinite(log_softmax).all()
assert torch.allclose(log_softmax, scaled - scaled.max())  # the other exps vanish next to 1
assert torch.isclose(loss_rare, torch.tensor(190.0))
assert np.isclose(-np.log(p_rare_exact), loss_rare.item())
assert 0 < p_rare_exact < smallest_f32
assert not torch.isclose(log_p1_via_softmax, log_p1_exact, rtol=1e-5, atol=1e-5)

# --8<-- [start:underflow_grad]
z_naive = scaled.clone().requires_grad_()
(-torch.log(F.softmax(z_naive, dim=1))[0, 2]).backward()

z_stable = scaled.clone().requires_grad_()
F.cross_entropy(z_stable, rare_target).backward()

print(f"dL/dz, L = -log(softmax(z)_y)    = {z_naive.grad}")
print(f"dL/dz, L = F.cross_entropy(z, y) = {z_stable.grad}")
# --8<-- [end:underflow_grad]

assert torch.isnan(z_naive.grad).all()
assert torch.allclose(z_stable.grad, probs - F.one_hot(rare_target, 3))  # softmax minus one-hot

# --8<-- [start:batch]
batch_logits = [
    [2.0, 1.0, 0.1],
    [0.5, 2.5, -1.0],
    [1000.0, 999.0, 998.0],  # large logits: the naive form overflows
    [-3.0, 0.0, 3.0],  # confidently wrong
]
batch_targets = [0, 1, 2, 0]
# --8<-- [end:batch]


# --8<-- [start:scratch_torch]
def cross_entropy_torch(logits, targets):
    """Mean cross-entropy of integer targets under logits of shape (N, C), computed stably."""
    m = logits.max(dim=1, keepdim=True).values
    log_probs = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return -log_probs[torch.arange(len(targets)), targets].mean()  # each row's target entry


z, t = torch.tensor(batch_logits), torch.tensor(batch_targets)
loss_scratch_torch = cross_entropy_torch(z, t)
loss_library = nn.CrossEntropyLoss()(z, t)

print(f"cross_entropy_torch(z, t) = {loss_scratch_torch:.4f}")
print(f"CrossEntropyLoss()(z, t)  = {loss_library:.4f}")
# --8<-- [end:scratch_torch]


# --8<-- [start:scratch_numpy]
def cross_entropy_np(logits, targets):
    """Mean cross-entropy of integer targets under logits of shape (N, C), computed stably."""
    m = logits.max(axis=1, keepdims=True)
    log_probs = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(targets)), targets].mean()  # each row's target entry


z_np, t_np = np.array(batch_logits), np.array(batch_targets)
loss_scratch_np = cross_entropy_np(z_np, t_np)
print(f"cross_entropy_np(z, t) = {loss_scratch_np:.4f}")
# --8<-- [end:scratch_numpy]

assert torch.allclose(loss_scratch_torch, loss_library)
assert np.allclose(loss_scratch_np, loss_library.item())
assert np.isfinite(loss_scratch_np)
