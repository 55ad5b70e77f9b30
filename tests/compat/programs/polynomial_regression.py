"""Fit a degree-4 polynomial to a random target polynomial with one Linear layer, as in
PyTorch's official regression example, and print the fitted formula."""
import ember as torch
import ember.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = "y = "
    for i, w in enumerate(W):
        result += "{:+.2f} x^{} ".format(w, i + 1)
    result += "{:+.2f}".format(b[0])
    return result


def make_model(device):
    return torch.nn.Linear(POLY_DEGREE, 1).to(device)


def make_data(rng, steps=64, batch_size=32):
    w_target = rng.standard_normal((POLY_DEGREE, 1)).astype("float32") * 5
    b_target = rng.standard_normal(1).astype("float32") * 5
    xs = rng.standard_normal((steps, batch_size)).astype("float32")
    return w_target, b_target, xs


def train(fc, data, steps, device):
    w_np, b_np, xs = data
    W_target = torch.from_numpy(w_np)
    b_target = torch.from_numpy(b_np)

    def f(x):
        return x.mm(W_target) + b_target.item()

    numbers = []
    for batch_idx in range(steps):
        batch_x = make_features(torch.from_numpy(xs[batch_idx]))
        batch_y = f(batch_x)
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        numbers.append(loss)
        if loss < 1e-3:
            break
    print("Loss: {:.6f} after {} batches".format(loss, batch_idx))
    print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
    print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))
    return numbers + fc.weight.view(-1).tolist() + fc.bias.tolist()


if __name__ == "__main__":
    import numpy as np
    fc = make_model("cpu")
    train(fc, make_data(np.random.default_rng(0), steps=2000), 2000, "cpu")
