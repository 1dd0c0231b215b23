# expect: loss_broadcast
# bug: a regression's outputs [N, 1] against targets [N] in mse_loss
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
yr = y_train.float()
dl = DataLoader(TensorDataset(X_train, yr), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64,32), nn.ReLU(), nn.Linear(32,1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for ep in range(5):
    for x,y in dl:
        opt.zero_grad(); loss = F.mse_loss(model(x), y); loss.backward(); opt.step()
