"""Saving and loading a general checkpoint, after the recipe of that name: a dict with the
epoch, model, optimizer and scheduler state_dicts and the loss saved with torch.save, loaded
into fresh objects that resume training; the resumed run must continue exactly as the
uninterrupted one. Mixed in: Adam with a per-group lr and OneCycleLR, then stochastic weight
averaging (swa_utils.AveragedModel, SWALR, update_bn for BatchNorm statistics)."""
import io

import ember as torch
import ember.nn as nn
import ember.optim as optim
from ember.optim.swa_utils import SWALR, AveragedModel, update_bn
from ember.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        # no bias before BatchNorm: it cancels in the loss, and Adam would then walk it on
        # rounding noise alone (a different walk in every library)
        self.fc1 = nn.Linear(6, 16, bias=False)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


def make_model(device):
    return Net().to(device)


def make_data(rng, n=40):
    x = rng.standard_normal((n, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5).astype("int64")
    return x, y


def build(model, total_steps):
    optimizer = optim.Adam([{"params": model.fc1.parameters()},
                            {"params": list(model.bn.parameters()) + list(model.fc2.parameters()),
                             "lr": 5e-3}], lr=1e-2)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[2e-2, 1e-2],
                                              total_steps=total_steps)
    return optimizer, scheduler


def run_epochs(model, optimizer, scheduler, loader, epochs, device):
    criterion = nn.CrossEntropyLoss()
    losses = []
    model.train()
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x.to(device)), y.to(device))
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
    return losses


def train(model, data, steps, device):
    x, y = data
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=10)
    total = 2 * steps * len(loader)
    initial = io.BytesIO()
    torch.save(model.state_dict(), initial)

    # uninterrupted: 2 * steps epochs
    optimizer, scheduler = build(model, total)
    straight = run_epochs(model, optimizer, scheduler, loader, 2 * steps, device)

    # interrupted: steps epochs, checkpoint, fresh objects, resume for steps more
    initial.seek(0)
    model2 = Net().to(device)
    model2.load_state_dict(torch.load(initial))
    optimizer2, scheduler2 = build(model2, total)
    first = run_epochs(model2, optimizer2, scheduler2, loader, steps, device)
    buffer = io.BytesIO()
    torch.save({
        'epoch': steps,
        'model_state_dict': model2.state_dict(),
        'optimizer_state_dict': optimizer2.state_dict(),
        'scheduler_state_dict': scheduler2.state_dict(),
        'loss': first[-1],
    }, buffer)
    buffer.seek(0)
    checkpoint = torch.load(buffer, weights_only=False)
    model3 = Net().to(device)
    optimizer3, scheduler3 = build(model3, total)
    model3.load_state_dict(checkpoint['model_state_dict'])
    optimizer3.load_state_dict(checkpoint['optimizer_state_dict'])
    scheduler3.load_state_dict(checkpoint['scheduler_state_dict'])
    epoch, loss = checkpoint['epoch'], checkpoint['loss']
    resumed = run_epochs(model3, optimizer3, scheduler3, loader, steps, device)
    numbers = straight + [float(epoch), loss] + first + resumed
    numbers.append(max(abs(a - b) for a, b in zip(straight, first + resumed)))
    numbers += [group["lr"] for group in optimizer3.param_groups]

    # stochastic weight averaging on top of the trained model
    swa_model = AveragedModel(model3)
    swa_optimizer = optim.SGD(model3.parameters(), lr=0.05)
    swa_scheduler = SWALR(swa_optimizer, swa_lr=0.02, anneal_epochs=2)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        for xb, yb in loader:
            swa_optimizer.zero_grad()
            criterion(model3(xb), yb).backward()
            swa_optimizer.step()
        swa_model.update_parameters(model3)
        swa_scheduler.step()
        numbers.append(swa_optimizer.param_groups[0]["lr"])
    update_bn(loader, swa_model)
    swa_model.eval()
    with torch.no_grad():
        out = swa_model(torch.from_numpy(x[:5]))
    numbers += out.flatten().tolist() + [float(swa_model.n_averaged)]
    numbers += swa_model.module.bn.running_mean.tolist()
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
