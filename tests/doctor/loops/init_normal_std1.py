# expect: initial_loss
# bug: every weight initialised from N(0, 1) with nn.init.normal_ (std 1, not ~1/sqrt(fan_in)): the logits are huge and the first loss is far above ln 10
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
for layer in model:
    if isinstance(layer, nn.Linear):
        nn.init.normal_(layer.weight)
        nn.init.zeros_(layer.bias)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

for epoch in range(3):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        val_loss = criterion(model(X_val), y_val)
    print(f"epoch {epoch + 1}: train loss {loss.item():.2f}, val loss {val_loss.item():.2f}")
