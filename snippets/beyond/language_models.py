"""Cross-entropy for language models: padded batches, perplexity and bits per byte, z-loss, and the memory of the logits."""

import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

torch.set_printoptions(precision=4)
torch.set_num_threads(1)  # one thread: the same sums in the same order on every run

# --8<-- [start:padded_batch]
torch.manual_seed(0)
V, PAD = 11, -100  # a vocabulary of 11 tokens; -100 is CrossEntropyLoss's default ignore_index
lengths = [5, 3, 2]  # three sequences, padded to the longest
B, T = len(lengths), max(lengths)
logits = torch.randn(B, T, V)
targets = torch.randint(V, (B, T))
for b, n in enumerate(lengths):
    targets[b, n:] = PAD
print(targets)

# mean over the real tokens of the batch: what F.cross_entropy returns
loss_token = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=PAD)

# the same by hand: sum over real tokens / their number
per_token = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=PAD, reduction="none").view(B, T)
real = targets != PAD
loss_by_hand = per_token[real].sum() / real.sum()

# mean per sequence first, then over sequences: each sequence weighs the same
loss_sequence = torch.stack([per_token[b, :n].mean() for b, n in enumerate(lengths)]).mean()

print(f"real tokens = {real.sum().item()}, padding = {(~real).sum().item()}")
print(f"mean per token    = {loss_token:.4f}")
print(f"sum / real tokens = {loss_by_hand:.4f}")
print(f"mean per sequence = {loss_sequence:.4f}")
# --8<-- [end:padded_batch]

n_real = int(real.sum())
assert torch.isclose(loss_token, loss_by_hand)
assert per_token[~real].eq(0).all()  # reduction="none" gives ignored positions a loss of 0
assert not torch.isclose(loss_token, loss_sequence, rtol=1e-3)
# Per sequence, a token of a sequence of length n weighs 1 / (B n): the short sequence's tokens count more.
weights = torch.zeros(B, T)
for b, n in enumerate(lengths):
    weights[b, :n] = 1 / (B * n)
assert torch.isclose((weights * per_token).sum(), loss_sequence)
weight_short_over_long = (1 / lengths[2]) / (1 / lengths[0])

# --8<-- [start:forgot_ignore]
targets_pad0 = targets.clone()
targets_pad0[~real] = 0  # padding written as token 0, and no ignore_index
loss_pad0 = F.cross_entropy(logits.reshape(-1, V), targets_pad0.reshape(-1))
print(f"padding scored as token 0 = {loss_pad0:.4f}   (correct: {loss_token:.4f})")
# --8<-- [end:forgot_ignore]

assert not torch.isclose(loss_pad0, loss_token, rtol=1e-3)
assert torch.isclose(loss_pad0, F.cross_entropy(logits.reshape(-1, V), targets_pad0.reshape(-1), reduction="sum") / (B * T))

# --8<-- [start:perplexity]
ppl = math.exp(loss_token.item())
ppl_uniform = math.exp(F.cross_entropy(torch.zeros(1, V), torch.tensor([3])).item())
print(f"perplexity = exp({loss_token:.4f}) = {ppl:.4f}")
print(f"perplexity of the uniform forecast over V = {V} tokens = {ppl_uniform:.4f}")
# --8<-- [end:perplexity]

assert math.isclose(ppl_uniform, V, rel_tol=1e-6)  # a perplexity of k: as unsure as a fair choice among k tokens

# --8<-- [start:bits_per_byte]
text = "Cross-entropy 交叉熵"
n_bytes = len(text.encode("utf-8"))
total_nats = 20.0  # suppose a model gives the whole text the probability e^-20
tokenizations = {"characters": len(text), "bytes": n_bytes}
for name, n_tokens in tokenizations.items():
    ce = total_nats / n_tokens
    print(f"{name:10s} tokens = {n_tokens:2d}   CE = {ce:.4f} nats/token   perplexity = {math.exp(ce):.4f}   "
          f"bits per byte = {total_nats / (math.log(2) * n_bytes):.4f}")
# --8<-- [end:bits_per_byte]

bpb = total_nats / (math.log(2) * n_bytes)
assert n_bytes > len(text)  # each Chinese character is three bytes in UTF-8
assert math.exp(total_nats / len(text)) > math.exp(total_nats / n_bytes)

# --8<-- [start:shift]
z = torch.randn(V, dtype=torch.float64, requires_grad=True)
target = torch.tensor(3)
for c in [0.0, 10.0, 1000.0]:
    print(f"c = {c:6.1f}: CE(z + c) = {F.cross_entropy(z + c, target):.6f}   log Z = {torch.logsumexp(z + c, 0):.4f}")
F.cross_entropy(z, target).backward()
print(f"|sum of dCE/dz| < 1e-12: {abs(z.grad.sum().item()) < 1e-12}")
# --8<-- [end:shift]

