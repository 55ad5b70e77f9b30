"""The "Learn the Basics" quickstart: a FashionMNIST-shaped classifier (Flatten then a
Sequential of Linear/ReLU), train and test loops over DataLoaders, model.eval() with
torch.no_grad() for the test pass, accuracy; Subset/random_split for the splits, then the
state_dict saved, loaded into a fresh model, and its predictions compared."""
import io

import ember as torch
from ember import nn
from ember.utils.data import DataLoader, Subset, TensorDataset, random_split

classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 64),
            nn.ReLU(),
            nn.Linear(64, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def make_model(device):
    return NeuralNetwork().to(device)


def make_data(rng, n=96):
    # ten "garments": a class template plus noise, so the network has something to learn
    templates = rng.random((10, 1, 28, 28)).astype("float32")
    labels = rng.integers(0, 10, n)
    images = templates[labels] + 0.5 * rng.random((n, 1, 28, 28)).astype("float32")
    return images.astype("float32"), labels


def train_loop(dataloader, model, loss_fn, optimizer, device):
    size = len(dataloader.dataset)
    model.train()
    losses = []
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if batch % 2 == 0:
            current = (batch + 1) * len(X)
            print(f"loss: {loss.item():>7f}  [{current:>5d}/{size:>5d}]")
    return losses


def test_loop(dataloader, model, loss_fn, device):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return test_loss, correct


def train(model, data, steps, device, batch_size=16):
    images, labels = data
    full = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    # the split sizes (which samples land where depends on each library's generator)
    parts = random_split(full, [0.75, 0.25], generator=torch.Generator().manual_seed(42))
    numbers = [float(len(part)) for part in parts]
    training_data = Subset(full, range(0, 64))
    test_data = Subset(full, list(range(64, len(full))))
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
    for t in range(steps):
        print(f"Epoch {t + 1}\n-------------------------------")
        numbers += train_loop(train_dataloader, model, loss_fn, optimizer, device)
        numbers += list(test_loop(test_dataloader, model, loss_fn, device))

    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    model = NeuralNetwork().to(device)
    model.load_state_dict(torch.load(buffer, weights_only=True))
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        pred = model(x.to(device))
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
        print(f'Predicted: "{predicted}", Actual: "{actual}"')
        numbers += pred[0].tolist()
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
