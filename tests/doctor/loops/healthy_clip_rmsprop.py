# expect: none
# healthy: class Net MLP with RMSprop and torch.nn.utils.clip_grad_norm_, zero_grad after the step
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.fc1 = nn.Linear(64, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 10)
        self.act = nn.ReLU()

    def forward(self, x):
        x = x.view(-1, 64)
        x = self.act(self.fc1(x))
        x = self.act(self.fc2(x))
        return self.out(x)


model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
train_dl = DataLoader(TensorDataset(X_train, y_train), batch_size=50, shuffle=True)

for epoch in range(3):
    for x, y in train_dl:
        loss = criterion(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        out = model(X_val)
        val_loss = criterion(out, y_val)
        val_acc = (out.argmax(1) == y_val).float().mean()
    model.train()
    print("epoch", epoch + 1, "loss", loss.item(), "val_loss", val_loss.item(), "val_acc", val_acc.item())