assert abs(z.grad.sum().item()) < 1e-12  # sum(p - y) = 0: the loss never pushes the mean logit
assert all(torch.isclose(F.cross_entropy(z + c, target), F.cross_entropy(z, target)) for c in (10.0, 1000.0))

# --8<-- [start:z_loss]
z_coef = 1e-4  # PaLM's coefficient


def loss_with_z(logits, target):
    """Cross-entropy plus PaLM's z-loss, z_coef * (log Z)^2."""
    log_Z = torch.logsumexp(logits, dim=-1)
    return F.cross_entropy(logits, target) + z_coef * (log_Z**2).mean()


drifted = (z.detach() + 50.0).requires_grad_()  # the same logits, shifted up by 50
loss_with_z(drifted, target).backward()
log_Z = torch.logsumexp(drifted, 0).item()
print(f"log Z = {log_Z:.4f}")
print(f"sum of d(CE + z-loss)/dz = {drifted.grad.sum():.6f}   2 * z_coef * log Z = {2 * z_coef * log_Z:.6f}")
# --8<-- [end:z_loss]

# The z-loss gradient is 2 z_coef log Z softmax(z): it sums to 2 z_coef log Z and pulls the mean logit down.
assert math.isclose(drifted.grad.sum().item(), 2 * z_coef * log_Z, rel_tol=1e-9)

# --8<-- [start:bf16]
eps_bf16 = torch.finfo(torch.bfloat16).eps  # 2^-7: bfloat16 keeps 8 significant bits
bf16_rows = []
for c in [0.0, 10.0, 100.0, 1000.0]:
    shifted = z.detach() + c
    rounded = shifted.to(torch.bfloat16).double()
    spacing = eps_bf16 * 2 ** math.floor(math.log2(max(c, 1.0)))  # the gap between neighbouring bfloat16 numbers near c
    distinct = rounded.unique().numel()
    error = abs(F.cross_entropy(rounded, target).item() - F.cross_entropy(shifted, target).item())
    bf16_rows.append((c, distinct, error))
    print(f"c = {c:6.1f}: bfloat16 spacing = {spacing:.4f}   distinct logits = {distinct:2d} of {V}   |CE error| = {error:.4f}")
# --8<-- [end:bf16]

distincts = [r[1] for r in bf16_rows]
bf16_errors = [r[2] for r in bf16_rows]
assert distincts[0] == V and all(a >= b for a, b in zip(distincts, distincts[1:])) and distincts[-1] <= 4
assert bf16_errors[0] < 0.01 and bf16_errors[-1] > 0.1
bf16_error_1000 = bf16_errors[-1]


# --8<-- [start:peak_memory]
class PeakMemory(TorchDispatchMode):
    """Watches every tensor operation; `peak` is the most bytes the tensors they created held at once."""

    def __init__(self):
        super().__init__()
        self.alive, self.peak = {}, 0

    def _count(self):
        self.alive = {ptr: (ref, n) for ptr, (ref, n) in self.alive.items() if not ref.expired()}
        self.peak = max(self.peak, sum(n for _, n in self.alive.values()))

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self._count()
        inputs = {t.untyped_storage().data_ptr() for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)}
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            storage = t.untyped_storage() if isinstance(t, torch.Tensor) else None
            if storage is not None and storage.data_ptr() not in inputs:  # new memory, not a view of an input
                self.alive.setdefault(storage.data_ptr(), (StorageWeakRef(storage), storage.nbytes()))
        self._count()
        return out
# --8<-- [end:peak_memory]


# --8<-- [start:chunked]
class ChunkedLinearCrossEntropy(torch.autograd.Function):
    """mean CE(h @ W.T, y), computed `chunk` tokens at a time; the gradients are made in the forward pass."""

    @staticmethod
    def forward(ctx, h, W, y, chunk):
        n = h.shape[0]
        loss = h.new_zeros(())
        grad_h, grad_W = torch.empty_like(h), torch.zeros_like(W)
        for start in range(0, n, chunk):
            h_c, y_c = h[start:start + chunk], y[start:start + chunk]
            z_c = h_c @ W.T  # chunk x V logits: the only large tensor, and one at a time
            log_Z = torch.logsumexp(z_c, dim=1)
            loss += (log_Z - z_c.gather(1, y_c[:, None]).squeeze(1)).sum()
            g = z_c.sub_(log_Z[:, None]).exp_()  # softmax, written over the logits
            g[torch.arange(len(y_c)), y_c] -= 1  # p - y
            g /= n
            grad_h[start:start + chunk] = g @ W
            grad_W.addmm_(g.T, h_c)
            del z_c, g  # free this chunk's logits before the next chunk makes its own
        ctx.save_for_backward(grad_h, grad_W)
        return loss / n

    @staticmethod
    def backward(ctx, grad_loss):
        grad_h, grad_W = ctx.saved_tensors
        return grad_h.mul_(grad_loss), grad_W.mul_(grad_loss), None, None  # scaled in place: no second copy


