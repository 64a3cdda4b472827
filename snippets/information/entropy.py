"""Information and entropy: self-information, entropy of three distributions, bits and nats."""

import warnings

import matplotlib.pyplot as plt
import numpy as np

# --8<-- [start:self_information]
p_sunrise = 0.99  # "the sun rises in the east": almost certain
p_gold_rain = 0.01  # "it rains gold tomorrow": almost impossible

I_sunrise = -np.log(p_sunrise)
I_gold_rain = -np.log(p_gold_rain)

print(f"I({p_sunrise}) = {I_sunrise:.4f} nats")
print(f"I({p_gold_rain}) = {I_gold_rain:.4f} nats")
# --8<-- [end:self_information]

# --8<-- [start:self_information_plot]
p_grid = np.linspace(0.005, 1.0, 200)
I_grid = -np.log(p_grid)

plt.figure(figsize=(6, 3.6))
plt.plot(p_grid, I_grid)
for p_event, I_event, offset in [(p_sunrise, I_sunrise, (-110, 22)), (p_gold_rain, I_gold_rain, (10, -4))]:
    plt.plot(p_event, I_event, "o", color="C3")
    plt.annotate(f"$p = {p_event}$, $I = {I_event:.2f}$", (p_event, I_event), xytext=offset, textcoords="offset points")
plt.xlabel("$p$")
plt.ylabel(r"$I = -\log p$")
# --8<-- [end:self_information_plot]

# The curve falls all the way: no event is worth less than a certain one (0 nats).
assert np.all(np.diff(I_grid) < 0) and I_grid[-1] == 0.0
assert np.allclose(-np.log([p_sunrise, p_gold_rain]), [I_sunrise, I_gold_rain])

# --8<-- [start:distributions]
certain = np.array([1.0, 0.0, 0.0])
uniform = np.array([1 / 3, 1 / 3, 1 / 3])
medium = np.array([0.7, 0.2, 0.1])
# --8<-- [end:distributions]


# --8<-- [start:epsilon_entropy]
def entropy_eps(p):
    """The common shortcut: add a tiny epsilon so that log(0) is never taken."""
    return -np.sum(p * np.log(p + 1e-10))


for name, p in [("certain", certain), ("uniform", uniform), ("medium", medium)]:
    print(f"H({name}) = {entropy_eps(p):.4f}")
# --8<-- [end:epsilon_entropy]

# --8<-- [start:epsilon_flaw]
H_certain_eps = entropy_eps(certain)
print(f"H(certain) = {float(H_certain_eps)!r}")
print(f"negative? {H_certain_eps < 0}")
# --8<-- [end:epsilon_flaw]

# --8<-- [start:naive_entropy]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    H_certain_naive = -np.sum(certain * np.log(certain))

print(f"H(certain) = {H_certain_naive}")
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
# --8<-- [end:naive_entropy]


# --8<-- [start:safe_entropy]
def entropy(p, base=np.e):
    """H(P) = -sum p_i log p_i, with 0 log 0 = 0 (the limit of p log p as p -> 0)."""
    p = np.asarray(p, dtype=float)
    nonzero = p > 0
    h = -np.sum(p[nonzero] * np.log(p[nonzero])) / np.log(base)
    return h + 0.0  # -0.0 + 0.0 is +0.0: a certain outcome prints as 0, not -0


H_certain = entropy(certain)
H_uniform = entropy(uniform)
H_medium = entropy(medium)
print(f"H(certain) = {H_certain:.4f}")
print(f"H(uniform) = {H_uniform:.4f}")
print(f"H(medium)  = {H_medium:.4f}")
# --8<-- [end:safe_entropy]

# --8<-- [start:binary_entropy]
p_coin = np.linspace(0.0, 1.0, 101)  # a coin that lands heads with probability p
H_coin = np.array([entropy([p, 1 - p]) for p in p_coin])
p_most_uncertain = p_coin[H_coin.argmax()]
H_coin_max = H_coin.max()
print(f"argmax_p H = {p_most_uncertain:.2f}, max_p H = {H_coin_max:.4f}, log 2 = {np.log(2):.4f}")

plt.figure(figsize=(6, 3.6))
plt.plot(p_coin, H_coin)
plt.plot(p_most_uncertain, H_coin_max, "o", color="C3")
plt.axhline(np.log(2), color="gray", linestyle=":", linewidth=1)
plt.annotate(r"$\log 2$", (0.0, np.log(2)), xytext=(0, 4), textcoords="offset points")
plt.xlabel("$p$")
plt.ylabel("$H(p)$")
plt.ylim(0, 0.8)
plt.locator_params(axis="y", nbins=4)
# --8<-- [end:binary_entropy]

# The figure's claims: zero at both ends, symmetric, largest (log 2) at p = 0.5.
assert H_coin[0] == H_coin[-1] == 0.0 and np.allclose(H_coin, H_coin[::-1])
assert p_most_uncertain == 0.5 and np.isclose(H_coin_max, np.log(2))

# The uniform distribution over n outcomes has the largest entropy, log n.
assert H_certain == 0.0 and not np.signbit(H_certain)
assert np.isclose(H_uniform, np.log(3))
assert H_certain < H_medium < H_uniform

# --8<-- [start:bits]
H_uniform_bits = entropy(uniform, base=2)
H_medium_bits = entropy(medium, base=2)
print(f"H(uniform) = {H_uniform:.4f} nats = {H_uniform_bits:.4f} bits")
print(f"H(medium)  = {H_medium:.4f} nats = {H_medium_bits:.4f} bits")
print(f"1 nat = {1 / np.log(2):.4f} bits")
# --8<-- [end:bits]

assert np.isclose(H_uniform_bits, np.log2(3))
assert np.isclose(H_medium_bits * np.log(2), H_medium)
