# expect: error_dtype_mismatch
# bug: the data went through NumPy (float64) and back with torch.from_numpy, so the inputs are float64 and the model's weights float32
import numpy as np
import torch
import torch.nn as nn

X_np = X_train.numpy().reshape(len(X_train), -1).astype(np.float64)
X = torch.from_numpy(X_np)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(3):
    for i in range(0, len(X), 32):
        xb, yb = X[i:i + 32], y_train[i:i + 32]
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