def full_loss(h, W, y):
    return F.cross_entropy(h @ W.T, y)


def chunked_loss(h, W, y, chunk=64):
    return ChunkedLinearCrossEntropy.apply(h, W, y, chunk)


def measure(loss_fn, h, W, y):
    """Loss, gradients of h and W, and the peak bytes of the tensors made on the way (forward and backward)."""
    h, W = h.detach().requires_grad_(), W.detach().requires_grad_()
    with PeakMemory() as memory:
        loss = loss_fn(h, W, y)
        loss.backward()
    return loss.item(), h.grad, W.grad, memory.peak
# --8<-- [end:chunked]

# --8<-- [start:memory_table]
torch.manual_seed(0)
V, d, chunk = 32_768, 64, 64  # a 32k vocabulary, a small hidden size
MiB = 2**20
print(f"{'tokens':>6}  {'full: measured':>14}  {'4 x 3 N V':>9}  {'chunked: measured':>17}  {'4 (c V + V d + N d)':>19}")
sizes = [64, 128, 256]
table = []
for N in sizes:
    h, W, y = torch.randn(N, d), 0.1 * torch.randn(V, d), torch.randint(V, (N,))
    loss_f, gh_f, gW_f, peak_f = measure(full_loss, h, W, y)
    loss_c, gh_c, gW_c, peak_c = measure(chunked_loss, h, W, y)
    predicted_f = 4 * 3 * N * V
    predicted_c = 4 * (chunk * V + V * d + N * d)
    table.append((N, loss_f, loss_c, gh_f, gh_c, gW_f, gW_c, peak_f, peak_c, predicted_f, predicted_c))
    print(f"{N:6d}  {peak_f / MiB:10.1f} MiB  {predicted_f / MiB:5.1f} MiB  {peak_c / MiB:13.1f} MiB  {predicted_c / MiB:15.1f} MiB")
print(f"largest |loss_full - loss_chunked| / loss_full = {max(abs(r[1] - r[2]) / r[1] for r in table):.1e}")
# --8<-- [end:memory_table]

for N, loss_f, loss_c, gh_f, gh_c, gW_f, gW_c, peak_f, peak_c, predicted_f, predicted_c in table:
    assert abs(loss_f - loss_c) <= 1e-6 * loss_f
    assert torch.allclose(gh_f, gh_c, atol=1e-6, rtol=1e-5) and torch.allclose(gW_f, gW_c, atol=1e-6, rtol=1e-5)
    assert 0 <= peak_f - predicted_f < 4096  # the formula is the peak, up to a few scalars
    assert 0 <= peak_c - predicted_c < 65536  # and for the chunked loss, up to a few vectors of chunk or N entries
peaks_full = [r[7] for r in table]
peaks_chunked = [r[8] for r in table]
assert peaks_full[-1] / peaks_full[0] > 3.9 and peaks_chunked[-1] / peaks_chunked[0] < 1.1
largest_tokens = sizes[-1]
full_peak_largest_mib = peaks_full[-1] / MiB
chunked_peak_largest_mib = peaks_chunked[-1] / MiB
saving_largest = peaks_full[-1] / peaks_chunked[-1]

# --8<-- [start:exercise_memory]
GiB = 2**30
V_llama3, batch, seq_len = 128_256, 8, 4096  # Llama 3's vocabulary; 8 sequences of 4096 tokens
one_copy = batch * seq_len * V_llama3 * 4  # float32 logits
print(f"logits, float32:  {one_copy / GiB:.2f} GiB")
print(f"logits, bfloat16: {one_copy / 2 / GiB:.2f} GiB")
print(f"full loss, forward and backward (4 x 3 N V): {3 * one_copy / GiB:.2f} GiB")
# --8<-- [end:exercise_memory]

logits_llama3_gib = one_copy / GiB
full_llama3_gib = 3 * one_copy / GiB
assert math.isclose(full_llama3_gib, 3 * logits_llama3_gib) and 15 < logits_llama3_gib < 16

# --8<-- [start:exercise_bpb]
mean_ce, bytes_per_token = 2.0, 4.0
print(f"perplexity = exp(2.0) = {math.exp(mean_ce):.4f}")
print(f"bits per byte = 2.0 / (4.0 ln 2) = {mean_ce / (bytes_per_token * math.log(2)):.4f}")
# --8<-- [end:exercise_bpb]

ppl_exercise = math.exp(mean_ce)
bpb_exercise = mean_ce / (bytes_per_token * math.log(2))
assert math.isclose(bpb_exercise * bytes_per_token * math.log(2), mean_ce)
