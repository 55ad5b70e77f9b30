"""An imbalanced tabular classifier: a TensorDataset read through a DataLoader whose
WeightedRandomSampler draws each class about equally often, class-weighted CrossEntropyLoss
with label smoothing, an MLP with BatchNorm1d and Dropout (train and eval modes), SGD with
momentum and weight decay, StepLR, and balanced accuracy on a held-out split.

The two libraries draw differently by design, so the compared epochs replay one fixed
order drawn with the sampler's own weights (a Sampler subclass); the sampler itself runs an
epoch afterwards, and tests/compat checks its frequencies against its weights."""
import numpy as np

import ember as torch
from ember import nn, optim
from ember.utils.data import DataLoader, Sampler, TensorDataset, WeightedRandomSampler

N_FEATURES, N_CLASSES = 10, 3
CLASS_SIZES = (240, 60, 20)


class ReplaySampler(Sampler):
    """Indices in a fixed order, one list per epoch."""

    def __init__(self, orders):
        self.orders, self.epoch = orders, 0

    def __iter__(self):
        order = self.orders[self.epoch % len(self.orders)]
        self.epoch += 1
        return iter(order.tolist())

    def __len__(self):
        return len(self.orders[0])


class TabularNet(nn.Module):
    def __init__(self, n_features=N_FEATURES, hidden=32, n_classes=N_CLASSES, p=0.2):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p),
            nn.Linear(hidden, n_classes))

    def forward(self, x):
        return self.net(x)


def sample_weights_for(labels):
    """Each example weighted by the inverse of its class's frequency."""
    class_counts = torch.bincount(labels, minlength=N_CLASSES)
    class_weights = 1.0 / class_counts.float()
    return class_weights[labels], class_weights


def make_model(device):
    return TabularNet().to(device)


def make_data(rng, epochs=4):
    centers = rng.normal(0, 1.5, (N_CLASSES, N_FEATURES))
    x = np.concatenate([centers[c] + rng.standard_normal((n, N_FEATURES))
                        for c, n in enumerate(CLASS_SIZES)]).astype("float32")
    y = np.concatenate([np.full(n, c) for c, n in enumerate(CLASS_SIZES)]).astype("int64")
    x[:, 0] *= 50.0  # one feature on another scale, for the standardisation below
    split = rng.permutation(len(y))
    train_idx, test_idx = split[:256], split[256:]
    counts = np.bincount(y[train_idx], minlength=N_CLASSES)
    p = (1.0 / counts)[y[train_idx]]
    orders = [rng.choice(len(train_idx), len(train_idx), p=p / p.sum()) for _ in range(epochs)]
    return x[train_idx], y[train_idx], x[test_idx], y[test_idx], orders


def evaluate(model, loader, criterion):
    model.eval()
    correct = np.zeros(N_CLASSES)
    total = np.zeros(N_CLASSES)
    loss_sum = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss_sum += criterion(logits, yb).item() * len(yb)
            pred = logits.argmax(dim=1)
            for c in range(N_CLASSES):
                mask = yb == c
                total[c] += mask.sum().item()
                correct[c] += (pred[mask] == c).sum().item()
    model.train()
    recall = correct / np.maximum(total, 1)
    return loss_sum / total.sum(), float(recall.mean()), correct.sum() / total.sum()


def train(model, data, steps, device, batch_size=32):
    x_train, y_train, x_test, y_test, orders = data
    x_train, x_test = torch.from_numpy(x_train), torch.from_numpy(x_test)
    mean, std = x_train.mean(0, keepdim=True), x_train.std(0, keepdim=True)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)
    train_set = TensorDataset(x_train, y_train)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=64)

    sample_weights, class_weights = sample_weights_for(y_train)
    sampler = WeightedRandomSampler(sample_weights, num_samples=len(sample_weights),
                                    replacement=True,
                                    generator=torch.Generator().manual_seed(0))
    replay = DataLoader(train_set, batch_size=batch_size, sampler=ReplaySampler(orders),
                        drop_last=True)

    # the sampler balances the classes; the loss weights them more gently on top of it
    criterion = nn.CrossEntropyLoss(weight=class_weights.sqrt() / class_weights.sqrt().sum()
                                    * N_CLASSES, label_smoothing=0.1)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4,
                          nesterov=True)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    numbers = []
    model.train()
    for epoch in range(steps):
        running = 0.0
        for xb, yb in replay:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item()
        scheduler.step()
        numbers += [running / len(replay), scheduler.get_last_lr()[0]]
        numbers += list(evaluate(model, test_loader, criterion))
    numbers += model.net[1].running_mean[:4].tolist() + model.net[1].running_var[:4].tolist()
    numbers.append(float(model.net[1].num_batches_tracked))
    # Dropout is off in eval: two passes agree
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(x_test[:8]), model(x_test[:8]))
    model.train()
    # an epoch with the weighted sampler itself (its draws are not compared)
    loader = DataLoader(train_set, batch_size=batch_size, sampler=sampler)
    seen = torch.zeros(N_CLASSES, dtype=torch.long)
    for xb, yb in loader:
        seen += torch.bincount(yb, minlength=N_CLASSES)
    print("classes seen by the weighted sampler:", seen.tolist())
    return numbers


if __name__ == "__main__":
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 4, "cpu"))
