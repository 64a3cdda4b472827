"""The identities the pages teach hold on random inputs, not only on each page's example.

Inputs: batches of 1-6 rows and 2-6 classes, logits scaled from 1e-3 to 1e3, float32 and
float64. Tolerances are a few units of rounding (`eps` of the dtype) times the size of the
numbers involved, because that is what floating point can promise; each says why.
Deterministic (derandomize=True, no example database) so that CI never flakes.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from execdocs.engine.config import Config

ROOT = Config().root

settings.register_profile(
    "identities", max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("identities")

SCALES = [1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3]
DTYPES = [torch.float32, torch.float64]


def section(snippet: str, name: str) -> dict:
    """The functions a page shows: define those of one named section of a snippet."""
    source = (ROOT / "snippets" / snippet).read_text(encoding="utf-8")
    code = re.search(rf"# --8<-- \[start:{name}\]\n(.*?)# --8<-- \[end:{name}\]", source, re.S).group(1)
    # only the definitions: the rest of the section prints the page's example
    tree = ast.Module([node for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)], [])
    namespace = {"np": np, "torch": torch, "F": F, "nn": nn}
    exec(compile(tree, f"snippets/{snippet}:{name}", "exec"), namespace)
    return namespace


@st.composite
def logits_and_targets(draw):
    """(logits (N, C), class indices (N,), scale, dtype): logits uniform in [-scale, scale]."""
    n, c = draw(st.integers(1, 6)), draw(st.integers(2, 6))
    scale, dtype = draw(st.sampled_from(SCALES)), draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    z = torch.tensor(rng.uniform(-1, 1, (n, c)) * scale, dtype=dtype)
    t = torch.tensor(rng.integers(0, c, n))
    return z, t, scale, dtype


@st.composite
def distributions(draw, with_zeros=True):
    """Two distributions P, Q over 2-6 outcomes, in float64; P may contain zeros, Q may not."""
    k = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(k, draw(st.sampled_from([0.1, 1.0, 10.0]))))
    if with_zeros and draw(st.booleans()):
        p[rng.integers(0, k)] = 0.0
        p /= p.sum()
    q = rng.dirichlet(np.full(k, draw(st.sampled_from([0.1, 1.0, 10.0]))))
    q = np.maximum(q, 1e-300)  # Q > 0 keeps H(P, Q) finite
    return p, q / q.sum()


def eps(dtype) -> float:
    return torch.finfo(dtype).eps


kl_page = section("cross_entropy/kl_divergence.py", "kl_numpy")
ce_page = section("cross_entropy/kl_divergence.py", "cross_entropy_numpy")
focal_page = section("practice/focal_loss.py", "focal_torch")


@given(distributions())
def test_cross_entropy_is_entropy_plus_kl(pq):
    """Assert H(P, Q) = H(P) + KL(P || Q) with the page's NumPy functions."""
    p, q = pq
    h_pq = ce_page["cross_entropy"](p, q)
    # float64 sums of at most 6 terms of size |p log q|: a few ulps of the largest term
    tol = 16 * np.finfo(float).eps * (1 + np.sum(np.abs(p * np.log(q))))
    assert abs(h_pq - (kl_page["entropy"](p) + kl_page["kl_divergence"](p, q))) <= tol


@given(distributions())
def test_kl_is_zero_only_at_p_equals_q(pq):
    """Assert KL(P || P) = 0 and KL(P || Q) >= ||P - Q||_1^2 / 2 (Pinsker), so KL > 0 when P != Q."""
    p, q = pq
    assert kl_page["kl_divergence"](p, p) == 0.0
    l1 = np.abs(p - q).sum()
    # Pinsker's inequality; rounding of the float64 sum can cost a few ulps of the terms
    tol = 16 * np.finfo(float).eps * (1 + np.sum(np.abs(p * np.log(q))))
    assert kl_page["kl_divergence"](p, q) >= l1**2 / 2 - tol


@given(logits_and_targets())
def test_gradient_is_p_minus_y(case):
    """Assert autograd's gradient of the mean cross-entropy is (softmax(z) - one_hot(t)) / N."""
    z, t, scale, dtype = case
    z = z.clone().requires_grad_()
    F.cross_entropy(z, t).backward()
    expected = (F.softmax(z.detach(), dim=1) - F.one_hot(t, z.shape[1]).to(dtype)) / len(t)
    # every component lies in [-1, 1]; autograd and the formula round differently by a few ulps
    assert torch.allclose(z.grad, expected, rtol=0, atol=8 * eps(dtype))


@given(logits_and_targets())
def test_cross_entropy_is_nll_of_log_softmax(case):
    """Assert F.cross_entropy(z, t) = F.nll_loss(F.log_softmax(z), t), elementwise."""
    z, t, scale, dtype = case
    ce = F.cross_entropy(z, t, reduction="none")
    nll = F.nll_loss(F.log_softmax(z, dim=1), t, reduction="none")
    # both subtract the row maximum; the loss is up to ~2 * scale, so rounding is relative to it
    assert torch.allclose(ce, nll, rtol=0, atol=8 * eps(dtype) * (1 + scale))


