# expect: not_learning
# bug: shuffled the images and the labels with two different permutations, so no label belongs to its image any more
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

X_shuffled = X_train[torch.randperm(len(X_train))]
y_shuffled = y_train[torch.randperm(len(y_train))]
loader = DataLoader(TensorDataset(X_shuffled, y_shuffled), batch_size=32)

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(3):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(X_val)
        val_loss = criterion(out, y_val).item()
        val_acc = (out.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1}: train loss {loss.item():.3f} val loss {val_loss:.3f} val acc {val_acc:.3f}")
