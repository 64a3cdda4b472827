"""The logit playground's reference: softmax(z / T), the loss and p - y, computed by PyTorch."""

import json

import torch
import torch.nn.functional as F

Z_MAX = 1000.0  # its number fields accept logits in [-Z_MAX, Z_MAX]
Z_SLIDER = 10.0  # its sliders cover [-Z_SLIDER, Z_SLIDER]


# --8<-- [start:playground]
T_MIN, T_MAX = 0.05, 10.0  # the temperatures the playground accepts


def playground(z, y, T):
    """p = softmax(z / T), L = -log p_y and p - y, in float64 like the page's JavaScript."""
    z = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    u = z / T  # the scaled logits the loss sees
    # cross_entropy subtracts max(u) before exp (log-sum-exp): 1000 does not overflow
    loss = F.cross_entropy(u.unsqueeze(0), torch.tensor([y]))
    loss.backward()
    p = F.softmax(u, dim=0).detach()
    p_minus_y = p - F.one_hot(torch.tensor(y), num_classes=3)
    assert torch.allclose(z.grad * T, p_minus_y)  # autograd: dL/du = T dL/dz = p - y
    assert abs(p_minus_y.sum()) < 1e-12  # the components cancel out
    assert torch.isclose(loss, -F.log_softmax(u, dim=0)[y])  # L = -log p_y
    return p, loss.detach(), p_minus_y


def row(v):
    """A vector at the precision the playground displays: (0.6590, 0.2424, 0.0986)."""
    return "(" + ", ".join(f"{x:.4f}" for x in v.tolist()) + ")"


def show(z, y, T):
    """Print one state of the playground: its inputs, then p, L and p - y."""
    p, loss, p_minus_y = playground(z, y, T)
    print(f"z = ({', '.join(str(x) for x in z)}), y = {y}, T = {T}")
    print(f"p     = {row(p)}")
    print(f"L     = {loss:.4f}")
    print(f"p - y = {row(p_minus_y)}")


z_default, y_default, T_default = [2.0, 1.0, 0.1], 0, 1.0  # the article's example
show(z_default, y_default, T_default)  # the playground's first state
# --8<-- [end:playground]

# --8<-- [start:first_state_figure]
import matplotlib.pyplot as plt

p, loss, p_minus_y = playground(z_default, y_default, T_default)
figure, (left, right) = plt.subplots(1, 2, figsize=(6.4, 2.4))
left.bar(range(3), p.tolist(), color="#3f51b5")
left.set(title="$p_i$", xticks=range(3), xlabel="$i$", ylim=(0, 1))
right.bar(range(3), p_minus_y.tolist(), color=["#c62828" if g < 0 else "#3f51b5" for g in p_minus_y.tolist()])
right.axhline(0, color="#555555", linewidth=0.8)
right.set(title="$p_i - y_i$", xticks=range(3), xlabel="$i$", ylim=(-1, 1))
figure.tight_layout()
# --8<-- [end:first_state_figure]
# The figure shows the playground's first state: the bars are p and p - y.
assert [bar.get_height() for bar in left.patches] == p.tolist()
assert [bar.get_height() for bar in right.patches] == p_minus_y.tolist()

# --8<-- [start:cases]
cases = [
    ([1000.0, -1000.0, 0.0], 2, 1.0),  # exp(1000) overflows even in float64
    ([1000.0, -1000.0, 0.0], 1, T_MIN),  # and divided by T = 0.05: 20000
    ([2.0, 1.0, 0.1], 1, T_MIN),  # a low temperature sharpens p towards one-hot
    ([2.0, 1.0, 0.1], 2, T_MAX),  # a high one flattens it towards uniform
    ([-3.0, -1.5, -4.0], 2, 1.0),  # only negative logits
]
for case in cases:
    show(*case)
    print()
# --8<-- [end:cases]

# The naive softmax of the large case is nan: the playground must not compute it that way.
big = torch.tensor(cases[0][0], dtype=torch.float64)
assert torch.isnan(torch.exp(big) / torch.exp(big).sum()).any()
# A loss of 40000 is exact: p_y underflows to 0 but -log_softmax does not.
_p, _loss, _ = playground(*cases[1])
assert _p[1] == 0 and torch.isclose(_loss, torch.tensor(2000.0 / T_MIN, dtype=torch.float64))
# Low T: nearly one-hot; high T: nearly uniform.
assert playground(*cases[2])[0].max() > 0.999999
assert playground(*cases[3])[0].max() - playground(*cases[3])[0].min() < 0.2
assert all(T_MIN <= _T <= T_MAX for _, _, _T in cases)

# What the page's widget starts from and what it accepts (read from its data-config attribute).
widget_config = json.dumps(
    {"z": z_default, "y": y_default, "T": T_default, "T_min": T_MIN, "T_max": T_MAX, "z_max": Z_MAX, "z_slider": Z_SLIDER},
    separators=(",", ":"),
)
assert len(widget_config) <= 200  # the engine keeps strings up to 200 characters as values
