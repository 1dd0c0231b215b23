# expect: none
# healthy: L-BFGS with a closure: the losses come inside step()
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64,32), nn.ReLU(), nn.Linear(32,10))
opt = torch.optim.LBFGS(model.parameters(), lr=1)
for ep in range(5):
    def closure():
        opt.zero_grad(); loss = F.cross_entropy(model(X_train), y_train); loss.backward(); return loss
    opt.step(closure)
