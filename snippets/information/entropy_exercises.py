"""Exercises on information and entropy: a loaded die, the epsilon's bias, a coin worth half a bit."""

import numpy as np


def entropy(p, base=np.e):
    """H(P) = -sum p_i log p_i, with 0 log 0 = 0."""
    p = np.asarray(p, dtype=float)
    nonzero = p > 0
    return -np.sum(p[nonzero] * np.log(p[nonzero])) / np.log(base) + 0.0


# --8<-- [start:loaded_die]
die = np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.5])  # faces 1 to 5, then the six

H_die = entropy(die, base=2)
# First "six or not?" (one fair coin, 1 bit), then, half of the time, one of five faces.
H_die_grouped = entropy([0.5, 0.5], base=2) + 0.5 * np.log2(5)
H_fair_die = np.log2(6)
print(f"H(die)             = {H_die:.4f} bits")
print(f"1 + (1/2) log2 5   = {H_die_grouped:.4f} bits")
print(f"H(fair die)        = {H_fair_die:.4f} bits")
# --8<-- [end:loaded_die]

assert np.isclose(H_die, H_die_grouped) and H_die < H_fair_die

# --8<-- [start:epsilon_bias]
eps = 1e-10
medium = np.array([0.7, 0.2, 0.1])
uniform = np.array([1 / 3, 1 / 3, 1 / 3])
certain = np.array([1.0, 0.0, 0.0])

for name, p in [("medium", medium), ("uniform", uniform), ("certain", certain)]:
    error = -np.sum(p * np.log(p + eps)) - entropy(p)
    k = np.count_nonzero(p)  # outcomes with p_i > 0
    print(f"H_eps({name}) - H({name}) = {error:.3e}   -k * eps = {-k * eps:.3e}")
    assert np.isclose(error, -k * eps, rtol=1e-3)
# --8<-- [end:epsilon_bias]

error_medium = -np.sum(medium * np.log(medium + eps)) - entropy(medium)


# --8<-- [start:half_bit]
def coin_bits(p):
    """Entropy of a coin with P(heads) = p, in bits."""
    return entropy([p, 1 - p], base=2)


low, high = 0.0, 0.5  # H rises from 0 bits at p = 0 to 1 bit at p = 0.5
for _ in range(60):
    middle = (low + high) / 2
    low, high = (middle, high) if coin_bits(middle) < 0.5 else (low, middle)
p_half_bit = (low + high) / 2
print(f"p = {p_half_bit:.4f}: H = {coin_bits(p_half_bit):.4f} bits")
print(f"p = {1 - p_half_bit:.4f}: H = {coin_bits(1 - p_half_bit):.4f} bits")
# --8<-- [end:half_bit]

assert abs(coin_bits(p_half_bit) - 0.5) < 1e-12 and np.isclose(coin_bits(1 - p_half_bit), 0.5)
