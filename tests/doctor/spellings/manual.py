# expect: none
# healthy: a hand-written SGD update (p -= lr * p.grad), no optimizer
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(64,128), nn.ReLU(), nn.Linear(128,10))
lr = 0.1
for ep in range(3):
    for x,y in dl:
        loss = F.cross_entropy(model(x), y)
        model.zero_grad(); loss.backward()
        with torch.no_grad():
            for p in model.parameters(): p -= lr * p.grad
