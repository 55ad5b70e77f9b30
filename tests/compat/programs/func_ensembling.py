"""Model ensembling and forward-mode products with torch.func, after the ensembling and
jacobians/hessians tutorials: stack_module_state over several MLPs (their BatchNorm made
statistics-free by replace_all_batch_norm_modules_), functional_call on a base copy, vmap
over models with distinct or shared minibatches (checked against a Python loop), the
ensemble trained with grad over the stacked parameters; then Hessian-vector products of one
model's loss as jvp(grad(f)), linearize, and the same product from torch.autograd."""
import copy

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.func import (functional_call, grad, jvp, linearize, replace_all_batch_norm_modules_,
                        stack_module_state, vmap)

NUM_MODELS = 4


class SimpleMLP(nn.Module):
    def __init__(self):
        super(SimpleMLP, self).__init__()
        self.fc1 = nn.Linear(36, 16)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 16)
        self.fc3 = nn.Linear(16, 5)

    def forward(self, x):
        x = x.flatten(1)
        x = F.relu(self.bn(self.fc1(x)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def make_model(device):
    return tuple(SimpleMLP().to(device) for _ in range(NUM_MODELS))


def make_data(rng, steps=4, batch_size=8):
    minibatches = rng.standard_normal((steps, NUM_MODELS, batch_size, 1, 6, 6)).astype("float32")
    targets = rng.integers(0, 5, (steps, NUM_MODELS, batch_size))
    vector = rng.standard_normal(5).astype("float32")
    return minibatches, targets, vector


def train(models, data, steps, device, lr=0.1):
    models = [replace_all_batch_norm_modules_(model) for model in models]
    minibatches_all, targets_all, vector = data
    numbers = []

    # the loop every model runs on its own minibatch, to compare vmap against
    minibatches = torch.from_numpy(minibatches_all[0]).to(device)
    predictions_diff_minibatch_loop = [model(minibatch) for model, minibatch in
                                       zip(models, minibatches)]
    minibatch = minibatches[0]
    predictions2 = [model(minibatch) for model in models]

    params, buffers = stack_module_state(models)
    base_model = copy.deepcopy(models[0])

    def fmodel(params, buffers, x):
        return functional_call(base_model, (params, buffers), (x,))

    predictions1_vmap = vmap(fmodel)(params, buffers, minibatches)
    predictions2_vmap = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, minibatch)
    numbers.append((predictions1_vmap - torch.stack(predictions_diff_minibatch_loop)).abs().max()
                   .item())
    numbers.append((predictions2_vmap - torch.stack(predictions2)).abs().max().item())
    numbers += predictions1_vmap[:, 0].flatten().tolist()

    # train the whole ensemble at once: one loss per model, gradients of their sum
    def ensemble_loss(params, buffers, x, y):
        logits = vmap(fmodel)(params, buffers, x)
        losses = vmap(F.cross_entropy)(logits, y)
        return losses.sum(), losses

    for step in range(steps):
        x = torch.from_numpy(minibatches_all[step]).to(device)
        y = torch.from_numpy(targets_all[step]).to(device)
        grads, losses = grad(ensemble_loss, has_aux=True)(params, buffers, x, y)
        with torch.no_grad():
            for name in params:
                params[name] -= lr * grads[name]
        numbers += losses.tolist()

    # Hessian-vector products of one model's loss with respect to its last layer's bias
    head = {k: v[0].detach() for k, v in params.items()}
    x0 = torch.from_numpy(minibatches_all[0][0]).to(device)
    y0 = torch.from_numpy(targets_all[0][0]).to(device)

    def loss_of_bias(bias):
        p = dict(head)
        p["fc3.bias"] = bias
        return F.cross_entropy(functional_call(base_model, p, (x0,)), y0)

    v = torch.from_numpy(vector).to(device)
    bias = head["fc3.bias"]
    value, hvp = jvp(grad(loss_of_bias), (bias,), (v,))
    numbers += value.tolist() + hvp.tolist()
    out, jvp_fn = linearize(lambda b: F.softmax(b * 3.0, dim=0), bias)
    numbers += out.tolist() + jvp_fn(v).tolist() + jvp_fn(2 * v).tolist()
    _, hvp_autograd = torch.autograd.functional.hvp(loss_of_bias, bias, v)
    numbers += hvp_autograd.tolist()
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
