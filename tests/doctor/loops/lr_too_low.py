# expect: lr_too_low
# also: not_learning
# bug: lr=1e-7 (an exponent off by four): the weights move about a ten-millionth per step and the loss does not move
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-7, momentum=0.9)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

for epoch in range(3):
    running_loss = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    model.eval()
    with torch.no_grad():
        val_out = model(X_val)
        print(f"epoch {epoch + 1}: train {running_loss / len(loader):.4f}, val {criterion(val_out, y_val).item():.4f}")
    model.train()
