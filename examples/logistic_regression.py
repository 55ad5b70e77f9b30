"""Fit p(y = 1 | x) = 1 / (1 + exp(-(w . x + b))) by mini-batch SGD on two seeded Gaussian blobs.

Run it with ``python examples/logistic_regression.py``. It prints the loss and
the held-out accuracy after every epoch.
"""
import numpy

import ember


def make_blobs(count, rng):
    """``count`` 2-D points: half near (-1.5, -1.5) labelled 0, half near (1.5, 1.5) labelled 1."""
    labels = numpy.arange(count) % 2
    centres = numpy.where(labels[:, None] == 1, 1.5, -1.5)
    points = centres + rng.normal(0.0, 1.0, (count, 2))
    return (ember.tensor(points, dtype=ember.float32),
            ember.tensor(labels, dtype=ember.float32))


def logits(points, w, b):
    return points @ w + b


def loss_fn(z, labels):
    """Binary cross-entropy written on logits: softplus(z) - y z never takes log(0)."""
    return (ember.softplus(z) - labels * z).mean()


def accuracy(points, labels, w, b):
    with ember.no_grad():
        predicted = logits(points, w, b).sigmoid() > 0.5
        return (predicted == (labels > 0.5)).float().mean().item()


def train(points, labels, test, rng, epochs=10, batch_size=32, lr=0.5):
    w = ember.zeros(2, requires_grad=True)
    b = ember.zeros((), requires_grad=True)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(labels))  # a fresh shuffle every epoch
        for start in range(0, len(order), batch_size):
            batch = ember.tensor(order[start:start + batch_size])
            loss = loss_fn(logits(points[batch], w, b), labels[batch])
            loss.backward()
            with ember.no_grad():
                w.sub_(w.grad * lr)
                b.sub_(b.grad * lr)
            w.grad, b.grad = None, None
        with ember.no_grad():
            epoch_loss = loss_fn(logits(points, w, b), labels).item()
        print(f"epoch {epoch:2d}  loss {epoch_loss:.4f}  "
              f"test accuracy {accuracy(*test, w, b):.2%}")
    return w, b


def main(seed=0):
    rng = numpy.random.default_rng(seed)
    points, labels = make_blobs(1000, rng)
    test = make_blobs(500, rng)
    w, b = train(points, labels, test, rng)
    result = {"train_accuracy": accuracy(points, labels, w, b),
              "accuracy": accuracy(*test, w, b),
              "w": w.tolist(), "b": b.item()}
    print(f"w = {result['w']}, b = {result['b']:.4f}, held-out accuracy {result['accuracy']:.2%}")
    return result


if __name__ == "__main__":
    main()
