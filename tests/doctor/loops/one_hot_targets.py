# expect: error_target_shape
# bug: one-hot encoded the labels Keras-style with F.one_hot, which gives int64; F.cross_entropy takes a (N, C) target only as float class probabilities
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
Y_train = F.one_hot(y_train, num_classes=10)

for epoch in range(3):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 32):
        idx = perm[i:i + 32]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_train[idx]), Y_train[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: {loss.item():.3f}")
