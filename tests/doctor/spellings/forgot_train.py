# expect: none
# healthy: model.train() forgotten after the first validation (no dropout or batch norm: harmless)
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64,128), nn.ReLU(), nn.Linear(128,10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
for ep in range(4):
    for x,y in dl:
        opt.zero_grad(); loss = crit(model(x), y); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        vl = crit(model(X_val), y_val)
    print(ep, vl.item())
