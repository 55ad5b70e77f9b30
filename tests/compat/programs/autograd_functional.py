"""The higher-level autograd API (torch.autograd.functional), after its documentation's
examples: jacobian of one and of several inputs (also vectorized, and in forward mode),
hessian of a scalar function of one and two inputs, vjp, jvp, hvp and vhp (with their
outputs), create_graph for a gradient through a Jacobian; then Newton's method on a
logistic regression, the Hessian of its loss in the flattened weights built with
torch.autograd.functional.hessian and solved with torch.linalg.solve, against a few steps
of plain gradient descent on an nn.Linear of the same start."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def exp_reducer(x):
    return x.exp().sum(dim=1)


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


def pow_reducer(x):
    return x.pow(3).sum()


def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()


def make_model(device):
    return nn.Linear(4, 1).double().to(device)


def make_data(rng, n=32):
    x = rng.standard_normal((n, 4))
    y = (x @ [1.0, -2.0, 0.5, 0.0] + 0.3 * rng.standard_normal(n) > 0).astype("float64")
    small = [rng.random(shape) for shape in [(2, 2), (2,), (2,), (4, 4), (4,), (4,)]]
    return x, y, small


def api_examples(small):
    numbers = []
    a, b, c, d, v4, u4 = (torch.tensor(s) for s in small)

    inputs = a.clone()
    jac = jacobian(exp_reducer, inputs)
    numbers += jac.flatten().tolist() + list(jac.shape)
    jac = jacobian(exp_reducer, inputs, create_graph=True, vectorize=True)
    numbers.append(float(jac.requires_grad))
    jac_fwd = jacobian(exp_reducer, inputs, vectorize=True, strategy="forward-mode")
    numbers += jac_fwd.flatten().tolist()

    inputs = (b.clone(), c.clone())
    dx, dy = jacobian(exp_adder, inputs)
    numbers += dx.flatten().tolist() + dy.flatten().tolist()

    h = hessian(pow_reducer, a.clone())
    numbers += h.flatten().tolist() + list(h.shape)
    (hxx, hxy), (hyx, hyy) = hessian(pow_adder_reducer, (b.clone(), c.clone()))
    numbers += hxx.flatten().tolist() + hxy.flatten().tolist() + hyy.flatten().tolist()
    h_vec = hessian(pow_reducer, b.clone(), vectorize=True, outer_jacobian_strategy="forward-mode")
    numbers += h_vec.flatten().tolist()

    out, product = vjp(exp_reducer, d.clone(), torch.ones(4, dtype=torch.float64))
    numbers += out.tolist() + product.flatten().tolist()
    out, products = vjp(exp_adder, (b.clone(), c.clone()), torch.ones(2, dtype=torch.float64))
    numbers += products[0].tolist() + products[1].tolist()

    out, product = jvp(exp_reducer, d.clone(), torch.ones(4, 4, dtype=torch.float64))
    numbers += out.tolist() + product.tolist()
    out, product = jvp(exp_adder, (b.clone(), c.clone()), (v4[:2], u4[:2]))
    numbers += product.tolist()

    out, product = hvp(pow_reducer, d.clone(), torch.ones(4, 4, dtype=torch.float64))
    numbers += [out.item()] + product.flatten().tolist()
    out, products = vhp(pow_adder_reducer, (b.clone(), c.clone()), (v4[:2], u4[:2]))
    numbers += [out.item()] + products[0].tolist() + products[1].tolist()

    # create_graph: the Jacobian is itself differentiable
    x = b.clone().requires_grad_()
    jac = jacobian(lambda t: t.sin() * t.sum(), x, create_graph=True)
    jac.trace().backward()
    numbers += x.grad.tolist()
    return numbers


def newton(model, x, y, steps):
    w0 = torch.cat([model.weight.detach().flatten(), model.bias.detach()])

    def loss_fn(w):
        logits = x @ w[:4] + w[4]
        return F.binary_cross_entropy_with_logits(logits, y)

    w = w0.clone()
    numbers = []
    for step in range(steps):
        loss = loss_fn(w)
        g = jacobian(loss_fn, w)
        H = hessian(loss_fn, w)
        w = w - torch.linalg.solve(H + 1e-3 * torch.eye(5, dtype=H.dtype), g)
        numbers += [loss.item(), g.norm().item(), torch.linalg.eigvalsh(H).min().item()]
    numbers.append(loss_fn(w).item())
    return numbers


def train(model, data, steps, device):
    x, y, small = data
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    numbers = api_examples(small)
    numbers += newton(model, x, y, steps)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for step in range(steps):
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
