"""Fit y = w x + b by plain gradient descent, using only Ember tensors and autograd.

Run it with ``python examples/linear_regression.py``. It prints the loss as it
trains, then checks the result against the closed-form least-squares fit.
"""
import numpy

import ember

TRUE_W, TRUE_B = 2.5, -1.0


def make_data(count=200, seed=0):
    """Noisy samples of the line y = 2.5 x - 1, as NumPy arrays."""
    rng = numpy.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, count)
    y = TRUE_W * x + TRUE_B + rng.normal(0.0, 0.3, count)
    return x, y


def fit(x, y, steps=200, lr=0.1, report_every=20):
    """Gradient descent on the mean squared error; returns (w, b) as floats."""
    inputs = ember.tensor(x, dtype=ember.float32)
    targets = ember.tensor(y, dtype=ember.float32)
    w = ember.zeros((), requires_grad=True)
    b = ember.zeros((), requires_grad=True)
    for step in range(steps + 1):
        loss = ((w * inputs + b - targets) ** 2).mean()
        if step % report_every == 0:
            print(f"step {step:4d}  loss {loss.item():.6f}  w {w.item():+.6f}  b {b.item():+.6f}")
        loss.backward()
        with ember.no_grad():  # the update itself must not be recorded
            w.sub_(w.grad * lr)
            b.sub_(b.grad * lr)
        w.grad, b.grad = None, None
    return w.item(), b.item()


def closed_form(x, y):
    """The least-squares line, solved directly."""
    design = numpy.stack([x, numpy.ones_like(x)], axis=1)
    (w, b), *_ = numpy.linalg.lstsq(design, y, rcond=None)
    return float(w), float(b)


def main():
    x, y = make_data()
    w, b = fit(x, y)
    exact_w, exact_b = closed_form(x, y)
    error = max(abs(w - exact_w), abs(b - exact_b))
    print(f"gradient descent: w = {w:.6f}, b = {b:.6f}")
    print(f"least squares:    w = {exact_w:.6f}, b = {exact_b:.6f}")
    print(f"largest difference {error:.2e} ({'match' if error < 1e-4 else 'MISMATCH'} to 1e-4)")
    return {"w": w, "b": b, "exact_w": exact_w, "exact_b": exact_b, "error": error}


if __name__ == "__main__":
    main()
