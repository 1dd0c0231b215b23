# expect: none
# healthy: inputs standardised with the training set's mean and std (as torchvision's Normalize does), so they are no longer in 0..1; SGD + momentum
import torch
import torch.nn as nn

mean, std = X_train.mean(), X_train.std()
X = ((X_train - mean) / std).flatten(1)
Xv = ((X_val - mean) / std).flatten(1)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

for epoch in range(3):
    permutation = torch.randperm(X.size(0))
    for i in range(0, X.size(0), 32):
        indices = permutation[i:i + 32]
        optimizer.zero_grad()
        loss = criterion(model(X[indices]), y_train[indices])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(Xv)
        print(f"epoch {epoch + 1}: val loss {criterion(out, y_val).item():.3f}, val acc {(out.argmax(1) == y_val).float().mean().item():.3f}")
    model.train()
