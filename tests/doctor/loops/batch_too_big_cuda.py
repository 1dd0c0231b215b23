# expect: error_out_of_memory
# needs: cuda
# bug: the whole training set as one batch of 224x224 upsampled images through a wide conv layer: far more activation memory than any GPU has
import torch
import torch.nn as nn
import torch.nn.functional as F

device = "cuda"
model = nn.Sequential(
    nn.Conv2d(1, 512, 3, padding=1), nn.ReLU(),
    nn.Conv2d(512, 512, 3, padding=1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10),
).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
batch_size = len(X_train)

for epoch in range(3):
    for i in range(0, len(X_train), batch_size):
        xb = F.interpolate(X_train[i:i + batch_size], size=224).to(device)
        yb = y_train[i:i + batch_size].to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
