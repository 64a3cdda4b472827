"""Why classification uses cross-entropy: CE vs MSE on logits and on probabilities, gradients,
maximum likelihood, numerical stability."""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_printoptions(precision=4, sci_mode=False)

# --8<-- [start:cases]
target = torch.tensor([0])  # the true class is 0
target_onehot = torch.tensor([[1.0, 0.0, 0.0]])

cases = {
    "z_correct": torch.tensor([[5.0, 1.0, 0.5]]),
    "z_close": torch.tensor([[2.0, 1.8, 0.5]]),
    "z_wrong": torch.tensor([[0.5, 1.0, 5.0]]),
}
for name, logits in cases.items():
    print(f"softmax({name + ')':10} = {torch.softmax(logits, dim=1)[0]}")
# --8<-- [end:cases]

# The correct and the wrong cases mirror each other: z_wrong is z_correct reversed.
assert torch.allclose(torch.softmax(cases["z_correct"], 1), torch.softmax(cases["z_wrong"], 1).flip(1))

# --8<-- [start:ce_and_mse_on_logits]
ce_loss = nn.CrossEntropyLoss()
mse_loss = nn.MSELoss()

for name, logits in cases.items():
    ce = ce_loss(logits, target)
    mse = mse_loss(logits, target_onehot)  # raw logits against the one-hot target
    print(f"CE({name + ', y)':13} = {ce:.4f}   MSE({name + ', y)':13} = {mse:.4f}")
# --8<-- [end:ce_and_mse_on_logits]

ce_correct, ce_close, ce_wrong = (ce_loss(z, target) for z in cases.values())
mse_logits_correct, mse_logits_close, mse_logits_wrong = (mse_loss(z, target_onehot) for z in cases.values())

# CE is -log of the probability given to the true class; MSE on logits is a plain mean of squares.
for z, ce, mse in zip(cases.values(), (ce_correct, ce_close, ce_wrong),
                      (mse_logits_correct, mse_logits_close, mse_logits_wrong)):
    assert torch.isclose(ce, -torch.log_softmax(z, dim=1)[0, 0])
    assert torch.isclose(mse, ((z - target_onehot) ** 2).mean())
assert ce_correct < ce_close < ce_wrong
assert mse_logits_correct > mse_logits_close  # MSE on logits ranks the correct case worse
# The article's printed figures, none of which survives execution:
article_figures = [0.0181, 0.5619, 4.5181, 4.4167, 2.3467, 6.7567]
computed = [ce_correct, ce_close, ce_wrong, mse_logits_correct, mse_logits_close, mse_logits_wrong]
assert all(abs(a - c.item()) > 1e-3 for a, c in zip(article_figures, computed))
# The exact values: (16 + 1 + 0.25) / 3, (1 + 3.24 + 0.25) / 3, (0.25 + 1 + 25) / 3
assert math.isclose(mse_logits_correct.item(), 5.75, rel_tol=1e-6)
assert math.isclose(mse_logits_close.item(), 4.49 / 3, rel_tol=1e-6)
assert math.isclose(mse_logits_wrong.item(), 8.75, rel_tol=1e-6)

# --8<-- [start:shift]
z = cases["z_correct"]
z_shifted = z + 10.0  # add the same constant to every logit
print(f"softmax(z + 10) = {torch.softmax(z_shifted, dim=1)[0]}")
print(f"CE(z + 10, y)   = {ce_loss(z_shifted, target):.4f}")
print(f"MSE(z + 10, y)  = {mse_loss(z_shifted, target_onehot):.4f}")
# --8<-- [end:shift]

mse_logits_shifted = mse_loss(z_shifted, target_onehot)
assert torch.allclose(torch.softmax(z_shifted, dim=1), torch.softmax(z, dim=1))
assert torch.isclose(ce_loss(z_shifted, target), ce_correct, atol=1e-5)
assert mse_logits_shifted > 10 * mse_logits_correct

# --8<-- [start:mse_on_probabilities]
for name, logits in cases.items():
    probs = torch.softmax(logits, dim=1)
    ce = ce_loss(logits, target)
    mse = mse_loss(probs, target_onehot)  # probabilities against the one-hot target
    print(f"CE({name + ', y)':13} = {ce:.4f}   MSE(softmax({name + '), y)':14} = {mse:.4f}")
