# expect: softmax_before_loss
# bug: F.softmax (not F.log_softmax) at the end of forward, into F.nll_loss: the loss is minus a probability, stuck between -1 and 0
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        x = self.fc(x.flatten(1))
        return F.softmax(x, dim=1)


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(3):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 32):
        idx = perm[i:i + 32]
        optimizer.zero_grad()
        loss = F.nll_loss(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
