# expect: none
# healthy: forward ends in F.log_softmax and the loss is nn.NLLLoss (the correct pairing), SGD + momentum
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


model = Net()
criterion = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
n = len(X_train)

for epoch in range(1, 4):
    model.train()
    perm = torch.randperm(n)
    for i in range(0, n, 32):
        batch = perm[i:i + 32]
        optimizer.zero_grad()
        output = model(X_train[batch])
        loss = criterion(output, y_train[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        output = model(X_val)
        test_loss = criterion(output, y_val).item()
        pred = output.argmax(dim=1, keepdim=True)
        correct = pred.eq(y_val.view_as(pred)).sum().item()
    print(f"Train Epoch: {epoch}\tLoss: {loss.item():.6f}\tVal loss: {test_loss:.4f}, Accuracy: {correct}/{len(X_val)}")
