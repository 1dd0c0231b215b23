# expect: error_target_dtype
# bug: the labels were made floats (as a regression target would be); nn.CrossEntropyLoss wants int64 class indices
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

labels = y_train.float()
loader = DataLoader(TensorDataset(X_train, labels), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(3):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
