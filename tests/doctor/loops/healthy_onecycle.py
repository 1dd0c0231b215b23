# expect: none
# healthy: a CNN with Adam and a OneCycleLR schedule stepped every batch, model.zero_grad(set_to_none=True)
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
epochs = 3

model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 2 * 2, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.02, steps_per_epoch=len(loader), epochs=epochs)

for epoch in range(epochs):
    model.train()
    for images, labels in loader:
        model.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        scheduler.step()

    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        print(epoch, round(F.cross_entropy(logits, y_val).item(), 4),
              round((logits.argmax(-1) == y_val).float().mean().item(), 4))
