# expect: none
# healthy: the first layer frozen (requires_grad False) and the optimizer given only the trainable parameters
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
for p in model[1].parameters():
    p.requires_grad = False  # keep the random features, train the head
optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)

for epoch in range(3):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_out = model(X_val)
        print(epoch, F.cross_entropy(val_out, y_val).item(), (val_out.argmax(1) == y_val).float().mean().item())
    model.train()
