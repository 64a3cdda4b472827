"""Summary: entropy, cross-entropy, KL divergence and focal loss on one shared example."""

import numpy as np
import torch
import torch.nn.functional as F

np.set_printoptions(precision=4, suppress=True)
torch.set_printoptions(precision=4)


def entropy(p):
    """H(P) = -sum p_i log p_i, with 0 log 0 = 0."""
    s = p > 0
    return -np.sum(p[s] * np.log(p[s])) + 0.0


def cross_entropy(p, q):
    """H(P, Q) = -sum p_i log q_i, over the outcomes with p_i > 0."""
    s = p > 0
    return -np.sum(p[s] * np.log(q[s])) + 0.0


def kl_divergence(p, q):
    """KL(P || Q) = sum p_i log(p_i / q_i), over the outcomes with p_i > 0."""
    s = p > 0
    return np.sum(p[s] * np.log(p[s] / q[s])) + 0.0


# --8<-- [start:information]
P = np.array([0.7, 0.2, 0.1])  # the true distribution
Q = np.array([0.5, 0.3, 0.2])  # the predicted distribution

# every entry is positive here, so no 0 log 0 term needs special care
H_P = -np.sum(P * np.log(P))  # entropy
H_PQ = -np.sum(P * np.log(Q))  # cross-entropy
KL_PQ = np.sum(P * np.log(P / Q))  # KL divergence
KL_QP = np.sum(Q * np.log(Q / P))  # the same, arguments swapped

print(f"H(P)              = {H_P:.4f}")
print(f"H(P, Q)           = {H_PQ:.4f}")
print(f"KL(P || Q)        = {KL_PQ:.4f}")
print(f"H(P) + KL(P || Q) = {H_P + KL_PQ:.4f}")
print(f"KL(Q || P)        = {KL_QP:.4f}")

assert np.isclose(H_PQ, H_P + KL_PQ)  # cross-entropy = entropy + KL divergence
assert not np.isclose(KL_PQ, KL_QP)  # KL is not symmetric
# --8<-- [end:information]

assert KL_PQ > 0 and H_PQ > H_P  # Gibbs' inequality: no code beats P's own
# the helper functions (which also handle zeros) agree with the formulas above
assert np.isclose(entropy(P), H_P) and np.isclose(cross_entropy(P, Q), H_PQ)
assert np.isclose(kl_divergence(P, Q), KL_PQ) and np.isclose(kl_divergence(Q, P), KL_QP)
assert kl_divergence(P, P) == 0.0 and np.isclose(cross_entropy(P, P), H_P)

# --8<-- [start:pytorch]
P_t, Q_t = torch.tensor(P), torch.tensor(Q)  # float64

# softmax(log Q) = Q, so log Q can stand in for logits; with probability targets
# F.cross_entropy computes -sum p_i log softmax(z)_i = H(P, Q)
ce_torch = F.cross_entropy(Q_t.log()[None], P_t[None])
# F.kl_div(input, target): input = log Q, target = P, returns KL(P || Q)
kl_torch = F.kl_div(Q_t.log(), P_t, reduction="sum")

print(f"F.cross_entropy(log Q, P)  = {ce_torch:.4f}")
print(f"F.kl_div(log Q, P, 'sum')  = {kl_torch:.4f}")

assert np.isclose(ce_torch.item(), H_PQ) and np.isclose(kl_torch.item(), KL_PQ)
# --8<-- [end:pytorch]


# --8<-- [start:focal]
def focal_loss(z, y, gamma):
    """FL = -(1 - p_t)^gamma log p_t, averaged over the batch; log p_t from a stable log-softmax."""
    log_p_t = F.log_softmax(z, dim=1)[torch.arange(len(y)), y]
    return (-((1 - log_p_t.exp()) ** gamma) * log_p_t).mean()


z = torch.tensor([[2.0, 1.0, 0.1]])  # logits of one sample
y = torch.tensor([0])  # its true class

p_t = F.softmax(z, dim=1)[0, y[0]]  # probability of the true class
ce = F.cross_entropy(z, y)  # -log p_t
fl_2 = focal_loss(z, y, gamma=2.0)
fl_0 = focal_loss(z, y, gamma=0.0)

print(f"p_t             = {p_t:.4f}")
print(f"CE = -log p_t   = {ce:.4f}")
print(f"FL(gamma = 2)   = {fl_2:.4f}")
print(f"(1 - p_t)^2 CE  = {(1 - p_t) ** 2 * ce:.4f}")
print(f"FL(gamma = 0)   = {fl_0:.4f}")

assert torch.isclose(fl_0, ce)  # gamma = 0: focal loss is cross-entropy
assert torch.isclose(fl_2, (1 - p_t) ** 2 * ce)
# --8<-- [end:focal]

focal_factor = (1 - p_t) ** 2
# The classification loss is the cross-entropy H(onehot(y), softmax(z)); with a one-hot
# target H(onehot(y)) = 0, so it is also the KL divergence.
y_onehot = np.eye(3)[y[0]]
p_np = F.softmax(z.double(), dim=1)[0].numpy()
assert np.isclose(ce.item(), cross_entropy(y_onehot, p_np))
assert np.isclose(ce.item(), kl_divergence(y_onehot, p_np)) and entropy(y_onehot) == 0.0
assert torch.isclose(ce, -torch.log(p_t))
assert fl_2 < ce
