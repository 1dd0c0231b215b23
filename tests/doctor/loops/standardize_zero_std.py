# expect: nonfinite_loss
# bug: standardised each pixel by its own std; the digits' corner pixels are always 0, so 0/0 puts NaN in the inputs and the loss is NaN from the first step
import torch
import torch.nn as nn
import torch.nn.functional as F

X = X_train.view(len(X_train), -1)
mean, std = X.mean(dim=0), X.std(dim=0)
X = (X - mean) / std
Xv = (X_val.view(len(X_val), -1) - mean) / std

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(2):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i:i + 64]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        val_loss = F.cross_entropy(model(Xv), y_val)
    print("epoch", epoch, "train loss", loss.item(), "val loss", val_loss.item())
