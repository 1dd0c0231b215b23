# expect: none
# healthy: fifteen epochs of a plain MLP with SGD + momentum on the full training set, validated each epoch
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

train_loader = DataLoader(TensorDataset(X_train.flatten(1), y_train), batch_size=64, shuffle=True)
Xv = X_val.flatten(1)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
train_losses, val_losses = [], []

for epoch in range(15):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    train_losses.append(total / len(X_train))
    model.eval()
    with torch.no_grad():
        val_losses.append(F.cross_entropy(model(Xv), y_val).item())
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: train {train_losses[-1]:.4f}  val {val_losses[-1]:.4f}")
