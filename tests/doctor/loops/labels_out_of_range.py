# expect: error_target_range
# bug: the output layer has 9 units ("digits 1 to 9"), but the labels run 0..9, so label 9 is not a class of the output
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(64, 100)
        self.output = nn.Linear(100, 9)

    def forward(self, x):
        return self.output(torch.relu(self.hidden(x.flatten(1))))


model = Net()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters())
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)

for epoch in range(3):
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