@given(logits_and_targets(), st.floats(-1, 1))
def test_cross_entropy_ignores_a_constant_added_to_the_logits(case, shift):
    """Assert the loss is unchanged when the same constant c (|c| <= scale) is added to every logit."""
    z, t, scale, dtype = case
    c = shift * scale
    # z + c is rounded to the spacing of numbers near |z| + |c| <= 2 * scale: that is the
    # only change, so the loss moves by at most a few such spacings
    tol = 8 * eps(dtype) * (1 + 2 * scale)
    assert torch.allclose(F.cross_entropy(z + c, t, reduction="none"), F.cross_entropy(z, t, reduction="none"),
                          rtol=0, atol=tol)


@given(logits_and_targets())
def test_focal_loss_with_gamma_zero_is_cross_entropy(case):
    """Assert the page's focal_loss with gamma = 0 equals the mean cross-entropy."""
    z, t, scale, dtype = case
    # (1 - p_t)^0 = 1 exactly; both are log-softmax based, so equal to rounding of the loss size
    assert torch.allclose(focal_page["focal_loss"](z, t, gamma=0.0), F.cross_entropy(z, t),
                          rtol=0, atol=8 * eps(dtype) * (1 + scale))


@given(logits_and_targets(), st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.0]))
def test_label_smoothing_equals_the_page_formula(case, smoothing):
    """Assert CrossEntropyLoss(label_smoothing=e) = (1 - e) CE + e * mean over classes of -log p_c."""
    z, t, scale, dtype = case
    log_p = F.log_softmax(z, dim=1)
    by_hand = ((1 - smoothing) * -log_p.gather(1, t[:, None]).squeeze(1) + smoothing * -log_p.mean(dim=1)).mean()
    # -log p_c can reach ~2 * scale; the two sums round in different orders
    assert torch.allclose(F.cross_entropy(z, t, label_smoothing=smoothing), by_hand,
                          rtol=0, atol=8 * eps(dtype) * (1 + 2 * scale))


@given(logits_and_targets())
def test_weighted_mean_divides_by_the_sum_of_target_weights(case):
    """Assert CrossEntropyLoss(weight=w) with reduction='mean' is sum(w_t * loss) / sum(w_t)."""
    z, t, scale, dtype = case
    w = torch.linspace(0.5, 3.0, z.shape[1], dtype=dtype)
    per_sample = F.cross_entropy(z, t, reduction="none")
    expected = (w[t] * per_sample).sum() / w[t].sum()
    # a weighted average of losses up to ~2 * scale
    assert torch.allclose(F.cross_entropy(z, t, weight=w), expected, rtol=0, atol=8 * eps(dtype) * (1 + 2 * scale))


def bce_of_sigmoid_is_trustworthy(x: torch.Tensor) -> bool:
    """Whether sigmoid(x) and 1 - sigmoid(x) keep most of their digits in x's dtype."""
    s = torch.sigmoid(x)
    # Near 1, 1 - s keeps only eps / (1 - s) of relative precision (see the multi-label page,
    # "sigmoid saturates in float32"); ask for at least ~4 correct digits on both sides.
    return bool(((1 - s) > 1e4 * eps(x.dtype)).all() and (s > torch.finfo(x.dtype).tiny * 1e4).all())


@given(logits_and_targets())
def test_bce_with_logits_equals_bce_of_sigmoid_where_sigmoid_has_not_saturated(case):
    """Assert BCEWithLogitsLoss(x, y) = BCELoss(sigmoid(x), y) wherever sigmoid(x) keeps its precision."""
    z, t, scale, dtype = case
    y = (torch.arange(z.numel()).reshape(z.shape) % 2).to(dtype)  # a fixed multi-hot pattern
    assume(bce_of_sigmoid_is_trustworthy(z))
    with_logits = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    of_sigmoid = F.binary_cross_entropy(torch.sigmoid(z), y, reduction="none")
    # the error of log(1 - s) is about eps / (1 - s); bounded by the assume above to 1e-4
    assert torch.allclose(with_logits, of_sigmoid, rtol=1e-3, atol=1e-4)


def test_bce_of_sigmoid_fails_in_float32_first_where_the_multi_label_page_says():
    """Assert Hypothesis's smallest float32 logit with a finite but wrong BCELoss(sigmoid) is the page's."""
    import json

    from hypothesis import find

    def finite_but_wrong(x):
        z, y = torch.tensor([x]), torch.tensor([0.0])
        naive = F.binary_cross_entropy(torch.sigmoid(z), y)
        exact = F.binary_cross_entropy_with_logits(z, y)
        return bool(torch.isfinite(naive)) and not torch.allclose(naive, exact, rtol=1e-3, atol=1e-4)

    found = find(st.floats(0, 1000, width=32), finite_but_wrong,
                 settings=settings(max_examples=2000, database=None, derandomize=True))
    record = json.loads((ROOT / "tests" / "expected" / "pytorch" / "multi_label.json").read_text(encoding="utf-8"))
    assert found == record["values"]["x_found"]
