"""A first look: the loss PyTorch computes for one prediction, from raw scores (logits)."""

import torch
import torch.nn as nn

# --8<-- [start:first_loss]
logits = torch.tensor([[2.0, 1.0, 0.1]])  # raw scores for 3 classes; no softmax applied
target = torch.tensor([0])  # the true class, as an index

loss = nn.CrossEntropyLoss()(logits, target)
p_true = torch.softmax(logits, dim=1)[0, 0]

print(f"p(class 0) = {p_true:.4f}")
print(f"loss       = {loss:.4f}")
print(f"-log p     = {-torch.log(p_true):.4f}")
# --8<-- [end:first_loss]

assert torch.isclose(loss, -torch.log(p_true))
