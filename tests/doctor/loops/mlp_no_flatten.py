# expect: error_flatten
# bug: the 8x8 images go straight into nn.Linear(64, ...), which multiplies their last dimension (8), not the 64 pixels
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)

for epoch in range(3):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 32):
        idx = perm[i:i + 32]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
