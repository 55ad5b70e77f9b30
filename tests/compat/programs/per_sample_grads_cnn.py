"""Per-sample gradients of a small convnet with torch.func, as in PyTorch's per-sample
gradients tutorial: functional_call over detached parameters, grad of a one-sample loss,
vmap over the batch (conv and max-pool inside vmap); then a DP-SGD-style clipped step."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.func import functional_call, grad, vmap


class SimpleCNN(nn.Module):
    def __init__(self):
        super(SimpleCNN, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.fc1 = nn.Linear(4 * 5 * 5, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, 2)
        x = torch.flatten(x, 1)
        return F.log_softmax(self.fc1(x), dim=1)


def make_model(device):
    return SimpleCNN().to(device)


def make_data(rng, steps=4, batch_size=8):
    images = rng.standard_normal((steps, batch_size, 1, 12, 12)).astype("float32")
    labels = rng.integers(0, 10, (steps, batch_size))
    return images, labels


def train(model, data, steps, device, lr=0.1, max_norm=1.0):
    images, labels = data
    numbers = []
    for step in range(steps):
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def compute_loss(params, buffers, sample, target):
            batch = sample.unsqueeze(0)
            targets = target.unsqueeze(0)
            predictions = functional_call(model, (params, buffers), (batch,))
            return F.nll_loss(predictions, targets)

        ft_compute_sample_grad = vmap(grad(compute_loss), in_dims=(None, None, 0, 0))
        data_t = torch.from_numpy(images[step]).to(device)
        targets = torch.from_numpy(labels[step]).to(device)
        per_sample_grads = ft_compute_sample_grad(params, buffers, data_t, targets)
        norms = torch.stack([g.flatten(1).norm(dim=1) for g in per_sample_grads.values()]
                            ).norm(dim=0)
        factor = (max_norm / (norms + 1e-6)).clamp(max=1.0)
        with torch.no_grad():
            for name, p in model.named_parameters():
                g = per_sample_grads[name]
                clipped = g * factor.view(-1, *([1] * (g.dim() - 1)))
                p -= lr * clipped.mean(0)
            loss = F.nll_loss(model(data_t), targets)
        numbers += norms.tolist() + [loss.item()]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
