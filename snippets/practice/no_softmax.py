"""Do not apply softmax before CrossEntropyLoss: what the mistake really does to loss and gradient."""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4)

# --8<-- [start:patterns]
torch.manual_seed(0)
model = nn.Linear(4, 3)  # a tiny stand-in for a classifier: 4 features, 3 classes
x = torch.randn(2, 4)  # a batch of two inputs
target = torch.tensor([0, 2])
criterion = nn.CrossEntropyLoss()

logits = model(x)

# wrong: the loss receives probabilities
probs = F.softmax(logits, dim=1)
loss_wrong = criterion(probs, target)

# right: the loss receives the logits; probabilities only for reading
loss_right = criterion(logits, target)
with torch.no_grad():
    pred = F.softmax(logits, dim=1).argmax(dim=1)

print(f"CE(softmax(z)) = {loss_wrong:.4f}")
print(f"CE(z)          = {loss_right:.4f}")
print(f"argmax p       = {pred.tolist()}")
# --8<-- [end:patterns]

assert not torch.isclose(loss_wrong, loss_right)

# --8<-- [start:twice]
z = torch.tensor([[2.0, 1.0, 0.1]])
y = torch.tensor([0])

p_once = F.softmax(z, dim=1)  # what the wrong code passes to the loss
p_twice = F.softmax(p_once, dim=1)  # what the loss turns it into
print(f"softmax(z)          = {p_once}")
print(f"softmax(softmax(z)) = {p_twice}")

loss_doubled = criterion(p_once, y)
print(f"CE(softmax(z), 0)           = {loss_doubled:.4f}")
print(f"-log softmax(softmax(z))[0] = {-torch.log(p_twice[0, 0]):.4f}")
print(f"CE(z, 0)                    = {criterion(z, y):.4f}")
# --8<-- [end:twice]

p_once_true = p_once[0, 0]
p_twice_true = p_twice[0, 0]
assert torch.isclose(loss_doubled, -torch.log(p_twice_true))
assert torch.isclose(criterion(z, y), -torch.log(p_once[0, 0]))


# --8<-- [start:bounds]
def double_softmax_bounds(C):
    """Range of CE(softmax(z), y) over all logits z, for C classes.

    The loss sees q = softmax(z) as logits: L = -q_y + log sum_j exp(q_j),
    with every q_j in [0, 1] and sum_j q_j = 1.
    """
    floor = -math.log(math.e / (math.e + C - 1))  # q_y = 1, all others 0
    ceiling = math.log(math.e + C - 1)  # q_y = 0, one other class has q = 1
    return floor, ceiling


for C in [2, 3, 10, 1000]:
    lo, hi = double_softmax_bounds(C)
    print(f"C = {C:4d}: {lo:.4f} <= CE(softmax(z)) <= {hi:.4f}    log C = {math.log(C):.4f}")
# --8<-- [end:bounds]

floor_1000, ceiling_1000 = double_softmax_bounds(1000)
for C in [2, 3, 10, 1000]:
    lo, hi = double_softmax_bounds(C)
    assert math.isclose(hi - lo, 1.0)  # the range is exactly one nat wide, for any C
    assert math.isclose(lo, math.log(math.e + C - 1) - 1)

# --8<-- [start:bounds_check]
floor_3, ceiling_3 = double_softmax_bounds(3)
y0 = torch.tensor([0])
z_sure = torch.tensor([[30.0, 0.0, 0.0]], dtype=torch.float64)  # certain and right
z_miss = torch.tensor([[0.0, 30.0, 0.0]], dtype=torch.float64)  # certain and wrong
at_floor = criterion(F.softmax(z_sure, dim=1), y0)
at_ceiling = criterion(F.softmax(z_miss, dim=1), y0)
print(f"CE(softmax([30, 0, 0]), 0) = {at_floor:.4f}")
print(f"CE(softmax([0, 30, 0]), 0) = {at_ceiling:.4f}")
gap_floor, gap_ceiling = at_floor.item() - floor_3, ceiling_3 - at_ceiling.item()
print(f"CE - floor = {gap_floor:.1e}, ceiling - CE = {gap_ceiling:.1e}")
assert 0 < gap_floor < 1e-12 and 0 < gap_ceiling < 1e-12  # approached, not reached

torch.manual_seed(1)
z_many = 10 * torch.randn(100_000, 3, dtype=torch.float64)  # logits of every size and sign
y_many = torch.randint(0, 3, (100_000,))
losses = F.cross_entropy(F.softmax(z_many, dim=1), y_many, reduction="none")
print(f"min = {losses.min():.4f}, max = {losses.max():.4f}")
assert floor_3 - 1e-12 <= losses.min() and losses.max() <= ceiling_3 + 1e-12
# --8<-- [end:bounds_check]

assert math.isclose(at_floor.item(), floor_3, abs_tol=1e-9)
assert math.isclose(at_ceiling.item(), ceiling_3, abs_tol=1e-9)
# In float32 the first softmax saturates: p_0 rounds to exactly 1, so the bound looks reached.
p_sure_f32 = F.softmax(z_sure.float(), dim=1)[0, 0].item()
assert p_sure_f32 == 1.0

