"""Module and tensor hooks, after the hooks sections of the nn.Module and autograd docs and
the "optimizer step in backward" recipe: forward hooks that collect intermediate features
(feature extraction) and one that replaces an output, forward pre-hooks that rescale an input
(one with kwargs), full backward hooks that record grad_output and clamp grad_input, a full
backward pre-hook that scales grad_output, prepend=True ordering, tensor hooks on an
activation and on the parameters (gradient clipping by hooks), handles removed (also as a
context manager), and finally training with each parameter's own Adam stepped from
register_post_accumulate_grad_hook, which must match one Adam stepped after backward."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(4 * 4 * 4, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x, scale=1.0):
        x = self.pool(F.relu(self.conv(x)))
        x = torch.flatten(x, 1) * scale
        return self.fc2(torch.tanh(self.fc1(x)))


def make_model(device):
    return Net().to(device), Net().to(device)


def make_data(rng, n=12):
    x = rng.standard_normal((n, 1, 8, 8)).astype("float32")
    y = rng.integers(0, 3, size=n)
    return x, y


def feature_extraction(model, x):
    activation = {}

    def get_activation(name):
        def hook(model, input, output):
            activation[name] = output.detach()
        return hook

    handles = [model.conv.register_forward_hook(get_activation("conv")),
               model.fc1.register_forward_hook(get_activation("fc1"))]
    output = model(x)
    for handle in handles:
        handle.remove()
    return output, activation


def hooked_step(model, x, y):
    numbers = []
    order = []

    # pre-hooks: the first returns a new args tuple, the second (with kwargs) new kwargs
    def double_input(module, args):
        order.append(1.0)
        return (args[0] * 2,)

    def half_scale(module, args, kwargs):
        order.append(2.0)
        return args, {"scale": kwargs.get("scale", 1.0) * 0.5}

    def replace_output(module, input, output):
        order.append(3.0)
        return output + 1

    def first(module, input, output):
        order.append(4.0)

    h1 = model.register_forward_pre_hook(double_input)
    h2 = model.register_forward_pre_hook(half_scale, with_kwargs=True)
    h3 = model.fc2.register_forward_hook(replace_output)
    h4 = model.fc2.register_forward_hook(first, prepend=True)

    grad_outputs = {}

    def record_grad_output(module, grad_input, grad_output):
        grad_outputs[type(module).__name__] = grad_output[0].detach().clone()

    def clamp_grad_input(module, grad_input, grad_output):
        return tuple(None if g is None else g.clamp(-0.01, 0.01) for g in grad_input)

    def scale_grad_output(module, grad_output):
        return (grad_output[0] * 3,)

    h5 = model.fc1.register_full_backward_hook(record_grad_output)
    h6 = model.fc2.register_full_backward_hook(clamp_grad_input)
    h7 = model.fc2.register_full_backward_pre_hook(scale_grad_output)

    activation_grads = []
    out = model(x, scale=1.0)
    out.register_hook(lambda grad: activation_grads.append(grad.abs().sum().item()))
    loss = F.cross_entropy(out, y)
    loss.backward()
    numbers += [loss.item()] + order + activation_grads
    numbers += grad_outputs["Linear"].flatten()[:10].tolist()
    numbers += [p.grad.abs().sum().item() for p in model.parameters()]
    for handle in (h1, h2, h3, h4, h5, h6, h7):
        handle.remove()

    # after removal nothing runs and the output is the plain forward's
    order.clear()
    model.zero_grad()
    with model.fc2.register_forward_hook(replace_output):
        hooked = model(x)
    plain = model(x)
    numbers += [len(order), (hooked - plain).mean().item()]
    return numbers


def clipped_training(model, x, y, steps, clip_value=0.05):
    # gradient clipping by hooks: every parameter's gradient is clamped as it is computed
    handles = [p.register_hook(lambda grad: torch.clamp(grad, -clip_value, clip_value))
               for p in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        losses.append(max(p.grad.abs().max().item() for p in model.parameters()))
        optimizer.step()
        losses.append(loss.item())
    for handle in handles:
        handle.remove()
    return losses


def optimizer_in_backward(model, reference, x, y, steps):
    # Instead of having just *one* optimizer, we will have a ``dict`` of optimizers
    # for every parameter so we could reference them in our hook.
    optimizer_dict = {p: torch.optim.Adam([p], lr=0.01, foreach=False) for p in model.parameters()}

    # Define our hook, which will call the optimizer ``step()`` and ``zero_grad()``
    def optimizer_hook(parameter) -> None:
        optimizer_dict[parameter].step()
        optimizer_dict[parameter].zero_grad()

    # Register the hook onto every parameter
    for p in model.parameters():
        p.register_post_accumulate_grad_hook(optimizer_hook)

    optimizer = torch.optim.Adam(reference.parameters(), lr=0.01, foreach=False)
    numbers = []
    for step in range(steps):
        loss = F.cross_entropy(model(x), y)
        loss.backward()  # the hooks step the optimizers; there is no optimizer.step() here
        optimizer.zero_grad()
        ref_loss = F.cross_entropy(reference(x), y)
        ref_loss.backward()
        optimizer.step()
        numbers += [loss.item(), ref_loss.item()]
    numbers += [float(all(p.grad is None for p in model.parameters()))]
    numbers += [max((p - q).abs().max().item() for p, q in zip(model.parameters(),
                                                               reference.parameters()))]
    return numbers


def train(model, data, steps, device):
    net, other = model
    x, y = (torch.from_numpy(a).to(device) for a in data)
    output, activation = feature_extraction(net, x)
    numbers = output.flatten().tolist()
    numbers += [activation["conv"].shape[1], activation["conv"].mean().item(),
                activation["fc1"].abs().sum().item()]
    numbers += hooked_step(net, x, y)
    numbers += clipped_training(net, x, y, steps)
    other.load_state_dict(net.state_dict())
    fresh = Net().to(device)
    fresh.load_state_dict(net.state_dict())
    numbers += optimizer_in_backward(fresh, other, x, y, steps)
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
