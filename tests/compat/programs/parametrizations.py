"""Parametrizations, after the parametrizations tutorial: a symmetric weight (triu plus its
transpose), a skew-symmetric one chained with matrix_exp to make it orthogonal, a Cayley map
with a buffer and linalg.solve, right_inverse so that assigning `layer.weight = X`
initialises `original`, parametrize.cached(), the parametrizations.weight.original names in
state_dict, remove_parametrizations with leave_parametrized, and the built-in
parametrizations.orthogonal and weight_norm; a small model with them trains a few SGD steps."""
import ember as torch
import ember.nn as nn
import ember.nn.utils.parametrize as parametrize
from ember.nn.utils import parametrizations


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        return A.triu()


class Skew(nn.Module):
    def forward(self, X):
        A = X.triu(1)
        return A - A.transpose(-1, -2)


class MatrixExponential(nn.Module):
    def forward(self, X):
        return torch.matrix_exp(X)


class CayleyMap(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.register_buffer("Id", torch.eye(n))

    def forward(self, X):
        # (I + X)(I - X)^{-1}
        return torch.linalg.solve(self.Id - X, self.Id + X)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.sym = nn.Linear(6, 6)
        self.orth = nn.Linear(6, 6)
        self.cayley = nn.Linear(6, 6)
        self.builtin = nn.Linear(6, 6)
        self.normed = nn.Linear(6, 3)

    def forward(self, x):
        x = torch.tanh(self.sym(x))
        x = torch.tanh(self.orth(x))
        x = torch.tanh(self.cayley(x))
        x = torch.tanh(self.builtin(x))
        return self.normed(x)


def parametrize_model(model):
    parametrize.register_parametrization(model.sym, "weight", Symmetric())
    parametrize.register_parametrization(model.orth, "weight", Skew())
    parametrize.register_parametrization(model.orth, "weight", MatrixExponential())
    parametrize.register_parametrization(model.cayley, "weight", Skew())
    parametrize.register_parametrization(model.cayley, "weight", CayleyMap(6))
    parametrizations.orthogonal(model.builtin)
    parametrizations.weight_norm(model.normed)
    return model


def make_model(device):
    return Model().to(device)


def make_data(rng, steps=4):
    return (rng.standard_normal((steps, 8, 6)).astype("float32"),
            rng.standard_normal((steps, 8, 3)).astype("float32"),
            rng.standard_normal((6, 6)).astype("float32"))


def train(model, data, steps, device):
    xs, ys, matrix = data
    model = parametrize_model(model)
    numbers = []
    W = model.sym.weight
    numbers.append((W - W.T).abs().max().item())
    Q = model.orth.weight
    numbers.append((Q.T @ Q - torch.eye(6)).abs().max().item())
    numbers.append((model.cayley.weight.T @ model.cayley.weight - torch.eye(6)).abs().max().item())
    numbers += [float(parametrize.is_parametrized(model.sym)),
                float(parametrize.is_parametrized(model.sym, "bias")),
                float(len(model.orth.parametrizations.weight))]
    numbers.append(float(len(model.state_dict())))

    # right_inverse: assigning a symmetric matrix stores its upper triangle in `original`
    X = torch.from_numpy(matrix)
    X = X + X.T
    model.sym.weight = X
    numbers.append((model.sym.weight - X).abs().max().item())
    numbers.append(model.sym.parametrizations.weight.original.tril(-1).abs().max().item())

    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for step in range(steps):
        x, y = torch.from_numpy(xs[step]).to(device), torch.from_numpy(ys[step]).to(device)
        optimizer.zero_grad()
        with parametrize.cached():
            loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
    numbers.append((model.orth.weight.T @ model.orth.weight - torch.eye(6)).abs().max().item())
    numbers += model.builtin.weight[0].tolist() + model.normed.weight[0].tolist()

    parametrize.remove_parametrizations(model.sym, "weight", leave_parametrized=True)
    parametrize.remove_parametrizations(model.cayley, "weight", leave_parametrized=False)
    numbers += [float(parametrize.is_parametrized(model.sym)), float(len(model.state_dict()))]
    numbers += model.sym.weight[1].tolist() + model.cayley.weight[1].tolist()
    with torch.no_grad():
        numbers += model(torch.from_numpy(xs[0])).flatten().tolist()[:6]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
