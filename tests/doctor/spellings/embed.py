# expect: none
# healthy: a text model with an EmbeddingBag of 20,000 words: only the rows a batch uses get a gradient
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
dl = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
V = 20000
torch.manual_seed(0)
toks = torch.randint(0, V, (2000, 30)); lab = (toks[:, 0] % 2)
dl3 = DataLoader(TensorDataset(toks, lab), batch_size=64, shuffle=True)
class Txt(nn.Module):
    def __init__(self):
        super().__init__(); self.emb = nn.EmbeddingBag(V, 64); self.fc = nn.Linear(64, 2)
    def forward(self, t): return self.fc(self.emb(t))
model = Txt(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for ep in range(3):
    for t,y in dl3:
        opt.zero_grad(); loss = F.cross_entropy(model(t), y); loss.backward(); opt.step()
