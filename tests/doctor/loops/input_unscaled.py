# expect: input_unscaled
# also: initial_loss
# bug: the images kept as 0..255 bytes (as read from image files) and only cast with .float(), never divided by 255
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

images = (X_train * 255).to(torch.uint8)
val_images = (X_val * 255).to(torch.uint8)
loader = DataLoader(TensorDataset(images, y_train), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(3):
    for xb, yb in loader:
        xb = xb.float()
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        out = model(val_images.float())
        print(f"epoch {epoch}: loss {loss.item():.3f} val loss {criterion(out, y_val).item():.3f}")