# --8<-- [end:mse_on_probabilities]

mse_probs_correct, mse_probs_close, mse_probs_wrong = (
    mse_loss(torch.softmax(z, dim=1), target_onehot) for z in cases.values()
)
assert mse_probs_correct < mse_probs_close < mse_probs_wrong

# --8<-- [start:growth]
# Three classes; the true class gets p, the other two share 1 - p equally.
print("p_true     CE = -log p   MSE(q, y)")
growth = []
for p in [0.9, 0.5, 0.1, 0.01, 0.001, 1e-6]:
    q = torch.tensor([[p, (1 - p) / 2, (1 - p) / 2]], dtype=torch.float64)
    ce = -torch.log(q[0, 0])
    mse = mse_loss(q, target_onehot.double())
    growth.append((p, ce.item(), mse.item()))
    print(f"{p:<9g}  {ce:10.4f}   {mse:.4f}")
# --8<-- [end:growth]

mse_probs_bound = 2 / 3  # all mass on one wrong class: (1 + 1 + 0) / 3
mse_growth_max = max(m for _, _, m in growth)
ce_growth_max = max(c for _, c, _ in growth)
ce_per_decade = math.log(10)  # each tenfold drop of p_true adds log 10 to CE
assert all(m <= mse_probs_bound for _, _, m in growth)
assert all(math.isclose(m, (1 - p) ** 2 / 2) for p, _, m in growth)  # closed form for this split
assert math.isclose(growth[3][1] - growth[2][1], ce_per_decade)
assert math.isclose(growth[4][1] - growth[3][1], ce_per_decade)
assert math.isclose(mse_loss(torch.tensor([[0.0, 1.0, 0.0]]), target_onehot).item(), mse_probs_bound, rel_tol=1e-6)

# --8<-- [start:growth_plot]
p_curve = np.logspace(-6, 0, 37)  # p_true from 1e-6 to 1, six points per decade
q = torch.tensor(np.stack([p_curve, (1 - p_curve) / 2, (1 - p_curve) / 2], axis=1))
y = target_onehot.double().expand_as(q)
ce_curve = -torch.log(q[:, 0])
mse_curve = ((q - y) ** 2).mean(dim=1)

# the gradient on the true class's logit z_0, for logits z = log q (softmax(z) = q)
z = torch.log(q).requires_grad_(True)
F.cross_entropy(z, target.expand(len(z)), reduction="sum").backward()
dce_dz0 = z.grad[:, 0].clone()
z.grad = None
((torch.softmax(z, dim=1) - y) ** 2).mean(dim=1).sum().backward()
dmse_dz0 = z.grad[:, 0].clone()

table_p, table_ce, table_mse = zip(*growth)
fig, (left, right) = plt.subplots(1, 2, figsize=(6.4, 3.4), layout="constrained")
left.plot(p_curve, ce_curve, label=r"$\mathrm{CE}$")
left.plot(p_curve, mse_curve, label=r"$\mathrm{MSE}(q, y)$")
left.plot(table_p, table_ce, "o", color="C0", markersize=4)
left.plot(table_p, table_mse, "o", color="C1", markersize=4)
left.axhline(mse_probs_bound, color="gray", linestyle=":", linewidth=1)
left.set_ylabel("$L$")
left.legend()
right.plot(p_curve, dce_dz0)
right.plot(p_curve, dmse_dz0)
right.set_ylabel(r"$\partial L / \partial z_0$")
for ax in (left, right):
    ax.set_xscale("log")
    ax.set_xticks([1e-6, 1e-3, 1.0])
    ax.minorticks_off()
    ax.set_xlabel("$p$")
    ax.locator_params(axis="y", nbins=4)
# --8<-- [end:growth_plot]

# The curves go through the table's rows, and MSE stays under its bound.
assert np.allclose(np.interp(np.log(table_p), np.log(p_curve), ce_curve.numpy()), table_ce)
assert torch.all(mse_curve <= mse_probs_bound)
# The gradients in closed form: CE gives p - 1; MSE on softmax, for this split, -p (1 - p)^2.
assert torch.allclose(dce_dz0, torch.tensor(p_curve - 1))
assert torch.allclose(dmse_dz0, torch.tensor(-p_curve * (1 - p_curve) ** 2))
# Where the model is most wrong, CE pushes at nearly full strength and MSE barely at all.
assert dce_dz0[0] < -0.99 and abs(dmse_dz0[0]) < 1e-5
grad_mse_growth_worst = dmse_dz0.min()  # MSE's strongest push, at p = 1/3: -4/27
assert math.isclose(grad_mse_growth_worst.item(), -4 / 27, rel_tol=1e-2)


