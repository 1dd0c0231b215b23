# expect: none
# healthy: AdamW with weight decay, model.zero_grad() after the step, accuracy counted during training
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.GELU(), nn.Linear(256, 10))
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)

for epoch in range(3):
    correct = total = 0
    for xb, yb in dl:
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        loss.backward()
        optimizer.step()
        model.zero_grad()
        correct += (logits.argmax(1) == yb).sum().item()
        total += yb.numel()
    with torch.no_grad():
        model.eval()
        val_logits = model(X_val)
        val_acc = (val_logits.argmax(1) == y_val).float().mean().item()
        val_loss = F.cross_entropy(val_logits, y_val).item()
        model.train()
    print(f"[{epoch + 1}/3] train acc {correct / total:.3f} | val loss {val_loss:.3f} | val acc {val_acc:.3f}")
