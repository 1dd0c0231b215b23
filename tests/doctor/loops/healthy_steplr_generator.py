# expect: none
# healthy: an MLP trained with SGD + momentum and a StepLR scheduler, batches from a Python generator
import torch
from torch import nn


def batches(X, y, size=32):
    order = torch.randperm(len(X))
    for start in range(0, len(X), size):
        take = order[start:start + size]
        yield X[take].view(len(take), -1), y[take]


model = nn.Sequential(nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 10))
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

for epoch in range(3):
    total, n = 0.0, 0
    for xb, yb in batches(X_train, y_train):
        pred = model(xb)
        loss = loss_fn(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
        n += 1
    scheduler.step()

    with torch.no_grad():
        pred = model(X_val.view(len(X_val), -1))
        acc = (pred.argmax(1) == y_val).float().mean()
    print(f"epoch {epoch}  lr {scheduler.get_last_lr()[0]:.3f}  train loss {total / n:.3f}  val acc {acc:.3f}")
