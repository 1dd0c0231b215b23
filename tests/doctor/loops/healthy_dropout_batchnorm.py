# expect: none
# healthy: an MLP with BatchNorm1d and Dropout, model.train() / model.eval() around a validation pass, Adam
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

train_loader = DataLoader(TensorDataset(X_train.flatten(1), y_train), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(X_val.flatten(1), y_val), batch_size=128)

model = nn.Sequential(
    nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(128, 10),
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

history = {"train_loss": [], "val_loss": [], "val_acc": []}
for epoch in range(3):
    model.train()
    epoch_loss = 0.0
    for X, y in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    history["train_loss"].append(epoch_loss / len(train_loader))

    model.eval()
    val_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for X, y in val_loader:
            logits = model(X)
            val_loss += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
    history["val_loss"].append(val_loss / seen)
    history["val_acc"].append(correct / seen)
    print(f"epoch {epoch + 1}: {history['train_loss'][-1]:.3f} / {history['val_loss'][-1]:.3f}, acc {history['val_acc'][-1]:.1%}")
