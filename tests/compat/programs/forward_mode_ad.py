"""Forward-mode AD, after the forward-mode AD tutorial: dual tensors (make_dual/unpack_dual in
a dual_level), directional derivatives of a module's output with respect to its parameters
(parameters swapped for duals, and through functional_call), torch.func.jvp and linearize
for the same products, a Jacobian-vector product checked against a finite difference, and
gradcheck on the functions used; then the directional derivatives drive a few steps of
training (a forward-gradient update along random directions, as in "gradients without
backpropagation")."""
import ember as torch
import ember.autograd.forward_ad as fwAD
import ember.nn as nn
import ember.nn.functional as F
from ember.func import functional_call, jvp, linearize


def fn(x, y):
    return x ** 2 + y ** 2


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def make_model(device):
    return Regressor().to(device)


def make_data(rng, steps=6):
    x = rng.standard_normal((16, 5)).astype("float32")
    y = (x[:, :1] * 2 - x[:, 1:2]).astype("float32")
    directions = rng.standard_normal((steps, 2)).astype("float32")
    primal = rng.standard_normal((10,)).astype("float64")
    tangent = rng.standard_normal((10,)).astype("float64")
    return x, y, directions, primal, tangent


def train(model, data, steps, device, lr=0.01):
    x_np, y_np, directions, primal_np, tangent_np = data
    x, y = torch.from_numpy(x_np).to(device), torch.from_numpy(y_np).to(device)
    numbers = []

    # dual tensors: the tangent of fn at (primal, 1.0) in the direction (tangent, 0)
    primal = torch.from_numpy(primal_np)
    tangent = torch.from_numpy(tangent_np)
    with fwAD.dual_level():
        dual_input = fwAD.make_dual(primal, tangent)
        assert fwAD.unpack_dual(dual_input).tangent is tangent
        dual_output = fn(dual_input, torch.tensor(1.0, dtype=torch.float64))
        jvp_out = fwAD.unpack_dual(dual_output).tangent
    assert fwAD.unpack_dual(dual_output).tangent is None
    numbers += jvp_out.tolist()
    # the same product by torch.func, and against a central difference
    _, jvp_func = jvp(lambda p: fn(p, torch.tensor(1.0, dtype=torch.float64)), (primal,), (tangent,))
    eps = 1e-6
    difference = (fn(primal + eps * tangent, 1.0) - fn(primal - eps * tangent, 1.0)) / (2 * eps)
    numbers += [(jvp_func - jvp_out).abs().max().item(), (difference - jvp_out).abs().max().item()]

    # a module's directional derivative with respect to its parameters
    params = {name: p for name, p in model.named_parameters()}
    tangents = {name: torch.ones_like(p) * 0.1 for name, p in params.items()}
    with fwAD.dual_level():
        dual_params = {name: fwAD.make_dual(p, tangents[name]) for name, p in params.items()}
        out = functional_call(model, dual_params, (x,))
        jvp_params = fwAD.unpack_dual(out).tangent
    numbers += jvp_params[:4, 0].tolist()
    out, jvp_fn = linearize(lambda p: functional_call(model, p, (x,)), params)
    numbers.append((jvp_fn(tangents) - jvp_params).abs().max().item())

    # gradcheck of fn and of the model's loss, both on float64 copies
    check = torch.autograd.gradcheck(fn, (primal.clone().requires_grad_(),
                                          torch.tensor(1.0, dtype=torch.float64, requires_grad=True)),
                                     check_forward_ad=True)
    numbers.append(float(check))

    # forward-gradient training: loss derivative along a random direction per step
    names = list(params)
    for step in range(steps):
        directions_t = {name: torch.ones_like(params[name]) * float(directions[step][i % 2])
                        * (1.0 if i % 2 == 0 else -1.0) for i, name in enumerate(names)}

        def loss_of(p):
            return F.mse_loss(functional_call(model, p, (x,)), y)
        frozen = {name: p.detach() for name, p in params.items()}
        loss, directional = jvp(loss_of, (frozen,), (directions_t,))
        with torch.no_grad():
            for name in names:
                params[name] -= lr * directional * directions_t[name]
        numbers += [loss.item(), directional.item()]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 4, "cpu"))
