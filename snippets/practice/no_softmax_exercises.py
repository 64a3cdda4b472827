"""Exercises on softmax before the loss: classes from a plateau, the doubled gradient, log_softmax is harmless."""

import math

import torch
import torch.nn.functional as F

torch.set_printoptions(precision=4)

# --8<-- [start:plateau]
plateau = math.log(1 + 9 / math.e)  # the floor a colleague's loss curve never goes below

# The floor is log(1 + (C - 1) / e); solve for C.
n_classes = 1 + math.e * (math.exp(plateau) - 1)
print(f"C = 1 + e (e^floor - 1) = {n_classes:.4f}")
perfect = torch.tensor([[1.0] + [0.0] * 9])  # a perfect "probability" vector, fed as logits
print(f"loss of a perfect prediction = {F.cross_entropy(perfect, torch.tensor([0])):.4f}")
# --8<-- [end:plateau]

C_found = round(n_classes)
assert C_found == 10 and math.isclose(F.cross_entropy(perfect, torch.tensor([0])).item(), plateau, rel_tol=1e-6)

# --8<-- [start:doubled_gradient]
z = torch.tensor([2.0, 1.0, 0.1], dtype=torch.float64, requires_grad=True)
y = F.one_hot(torch.tensor(0), 3).double()

F.cross_entropy(torch.softmax(z, dim=0)[None], torch.tensor([0])).backward()
p = torch.softmax(z.detach(), dim=0)
J = torch.diag(p) - torch.outer(p, p)  # the first softmax's Jacobian (symmetric)
derived = J @ (torch.softmax(p, dim=0) - y)  # chain rule: J^T (softmax(p) - y)
print(f"autograd = {z.grad}")
print(f"derived  = {derived}")
print(f"p - y    = {p - y}")
# --8<-- [end:doubled_gradient]

assert torch.allclose(z.grad, derived)
derived_0, right_0 = derived[0].item(), (p - y)[0].item()
assert abs(right_0) > abs(derived_0)

# --8<-- [start:log_softmax_first]
torch.manual_seed(0)
logits = 3 * torch.randn(6, 5)
targets = torch.randint(0, 5, (6,))

loss_logits = F.cross_entropy(logits, targets)
loss_log_softmax = F.cross_entropy(F.log_softmax(logits, dim=1), targets)
shift = (logits - F.log_softmax(logits, dim=1)).std(dim=1).max()  # log_softmax(z) = z - LSE(z)
print(f"CE(z)              = {loss_logits:.4f}")
print(f"CE(log_softmax(z)) = {loss_log_softmax:.4f}")
print(f"z - log_softmax(z) is constant along each row: {bool(shift < 1e-5)}")
# --8<-- [end:log_softmax_first]

assert torch.isclose(loss_logits, loss_log_softmax)
