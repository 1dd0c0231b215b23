# expect: none
# healthy: two heads of different widths, their losses summed, F.relu in forward
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
class Net(nn.Module):
    def __init__(self):
        super().__init__(); self.l1 = nn.Linear(64,64); self.a = nn.Linear(64,10); self.b = nn.Linear(64,2)
    def forward(self, x):
        h = F.relu(self.l1(x.flatten(1))); return self.a(h), self.b(h)
model = Net(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for ep in range(2):
  for x,y in dl:
      opt.zero_grad(); o1,o2 = model(x); loss = F.cross_entropy(o1,y) + F.cross_entropy(o2, y%2); loss.backward(); opt.step()
