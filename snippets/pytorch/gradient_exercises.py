"""Exercises on the gradient p - y: soft targets, a linear layer, one step of gradient descent."""

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)

# --8<-- [start:soft_target]
z = torch.tensor([2.0, 1.0, 0.1], dtype=torch.float64, requires_grad=True)
q = torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64)  # any target distribution

F.cross_entropy(z[None], q[None]).backward()
p = torch.softmax(z.detach(), dim=0)
print(f"autograd = {z.grad}")
print(f"p - q    = {p - q}")
# --8<-- [end:soft_target]

assert torch.allclose(z.grad, p - q)
grad_soft_0 = z.grad[0].item()

# --8<-- [start:linear_layer]
torch.manual_seed(0)
X = torch.randn(5, 4, dtype=torch.float64)  # 5 samples, 4 features
Y = torch.tensor([0, 2, 1, 2, 0])  # 3 classes
W = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
b = torch.zeros(3, dtype=torch.float64, requires_grad=True)

F.cross_entropy(X @ W.T + b, Y).backward()  # reduction="mean"
P = torch.softmax(X @ W.detach().T + b.detach(), dim=1)
G = (P - F.one_hot(Y, 3)) / len(Y)  # dL/dz, one row per sample
print(f"dL/dW == G^T X: {torch.allclose(W.grad, G.T @ X)}")
print(f"dL/db == sum of G's rows: {torch.allclose(b.grad, G.sum(dim=0))}")
# --8<-- [end:linear_layer]

assert torch.allclose(W.grad, G.T @ X) and torch.allclose(b.grad, G.sum(dim=0))

# --8<-- [start:one_step]
eta = 0.1
z0 = torch.tensor([2.0, 1.0, 0.1], dtype=torch.float64)
y = torch.tensor([0])


def loss_at(z):
    """The worked example's loss at logits z."""
    return F.cross_entropy(z[None], y).item()


g = torch.softmax(z0, dim=0) - F.one_hot(y[0], 3)  # p - y
loss_before = loss_at(z0)
loss_predicted = loss_before - eta * (g @ g).item()  # first order: L(z - eta g) = L - eta |g|^2
loss_after = loss_at(z0 - eta * g)
print(f"before    = {loss_before:.4f}")
print(f"predicted = {loss_predicted:.4f}")
print(f"after     = {loss_after:.4f}")
# --8<-- [end:one_step]

gap = loss_after - loss_predicted
# The loss is convex (the first-order prediction is a lower bound) and its Hessian's largest
# eigenvalue is at most 1/2, so the gap is at most eta^2 |g|^2 / 4.
assert 0 < gap <= eta**2 * (g @ g).item() / 4