# --8<-- [start:gradients]
def logit_gradients(logits):
    """Gradients of three losses with respect to the logits, by autograd."""
    grads = {}
    for name in ("CE", "MSE(softmax(z), y)", "MSE(z, y)"):
        z = logits.clone().requires_grad_(True)
        if name == "CE":
            loss = F.cross_entropy(z, target)
        elif name == "MSE(softmax(z), y)":
            loss = F.mse_loss(torch.softmax(z, dim=1), target_onehot)
        else:
            loss = F.mse_loss(z, target_onehot)
        loss.backward()
        grads[name] = z.grad[0]
    return grads


base = cases["z_wrong"]  # [0.5, 1, 5]: class 2 is preferred, class 0 is true
print("k    p_true     dCE/dz_0   dMSE(softmax)/dz_0   dMSE(z)/dz_0")
for k in [1, 2, 4, 8]:
    logits = k * base  # the same wrong prediction, k times more confident
    p_true = torch.softmax(logits, dim=1)[0, 0]
    g = logit_gradients(logits)
    print(f"{k:<3}  {p_true:.2e}   {g['CE'][0]:8.4f}   {g['MSE(softmax(z), y)'][0]:18.2e}   "
          f"{g['MSE(z, y)'][0]:10.4f}")
# --8<-- [end:gradients]

grads_k1 = logit_gradients(base)
grads_k8 = logit_gradients(8 * base)
grad_ce_true_k1 = grads_k1["CE"][0]
grad_ce_true_k8 = grads_k8["CE"][0]
grad_mse_probs_true_k1 = grads_k1["MSE(softmax(z), y)"][0]
grad_mse_probs_true_k8 = grads_k8["MSE(softmax(z), y)"][0]
grad_mse_probs_norm_k8 = grads_k8["MSE(softmax(z), y)"].norm()

for k in [1, 2, 4, 8]:
    logits = k * base
    probs = torch.softmax(logits, dim=1)
    g = logit_gradients(logits)
    # CE: the gradient is p - y, bounded by 1 in every component
    assert torch.allclose(g["CE"], probs[0] - target_onehot[0], atol=1e-6)
    # MSE on probabilities: the chain rule through softmax, J^T (2/3)(p - y), J = diag(p) - p p^T
    p = probs[0]
    jacobian = torch.diag(p) - torch.outer(p, p)
    assert torch.allclose(g["MSE(softmax(z), y)"], jacobian.T @ (2 / 3 * (p - target_onehot[0])), atol=1e-7)
    # MSE on raw logits: 2 (z - y) / 3, growing linearly with the logits
    assert torch.allclose(g["MSE(z, y)"], 2 / 3 * (logits[0] - target_onehot[0]))
    # from k = 4 on, z_0 > 1 and MSE on logits pushes the true logit down (positive gradient)
    assert (g["MSE(z, y)"][0] > 0) == (k >= 4)
assert grad_ce_true_k8 < -0.99  # CE keeps pushing the true logit up at full strength
assert abs(grad_mse_probs_true_k8) < 1e-8 < abs(grad_mse_probs_true_k1)  # MSE on softmax has stalled
assert grad_mse_probs_norm_k8 < 1e-8

# --8<-- [start:training_softmax]
torch.manual_seed(0)
centers = torch.tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
X = torch.cat([c + torch.randn(100, 2) for c in centers])  # 100 points around each centre
Y = torch.arange(3).repeat_interleave(100)  # their classes


