# expect: none
# healthy: gradient accumulation (two backward passes per optimizer step, zero_grad after each step), SGD
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=16, shuffle=True)
accumulate = 2  # an effective batch of 32

for epoch in range(3):
    optimizer.zero_grad()
    for i, (inputs, targets) in enumerate(loader):
        loss = criterion(model(inputs), targets) / accumulate
        loss.backward()
        if (i + 1) % accumulate == 0:
            optimizer.step()
            optimizer.zero_grad()
    with torch.no_grad():
        model.eval()
        outputs = model(X_val)
        print(f"epoch {epoch}: val loss {criterion(outputs, y_val).item():.3f}, "
              f"val acc {(outputs.argmax(1) == y_val).float().mean().item():.3f}")
        model.train()
