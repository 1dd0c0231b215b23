# expect: none
# healthy: a small CNN as class Net(nn.Module), SGD with momentum, batches by torch.randperm slicing, F.cross_entropy
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # 8x8 -> 4x4
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # 4x4 -> 2x2
        x = torch.flatten(x, 1)
        return self.fc(x)


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
batch_size = 32

for epoch in range(3):
    model.train()
    perm = torch.randperm(X_train.size(0))
    for i in range(0, X_train.size(0), batch_size):
        idx = perm[i:i + batch_size]
        x, y = X_train[idx], y_train[idx]
        output = model(x)
        loss = F.cross_entropy(output, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    model.eval()
    with torch.no_grad():
        output = model(X_val)
        val_loss = F.cross_entropy(output, y_val).item()
        acc = (output.argmax(1) == y_val).float().mean().item()
    print(f"Epoch {epoch}: loss={loss.item():.4f} val_loss={val_loss:.4f} val_acc={acc:.2%}")