# --8<-- [start:window_plot]
q_y = np.linspace(0.0, 1.0, 101)  # the probability softmax(z) gives the true class
q = torch.tensor(np.stack([q_y, 1 - q_y, np.zeros_like(q_y)], axis=1))  # the rest on one wrong class
y_all = torch.zeros(len(q), dtype=torch.long)
loss_twice = F.cross_entropy(q, y_all, reduction="none")  # the wrong code: q taken as logits
loss_once = F.cross_entropy(q[1:].log(), y_all[1:], reduction="none")  # the right code: logits z = log q

plt.figure(figsize=(6, 3.6))
plt.axhspan(floor_3, ceiling_3, color="C1", alpha=0.15, linewidth=0, label=r"$[\log(e + 2) - 1,\ \log(e + 2)]$")
plt.plot(q_y[1:], loss_once, label=r"$\mathrm{CE}(z, y) = -\log q_y$")
plt.plot(q_y, loss_twice, label=r"$\mathrm{CE}(\mathrm{softmax}(z), y)$")
plt.xlabel("$q_y$")
plt.ylabel("$L$")
plt.ylim(0, None)
plt.legend()
# --8<-- [end:window_plot]

# The wrong loss spans the shaded window exactly, one nat, from q_y = 0 to q_y = 1; the right loss spans [0, inf).
assert math.isclose(ceiling_3, math.log(math.e + 2)) and math.isclose(floor_3, math.log(math.e + 2) - 1)
assert torch.all((floor_3 - 1e-12 <= loss_twice) & (loss_twice <= ceiling_3 + 1e-12))
assert math.isclose(loss_twice[0].item(), ceiling_3) and math.isclose(loss_twice[-1].item(), floor_3)
assert torch.allclose(loss_once, -torch.log(q[1:, 0])) and loss_once[-1] == 0.0


# --8<-- [start:gradients]
def loss_and_grad(z, y, softmax_first):
    """Loss and its gradient with respect to the model's logits z."""
    z = torch.tensor([z], requires_grad=True)
    inputs = F.softmax(z, dim=1) if softmax_first else z
    loss = F.cross_entropy(inputs, torch.tensor([y]))
    loss.backward()
    return loss.detach(), z.grad[0]


def show(z, y):
    print(f"z = {z}, y = {y}")
    results = {}
    for name, softmax_first in [("CE(z)         ", False), ("CE(softmax(z))", True)]:
        loss, grad = loss_and_grad(z, y, softmax_first)
        grad_text = ", ".join(f"{g:+.2e}" for g in grad.tolist())
        print(f"  {name} = {loss:7.4f}   dL/dz = [{grad_text}]   |dL/dz| = {grad.norm():.2e}")
        results[softmax_first] = (loss, grad)
    return results


mild = show([2.0, 1.0, 0.1], 0)  # the article's logits
sure = show([10.0, 0.0, 0.0], 0)  # confident and right
miss = show([10.0, 0.0, 0.0], 1)  # confident and wrong
# --8<-- [end:gradients]

loss_right_mild, grad_right_mild = mild[False]
loss_wrong_mild, grad_wrong_mild = mild[True]
loss_right_sure, grad_right_sure = sure[False]
loss_wrong_sure, grad_wrong_sure = sure[True]
loss_right_miss, grad_right_miss = miss[False]
loss_wrong_miss, grad_wrong_miss = miss[True]
grad_norm_right_mild = grad_right_mild.norm()
grad_norm_wrong_mild = grad_wrong_mild.norm()
grad_norm_right_miss = grad_right_miss.norm()
grad_norm_wrong_miss = grad_wrong_miss.norm()
grad_ratio_mild = grad_norm_right_mild / grad_norm_wrong_mild
grad_ratio_miss = grad_norm_right_miss / grad_norm_wrong_miss

# The right gradient is p - y (see the gradient chapter); the wrong one is always smaller here.
for z_list, y_index, (loss, grad) in [([2.0, 1.0, 0.1], 0, mild[False]),
                                      ([10.0, 0.0, 0.0], 0, sure[False]),
                                      ([10.0, 0.0, 0.0], 1, miss[False])]:
    p = F.softmax(torch.tensor(z_list), dim=0)
    assert torch.allclose(grad, p - F.one_hot(torch.tensor(y_index), 3).float(), atol=1e-6)
for results in (mild, sure, miss):
    assert results[True][1].norm() < results[False][1].norm()
    assert floor_3 - 1e-6 <= results[True][0] <= ceiling_3 + 1e-6
assert loss_right_miss > 10 and loss_wrong_miss < ceiling_3 + 1e-6
assert grad_ratio_miss > 1000

# --8<-- [start:log_of_softmax]
z = torch.tensor([[0.0, 200.0, 0.0]], requires_grad=True)  # very confident, wrong for target 0
y = torch.tensor([0])

p = F.softmax(z, dim=1)
naive = F.nll_loss(torch.log(p), y)  # log of a probability that underflowed to 0
naive.backward()
print(f"softmax(z)             = {p.detach()}")
print(f"NLL(log(softmax(z)))   = {naive.item()}   dL/dz = {z.grad}")

z.grad = None
stable = F.cross_entropy(z, y)  # log-softmax inside: log-sum-exp, no underflow
stable.backward()
print(f"CE(z)                  = {stable.item():.4f}   dL/dz = {z.grad}")
# --8<-- [end:log_of_softmax]

assert torch.isinf(naive) and torch.isclose(stable, torch.tensor(200.0))
