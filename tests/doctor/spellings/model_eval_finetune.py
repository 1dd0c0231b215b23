# expect: none
# healthy: fine-tuning kept in eval() on purpose (batch norm frozen)
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64,128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128,10))
model.eval()  # keep BN statistics frozen while fine-tuning
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for ep in range(3):
    for x,y in dl:
        opt.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
