# expect: none
# healthy: plain SGD at 0.01 for two epochs: slow, but learning
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64,128), nn.ReLU(), nn.Linear(128,10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for ep in range(2):
    for x,y in dl:
        opt.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
