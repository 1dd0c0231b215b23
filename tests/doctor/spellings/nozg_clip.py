# expect: missing_zero_grad
# bug: zero_grad() forgotten, with clip_grad_norm_ (it changes .grad in place)
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64,128), nn.ReLU(), nn.Linear(128,10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for ep in range(3):
    for x,y in dl:
        loss = F.cross_entropy(model(x), y); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
