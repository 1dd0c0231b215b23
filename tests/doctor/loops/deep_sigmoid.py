# expect: vanishing_gradients
# also: not_learning
# bug: ten sigmoid layers trained with plain SGD: the gradient shrinks about fourfold per layer and the first layers do not learn
import torch
import torch.nn as nn

layers = [nn.Flatten(), nn.Linear(64, 64), nn.Sigmoid()]
for _ in range(9):
    layers += [nn.Linear(64, 64), nn.Sigmoid()]
layers.append(nn.Linear(64, 10))
model = nn.Sequential(*layers)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(3):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 32):
        idx = perm[i:i + 32]
        optimizer.zero_grad()
        loss = criterion(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f} val acc {acc:.3f}")
