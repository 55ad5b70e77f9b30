"""A custom autograd.Function, after PyTorch's tutorial "LegendrePolynomial3": fit
y = sin(x) with a + b * P3(c + d * x), with forward/backward written by hand."""
import math

import ember as torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.full((), 0.0))
        self.b = torch.nn.Parameter(torch.full((), -1.0))
        self.c = torch.nn.Parameter(torch.full((), 0.0))
        self.d = torch.nn.Parameter(torch.full((), 0.3))

    def forward(self, x):
        P3 = LegendrePolynomial3.apply
        return self.a + self.b * P3(self.c + self.d * x)


def make_model(device):
    return Model().to(device)


def make_data(rng):
    return None


def train(model, data, steps, device, learning_rate=5e-6):
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float32, device=device)
    y = torch.sin(x)
    numbers = []
    for t in range(steps):
        y_pred = model(x)
        loss = (y_pred - y).pow(2).sum()
        numbers.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (model.a, model.b, model.c, model.d):
                p -= learning_rate * p.grad
                p.grad = None
    print(f"Result: y = {model.a.item()} + {model.b.item()} * P3({model.c.item()} "
          f"+ {model.d.item()} x)")
    return numbers + [p.item() for p in (model.a, model.b, model.c, model.d)]


if __name__ == "__main__":
    train(make_model("cpu"), None, 2000, "cpu")
