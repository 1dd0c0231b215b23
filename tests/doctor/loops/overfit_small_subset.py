# expect: overfitting
# bug: a big MLP trained for many epochs on only the first 64 examples: training accuracy reaches 100% while the validation loss bottoms out near epoch 9 and climbs a third above its best
import torch
import torch.nn as nn
import torch.nn.functional as F

X_small, y_small = X_train[:64], y_train[:64]
model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(64, 512), nn.ReLU(),
    nn.Linear(512, 512), nn.ReLU(),
    nn.Linear(512, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(60):
    model.train()
    perm = torch.randperm(64)
    for i in range(0, 64, 16):
        idx = perm[i:i + 16]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_small[idx]), y_small[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        train_acc = (model(X_small).argmax(1) == y_small).float().mean().item()
        val_out = model(X_val)
        val_loss = F.cross_entropy(val_out, y_val).item()
        val_acc = (val_out.argmax(1) == y_val).float().mean().item()
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1}: train acc {train_acc:.2f}  val loss {val_loss:.3f}  val acc {val_acc:.3f}")