def train_softmax(loss_name, steps=12, lr=1.0):
    """Full-batch gradient descent on a linear softmax model; returns (loss, accuracy) per step."""
    torch.manual_seed(1)  # the same initial weights for both losses
    W = torch.randn(2, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    history = []
    for step in range(steps + 1):
        z = X @ W + b
        if loss_name == "CE":
            loss = F.cross_entropy(z, Y)
        else:
            loss = F.mse_loss(torch.softmax(z, dim=1), F.one_hot(Y, 3).float())
        history.append((loss.item(), (z.argmax(dim=1) == Y).float().mean().item()))
        W.grad, b.grad = None, None
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
    return history


ce_run, mse_run = train_softmax("CE"), train_softmax("MSE")
print("step   CE loss  CE acc   MSE(softmax) loss  MSE acc")
for step, ((ce_l, ce_a), (mse_l, mse_a)) in enumerate(zip(ce_run, mse_run)):
    print(f"{step:4d}   {ce_l:7.4f}  {ce_a:6.3f}   {mse_l:17.4f}  {mse_a:7.3f}")
# --8<-- [end:training_softmax]


def first_step_at(history, accuracy):
    """The first step whose accuracy reaches the given level (None if none does)."""
    return next((step for step, (_, acc) in enumerate(history) if acc >= accuracy), None)


target_accuracy = 0.85
ce_steps_to_target = first_step_at(ce_run, target_accuracy)
mse_steps_to_target = first_step_at(mse_run, target_accuracy)
ce_acc_step1, mse_acc_step1 = ce_run[1][1], mse_run[1][1]
assert ce_run[0][1] == mse_run[0][1]  # same start
assert ce_steps_to_target < mse_steps_to_target

# --8<-- [start:training_binary]
torch.manual_seed(0)
X2 = torch.cat([torch.randn(100, 2) + 1.5, torch.randn(100, 2) - 1.5])  # two clusters
Y2 = torch.cat([torch.ones(100), torch.zeros(100)])


def train_binary(loss_name, w_start, steps=12, lr=1.0):
    """Gradient descent on one logit x = X2 @ w + b; returns (loss, accuracy) per step."""
    w = w_start.clone().requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    history = []
    for step in range(steps + 1):
        x = X2 @ w + b
        if loss_name == "BCE":
            loss = F.binary_cross_entropy_with_logits(x, Y2)
        else:
            loss = F.mse_loss(torch.sigmoid(x), Y2)
        history.append((loss.item(), ((x > 0).float() == Y2).float().mean().item()))
        w.grad, b.grad = None, None
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return history


w_wrong = torch.tensor([-3.0, -3.0])  # a confidently wrong start: it predicts the opposite class
bce_run, sig_mse_run = train_binary("BCE", w_wrong), train_binary("MSE", w_wrong)
print("step   BCE loss  BCE acc   sigmoid+MSE loss  MSE acc")
for step, ((bce_l, bce_a), (mse_l, mse_a)) in enumerate(zip(bce_run, sig_mse_run)):
    print(f"{step:4d}   {bce_l:8.4f}  {bce_a:7.3f}   {mse_l:16.4f}  {mse_a:7.3f}")
# --8<-- [end:training_binary]

bce_acc_start = bce_run[0][1]
bce_acc_end, sig_mse_acc_end = bce_run[-1][1], sig_mse_run[-1][1]
bce_steps_to_target = first_step_at(bce_run, target_accuracy)
assert bce_steps_to_target is not None and first_step_at(sig_mse_run, target_accuracy) is None
# From a mild start, both reach the same accuracy at the same step: the gap is about confident mistakes.
w_mild = torch.tensor([0.1, -0.2])
bce_mild, sig_mse_mild = train_binary("BCE", w_mild), train_binary("MSE", w_mild)
bce_mild_steps = first_step_at(bce_mild, target_accuracy)
sig_mse_mild_steps = first_step_at(sig_mse_mild, target_accuracy)
assert bce_mild_steps == sig_mse_mild_steps

# --8<-- [start:gradients_plot]
k_grid = np.linspace(0.0, 8.0, 41)
names = {"CE": r"$\mathrm{CE}$", "MSE(softmax(z), y)": r"$\mathrm{MSE}(q, y)$", "MSE(z, y)": r"$\mathrm{MSE}(z, y)$"}
curves = {name: [] for name in names}
for k in k_grid:
    g = logit_gradients(float(k) * base)
    for name in names:
        curves[name].append(g[name][0].item())

plt.figure(figsize=(6, 3.6))
for name, label in names.items():
    plt.plot(k_grid, curves[name], label=label)
plt.axhline(0.0, color="gray", linewidth=0.8)
plt.xlabel("$k$")
plt.ylabel(r"$\partial L / \partial z_0$")
plt.locator_params(nbins=4)
plt.legend()
# --8<-- [end:gradients_plot]

# The curves agree with the table, at k = 1, 2, 4 and 8.
for k in [1, 2, 4, 8]:
    i = int(np.argmin(abs(k_grid - k)))
    g = logit_gradients(k * base)
    assert all(math.isclose(curves[name][i], g[name][0].item(), abs_tol=1e-7) for name in names)
# CE pushes ever harder, never past -1; MSE on softmax fades to nothing; MSE on logits changes sign at k = 2.
assert all(a >= b for a, b in zip(curves["CE"], curves["CE"][1:])) and min(curves["CE"]) >= -1
assert abs(curves["MSE(softmax(z), y)"][-1]) < 1e-8
assert all((g > 0) == (k > 2) for k, g in zip(k_grid, curves["MSE(z, y)"]) if abs(k - 2) > 1e-9)

# --8<-- [start:max_likelihood]
torch.manual_seed(0)
logits = torch.randn(8, 3)  # a model's logits for 8 samples, 3 classes
labels = torch.randint(0, 3, (8,))  # their true classes

p_label = torch.softmax(logits, dim=1)[torch.arange(8), labels]  # probability of each label
likelihood = p_label.prod()
mean_ce = F.cross_entropy(logits, labels)  # reduction="mean"

print(f"p(y_i | x_i)         = {p_label}")
print(f"L = prod p           = {likelihood:.4e}")
print(f"-log L / N           = {-torch.log(likelihood) / 8:.4f}")
print(f"mean CE              = {mean_ce:.4f}")
# --8<-- [end:max_likelihood]

nll_from_likelihood = -torch.log(likelihood) / 8
assert torch.isclose(mean_ce, nll_from_likelihood)
assert torch.isclose(mean_ce, -torch.log(p_label).mean())

# --8<-- [start:underflow]
p_many = torch.full((200,), 0.5)  # 200 labels, each predicted with probability 0.5
likelihood_many = p_many.prod()  # float32: 0.5 ** 200 is far below the smallest float
nll_many = -torch.log(p_many).sum()

print(f"prod p       = {likelihood_many}")
print(f"-log prod p  = {-torch.log(likelihood_many)}")
print(f"-sum log p   = {nll_many:.4f}")
# --8<-- [end:underflow]

assert likelihood_many == 0.0 and torch.isinf(-torch.log(likelihood_many))
assert math.isclose(nll_many.item(), 200 * math.log(2), rel_tol=1e-6)

# --8<-- [start:mse_gaussian]
# MSE has a likelihood reading too: the NLL of a Gaussian with fixed variance 1.
z = cases["z_close"][0]
y = target_onehot[0]
gaussian_nll = -torch.distributions.Normal(z, 1.0).log_prob(y).sum()
half_sse = 0.5 * ((z - y) ** 2).sum()
constant = 3 * 0.5 * math.log(2 * math.pi)
print(f"-log N(y; z, 1)          = {gaussian_nll:.4f}")
print(f"0.5 * sum (z - y)^2 + c  = {half_sse + constant:.4f}")
# --8<-- [end:mse_gaussian]

assert torch.isclose(gaussian_nll, half_sse + constant)

# --8<-- [start:stability]
z_extreme = torch.tensor([[0.0, 0.0, 200.0]])  # very confident in class 2; class 0 is true

naive_ce = -torch.log(torch.softmax(z_extreme, dim=1)[0, 0])  # softmax underflows to 0
stable_ce = F.cross_entropy(z_extreme, target)  # log-softmax inside, no underflow
mse_probs_extreme = F.mse_loss(torch.softmax(z_extreme, dim=1), target_onehot)
print(f"softmax(z)                = {torch.softmax(z_extreme, dim=1)[0]}")
print(f"-log softmax(z)_0         = {naive_ce}")
print(f"F.cross_entropy(z, y)     = {stable_ce:.4f}")
print(f"MSE(softmax(z), y)        = {mse_probs_extreme:.4f}")
# --8<-- [end:stability]

assert torch.isinf(naive_ce)
assert torch.isclose(stable_ce, torch.logsumexp(z_extreme, dim=1)[0] - z_extreme[0, 0])
assert torch.isclose(stable_ce, torch.tensor(200.0))
assert torch.isfinite(mse_probs_extreme) and torch.isclose(mse_probs_extreme, torch.tensor(2 / 3))
