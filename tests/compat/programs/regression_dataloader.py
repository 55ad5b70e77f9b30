"""Linear/MLP regression fed by TensorDataset and DataLoader (batches in order, last one
short), MSELoss, Adam with ReduceLROnPlateau on the epoch loss, state_dict round trip."""
import io

import ember as torch
import ember.nn as nn
from ember.utils.data import DataLoader, TensorDataset


def make_model(device):
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 1)).to(device)


def make_data(rng, n=50):
    x = rng.standard_normal((n, 5)).astype("float32")
    w = rng.standard_normal((5, 1)).astype("float32")
    y = x @ w + 0.1 * rng.standard_normal((n, 1)).astype("float32")
    return x, y


def train(model, data, steps, device):
    x, y = data
    dataset = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    loader = DataLoader(dataset, batch_size=16, shuffle=False)
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    numbers = []
    for epoch in range(steps):
        total = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        scheduler.step(total / len(dataset))
        numbers += [total / len(dataset), optimizer.param_groups[0]["lr"]]
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    clone = make_model(device)
    clone.load_state_dict(torch.load(buffer))
    with torch.no_grad():
        numbers += clone(torch.from_numpy(x[:4])).view(-1).tolist()
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 5, "cpu"))
