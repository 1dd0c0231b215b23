# expect: softmax_before_loss
# bug: the model ends in nn.Softmax and the loss is nn.CrossEntropyLoss, which applies its own log-softmax
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(64, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
    nn.Softmax(dim=1),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

for epoch in range(3):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        probs = model(X_val)
        acc = (probs.argmax(1) == y_val).float().mean()
    print(f"epoch {epoch}: loss {loss.item():.3f}, val acc {acc:.3f}")
