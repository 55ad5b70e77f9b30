"""The "Tensors" and "Automatic Differentiation with torch.autograd" basics: tensors from
data, NumPy and other tensors, attributes, indexing and slicing, cat/stack, the three ways of
matrix and elementwise products (operator, function, out=), in-place ops, the NumPy bridge
(shared memory both ways); then autograd: requires_grad, backward with a gradient argument,
grads accumulating and zeroed, retain_grad on a non-leaf, a tensor hook, no_grad/detach, a
frozen layer in a model, torch.autograd.grad with create_graph for a second derivative; and a
few steps of a one-layer network trained with manual updates."""
import numpy as np

import ember as torch
import ember.nn as nn


def make_model(device):
    return nn.Linear(5, 3).to(device)


def make_data(rng):
    return (rng.standard_normal((4, 4)).astype("float32"), rng.standard_normal((8, 5)).astype("float32"),
            rng.standard_normal((8, 3)).astype("float32"))


def tensor_basics(matrix):
    numbers = []
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    x_ones = torch.ones_like(x_data)
    x_rand = torch.zeros_like(x_data, dtype=torch.float) + 0.5
    numbers += [float(x_np.sum()), float(x_ones.sum()), float(x_rand.sum())]
    shape = (2, 3,)
    ones_tensor = torch.ones(shape)
    numbers += [float(ones_tensor.sum()), float(torch.zeros(shape).sum())]
    tensor = torch.from_numpy(matrix.copy())
    numbers += list(tensor.shape) + [float(tensor.dtype == torch.float32)]
    numbers += tensor[0].tolist() + tensor[:, 0].tolist() + tensor[..., -1].tolist()
    tensor[:, 1] = 0
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    numbers += list(t1.shape) + [float(torch.stack([tensor, tensor]).shape[0])]
    # three ways of a matrix product ...
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    # ... and of an elementwise product
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    numbers += [float((y1 - y2).abs().max()), float((y1 - y3).abs().max()),
                float((z1 - z2).abs().max()), float((z1 - z3).abs().max()), y1.sum().item()]
    agg = tensor.sum()
    agg_item = agg.item()
    numbers.append(agg_item)
    tensor.add_(5)
    numbers.append(tensor.sum().item())
    # the NumPy bridge shares memory both ways
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    numbers += n.tolist()
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    numbers += t.tolist()
    return numbers


def autograd_basics():
    numbers = []
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor([[0.1 * (i - j) for j in range(3)] for i in range(5)], requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    numbers += w.grad.flatten().tolist() + b.grad.tolist()
    numbers += [float(z.requires_grad), float(w.is_leaf), float(z.is_leaf)]
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    numbers.append(float(z.requires_grad))
    z_det = (torch.matmul(x, w) + b).detach()
    numbers.append(float(z_det.requires_grad))

    # backward with a gradient argument, accumulation and zeroing
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    numbers += inp.grad.flatten().tolist()
    out.backward(torch.ones_like(out), retain_graph=True)
    numbers += inp.grad.flatten().tolist()
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    numbers += inp.grad.flatten().tolist()

    # retain_grad and a hook on a non-leaf
    a = torch.tensor([2., 3.], requires_grad=True)
    c = torch.tensor([6., 4.], requires_grad=True)
    q = 3 * a ** 3 - c ** 2
    q.retain_grad()
    seen = []
    handle = q.register_hook(lambda grad: seen.append(grad.clone()) or grad * 2)
    external_grad = torch.tensor([1., 1.])
    q.backward(gradient=external_grad)
    handle.remove()
    numbers += a.grad.tolist() + c.grad.tolist() + q.grad.tolist() + seen[0].tolist()
    # the hook doubled the gradient flowing on from q
    numbers.append(float(torch.all(9 * a ** 2 == a.grad / 2)))

    # a second derivative with create_graph
    s = torch.tensor(1.5, requires_grad=True)
    (ds,) = torch.autograd.grad(s ** 4, s, create_graph=True)
    (dds,) = torch.autograd.grad(ds, s)
    numbers += [ds.item(), dds.item()]
    return numbers


def train(model, data, steps, device, learning_rate=0.1):
    matrix, x_np, y_np = data
    numbers = tensor_basics(matrix) + autograd_basics()
    # a frozen model, then only the new head trains
    frozen = nn.Sequential(model, nn.Tanh())
    for param in model.parameters():
        param.requires_grad = False
    head = nn.Linear(3, 3)
    with torch.no_grad():
        head.weight.copy_(torch.eye(3) * 0.5)
        head.bias.zero_()
    x, y = torch.from_numpy(x_np).to(device), torch.from_numpy(y_np).to(device)
    for t in range(steps):
        y_pred = head(frozen(x))
        loss = (y_pred - y).pow(2).sum()
        numbers.append(loss.item())
        head.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in head.parameters():
                param -= learning_rate * param.grad
    numbers += [float(model.weight.grad is None), float(sum(p.requires_grad for p in frozen.parameters()))]
    return numbers


if __name__ == "__main__":
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
