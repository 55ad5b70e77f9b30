"""Pruning a LeNet, after the pruning tutorial: l1_unstructured then ln_structured on conv1
(iterative pruning, a PruningContainer hook), the weight_orig/weight_mask names in
named_parameters/named_buffers/state_dict, global_unstructured across layers with the
global sparsity reported per layer; then fine-tuning (pruned entries stay zero because the
forward pre-hook reapplies the mask), prune.remove to make it permanent, and a state_dict
round trip into an unpruned model."""
import io

import ember as torch
from ember import nn
import ember.nn.functional as F
import ember.nn.utils.prune as prune


class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square conv kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 60)  # 5x5 image dimension
        self.fc2 = nn.Linear(60, 40)
        self.fc3 = nn.Linear(40, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, int(x.nelement() / x.shape[0]))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def make_model(device):
    return LeNet().to(device)


def make_data(rng, steps=4, batch_size=8):
    images = rng.standard_normal((steps, batch_size, 1, 32, 32)).astype("float32")
    labels = rng.integers(0, 10, (steps, batch_size))
    return images, labels


def sparsity(tensor):
    return float(torch.sum(tensor == 0)) / float(tensor.nelement())


def train(model, data, steps, device):
    images, labels = data
    numbers = []
    module = model.conv1
    prune.l1_unstructured(module, name="weight", amount=0.3)
    prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
    for hook in module._forward_pre_hooks.values():
        if hook._tensor_name == "weight":  # select out the correct hook
            break
    numbers += [float(len(list(hook))), sparsity(module.weight)]
    numbers += [float(len(list(module.named_parameters()))), float(len(list(module.named_buffers())))]
    prune.l1_unstructured(module, name="bias", amount=3)
    numbers += module.bias.tolist()

    parameters_to_prune = (
        (model.conv2, 'weight'),
        (model.fc1, 'weight'),
        (model.fc2, 'weight'),
        (model.fc3, 'weight'),
    )
    prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured,
                              amount=0.2)
    for layer, name in parameters_to_prune:
        numbers.append(sparsity(getattr(layer, name)))
    total_zeros = sum(torch.sum(getattr(layer, name) == 0) for layer, name in parameters_to_prune)
    total = sum(getattr(layer, name).nelement() for layer, name in parameters_to_prune)
    numbers.append(float(total_zeros) / float(total))
    numbers.append(float(len(model.state_dict())))

    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for step in range(steps):
        x = torch.from_numpy(images[step]).to(device)
        y = torch.from_numpy(labels[step]).to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        numbers += [loss.item(), sparsity(model.fc1.weight)]

    for layer, name in parameters_to_prune + ((model.conv1, "weight"), (model.conv1, "bias")):
        prune.remove(layer, name)
    numbers.append(float(prune.is_pruned(model)))
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    clone = LeNet().to(device)
    clone.load_state_dict(torch.load(buffer))
    with torch.no_grad():
        out = clone(torch.from_numpy(images[0]).to(device))
    numbers += out[0].tolist() + [sparsity(clone.conv2.weight)]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
