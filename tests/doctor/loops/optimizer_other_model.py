# expect: optimizer_other_params
# also: not_learning
# bug: the model was re-created ("fresh weights") after the optimizer was built, so the optimizer holds the old model's parameters
import torch
import torch.nn as nn


def make_model():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
criterion = nn.CrossEntropyLoss()

model = make_model()  # start from fresh weights

for epoch in range(3):
    model.train()
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 32):
        idx = perm[i:i + 32]
        optimizer.zero_grad()
        loss = criterion(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(X_val)
        print(f"epoch {epoch}: val loss {criterion(out, y_val).item():.3f}, val acc {(out.argmax(1) == y_val).float().mean():.3f}")
