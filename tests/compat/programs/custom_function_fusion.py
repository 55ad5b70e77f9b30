"""Custom autograd Functions, after two tutorials. "Double Backward with Custom Functions":
Square saving its input, Exp saving its output, Sinh returning its intermediates as extra
outputs, and Cube whose backward is itself a custom Function (CubeBackward), each checked
with gradcheck and gradgradcheck and differentiated twice with create_graph. "Fusing
Convolution and Batch Norm using Custom Function": Conv2D and BatchNorm Functions with
once_differentiable backwards (convolution_backward through conv2d/conv_transpose2d,
batch_norm_backward by hand, state kept on ctx), gradcheck on both, the fused
FusedConvBN2DFunction that recomputes the convolution in backward, and a strided
convolution whose backward calls torch.nn.grad.conv2d_input/conv2d_weight; then the fused
and the unfused MNIST nets train a few steps."""
import math

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.autograd.function import once_differentiable


# --- Double backward with custom functions ------------------------------------------------
class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # Because we are saving one of the inputs use `save_for_backward`
        # Save non-tensors and non-inputs/non-outputs directly on ctx
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad_out):
        # A function support double backward automatically if autograd
        # is able to record the computations performed in backward
        x, = ctx.saved_tensors
        return grad_out * 2 * x


class Exp(torch.autograd.Function):
    # Simple case where everything goes well
    @staticmethod
    def forward(ctx, x):
        # This time we save the output
        result = torch.exp(x)
        # Note that we should use `save_for_backward` here when
        # the tensor saved is an output (or an input).
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_out):
        result, = ctx.saved_tensors
        return result * grad_out


class Sinh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        expx = torch.exp(x)
        expnegx = torch.exp(-x)
        ctx.save_for_backward(expx, expnegx)
        # In order to be able to save the intermediate results, we need to
        # include them as outputs!
        return (expx - expnegx) / 2, expx, expnegx

    @staticmethod
    def backward(ctx, grad_out, _grad_out_exp, _grad_out_negexp):
        expx, expnegx = ctx.saved_tensors
        grad_input = grad_out * (expx + expnegx) / 2
        # We cannot skip accumulating these even though we won't use the outputs
        # directly. They will be used later in the second backward.
        grad_input += _grad_out_exp * expx
        grad_input -= _grad_out_negexp * expnegx
        return grad_input


def sinh(x):
    # Create a wrapper that only returns the first output
    return Sinh.apply(x)[0]


def cube_forward(x):
    return x**3


def cube_backward(grad_out, x):
    return grad_out * 3 * x**2


def cube_backward_backward(grad_out, sav_grad_out, x):
    return grad_out * sav_grad_out * 6 * x


def cube_backward_backward_grad_out(grad_out, x):
    return grad_out * 3 * x**2


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return cube_forward(x)

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return CubeBackward.apply(grad_out, x)


class CubeBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, grad_out, x):
        ctx.save_for_backward(x, grad_out)
        return cube_backward(grad_out, x)

    @staticmethod
    def backward(ctx, grad_out):
        x, sav_grad_out = ctx.saved_tensors
        dx = cube_backward_backward(grad_out, sav_grad_out, x)
        dgrad_out = cube_backward_backward_grad_out(grad_out, x)
        return dgrad_out, dx


# --- Fusing convolution and batch norm --------------------------------------------------
def convolution_backward(grad_out, X, weight):
    grad_input = F.conv2d(X.transpose(0, 1), grad_out.transpose(0, 1)).transpose(0, 1)
    grad_X = F.conv_transpose2d(grad_out, weight)
    return grad_X, grad_input


class Conv2D(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, weight):
        ctx.save_for_backward(X, weight)
        return F.conv2d(X, weight)

    # Use @once_differentiable by default unless we intend to double backward
    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        X, weight = ctx.saved_tensors
        return convolution_backward(grad_out, X, weight)


class StridedConv2D(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, weight, stride, padding):
        ctx.save_for_backward(X, weight)
        ctx.stride, ctx.padding = stride, padding
        return F.conv2d(X, weight, stride=stride, padding=padding)

    @staticmethod
    def backward(ctx, grad_out):
        X, weight = ctx.saved_tensors
        grad_X = torch.nn.grad.conv2d_input(X.shape, weight, grad_out, ctx.stride, ctx.padding)
        grad_weight = torch.nn.grad.conv2d_weight(X, weight.shape, grad_out, ctx.stride, ctx.padding)
        return grad_X, grad_weight, None, None


def unsqueeze_all(t):
    # Helper function to ``unsqueeze`` all the dimensions that we reduce over
    return t[None, :, None, None]


def batch_norm_backward(grad_out, X, sum, sqrt_var, N, eps):
    # We use the formula: ``out = (X - mean(X)) / (sqrt(var(X)) + eps)``
    # in batch norm 2D forward.
    tmp = ((X - unsqueeze_all(sum) / N) * grad_out).sum(dim=(0, 2, 3))
    tmp *= -1
    d_denom = tmp / (sqrt_var + eps)**2  # ``d_denom = -num / denom**2``
    d_var = d_denom / (2 * sqrt_var)  # ``denom = torch.sqrt(var) + eps``
    # Compute ``d_mean_dx`` before allocating the final NCHW-sized grad_input buffer
    d_mean_dx = grad_out / unsqueeze_all(sqrt_var + eps)
    d_mean_dx = unsqueeze_all(-d_mean_dx.sum(dim=(0, 2, 3)) / N)

    # ``(1) unbiased_var(x) = ((X - unsqueeze_all(mean))**2).sum(dim=(0, 2, 3)) / (N - 1)``
    grad_input = X * unsqueeze_all(d_var * N)
    grad_input += unsqueeze_all(-d_var * sum)
    grad_input *= 2 / ((N - 1) * N)
    # (2) mean (see above)
    grad_input += d_mean_dx
    # (3) Add 'grad_out / <factor>' without allocating an extra buffer
    grad_input *= unsqueeze_all(sqrt_var + eps)
    grad_input += grad_out
    grad_input /= unsqueeze_all(sqrt_var + eps)  # ``sqrt_var + eps > 0!``
    return grad_input


class BatchNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, eps=1e-3):
        # Don't save ``keepdim`` values for backward
        sum = X.sum(dim=(0, 2, 3))
        var = X.var(unbiased=True, dim=(0, 2, 3))
        N = X.numel() / X.size(1)
        sqrt_var = torch.sqrt(var)
        ctx.save_for_backward(X)
        ctx.eps = eps
        ctx.sum = sum
        ctx.N = N
        ctx.sqrt_var = sqrt_var
        mean = sum / N
        denom = sqrt_var + eps
        out = X - unsqueeze_all(mean)
        out /= unsqueeze_all(denom)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        X, = ctx.saved_tensors
        return batch_norm_backward(grad_out, X, ctx.sum, ctx.sqrt_var, ctx.N, ctx.eps)


class FusedConvBN2DFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, conv_weight, eps=1e-3):
        assert X.ndim == 4  # N, C, H, W
        # (1) Only need to save this single buffer for backward!
        ctx.save_for_backward(X, conv_weight)

        # (2) Exact same Conv2D forward from example above
        X = F.conv2d(X, conv_weight)
        # (3) Exact same BatchNorm2D forward from example above
        sum = X.sum(dim=(0, 2, 3))
        var = X.var(unbiased=True, dim=(0, 2, 3))
        N = X.numel() / X.size(1)
        sqrt_var = torch.sqrt(var)
        ctx.eps = eps
        ctx.sum = sum
        ctx.N = N
        ctx.sqrt_var = sqrt_var
        mean = sum / N
        denom = sqrt_var + eps
        # Try to do as many things in-place as possible
        out = X - unsqueeze_all(mean)
        out /= unsqueeze_all(denom)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        X, conv_weight, = ctx.saved_tensors
        # (4) Batch norm backward
        # (5) We need to recompute conv
        X_conv_out = F.conv2d(X, conv_weight)
        grad_out = batch_norm_backward(grad_out, X_conv_out, ctx.sum, ctx.sqrt_var,
                                       ctx.N, ctx.eps)
        # (6) Conv2d backward
        grad_X, grad_input = convolution_backward(grad_out, X, conv_weight)
        return grad_X, grad_input, None, None, None, None, None


class FusedConvBN(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, exp_avg_factor=0.1,
                 eps=1e-3, device=None, dtype=None):
        super(FusedConvBN, self).__init__()
        factory_kwargs = {'device': device, 'dtype': dtype}
        # Conv parameters
        weight_shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.conv_weight = nn.Parameter(torch.empty(*weight_shape, **factory_kwargs))
        # Batch norm parameters
        num_features = out_channels
        self.num_features = num_features
        self.eps = eps
        # Initialize
        self.reset_parameters()

    def forward(self, X):
        return FusedConvBN2DFunction.apply(X, self.conv_weight, self.eps)

    def reset_parameters(self) -> None:
        nn.init.kaiming_uniform_(self.conv_weight, a=math.sqrt(5))


class Net(nn.Module):
    def __init__(self, fused=True):
        super(Net, self).__init__()
        self.fused = fused
        if fused:
            self.convbn1 = FusedConvBN(1, 32, 3)
            self.convbn2 = FusedConvBN(32, 64, 3)
        else:
            self.conv1 = nn.Conv2d(1, 32, 3, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(32, affine=False, track_running_stats=False)
            self.conv2 = nn.Conv2d(32, 64, 3, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(64, affine=False, track_running_stats=False)
        self.fc1 = nn.Linear(9216, 128)
        self.dropout = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        if self.fused:
            x = self.convbn1(x)
        else:
            x = self.conv1(x)
            x = self.bn1(x)
        F.relu_(x)
        if self.fused:
            x = self.convbn2(x)
        else:
            x = self.conv2(x)
            x = self.bn2(x)
        F.relu_(x)
        x = F.max_pool2d(x, 2)
        F.relu_(x)
        x = x.flatten(1)
        x = self.fc1(x)
        x = self.dropout(x)
        F.relu_(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def make_model(device):
    return Net(fused=True).to(device), Net(fused=False).to(device)


def make_data(rng, n=16):
    images = (rng.random((n, 1, 28, 28), dtype="float32") - 0.1307) / 0.3081
    labels = rng.integers(0, 10, size=n)
    small = [rng.random(shape) for shape in [(3, 4), (10, 3, 7, 7), (5, 3, 3, 3), (1, 2, 3, 4),
                                             (2, 3, 7, 6), (4, 3, 3, 3)]]
    return images, labels, small


def double_backward(small):
    x = torch.tensor(small[0], requires_grad=True)
    numbers = []
    for f in (Square.apply, Exp.apply, sinh, Cube.apply):
        numbers.append(float(torch.autograd.gradcheck(f, x)))
        numbers.append(float(torch.autograd.gradgradcheck(f, x)))
        y = f(x)
        (grad,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        (grad2,) = torch.autograd.grad(grad.sum(), x)
        numbers += [y.sum().item(), grad.sum().item(), grad2.sum().item()]
    # the exponentials Sinh returns alongside take part in the gradient too
    out, expx, expnegx = Sinh.apply(x)
    (grad,) = torch.autograd.grad((out + expx * 2 - expnegx).sum(), x)
    numbers.append(grad.sum().item())
    return numbers


def fusion_checks(small):
    numbers = []
    X = torch.tensor(small[1], requires_grad=True)
    weight = torch.tensor(small[2], requires_grad=True)
    numbers.append(float(torch.autograd.gradcheck(Conv2D.apply, (X, weight))))
    a = torch.tensor(small[3], requires_grad=True)
    numbers.append(float(torch.autograd.gradcheck(BatchNorm.apply, (a,), fast_mode=False)))
    fused_in = torch.tensor(small[1][:4], requires_grad=True)
    numbers.append(float(torch.autograd.gradcheck(FusedConvBN2DFunction.apply,
                                                  (fused_in, weight))))
    strided_in = torch.tensor(small[4], requires_grad=True)
    strided_w = torch.tensor(small[5], requires_grad=True)
    numbers.append(float(torch.autograd.gradcheck(
        lambda x, w: StridedConv2D.apply(x, w, 2, 1), (strided_in, strided_w))))
    out = StridedConv2D.apply(strided_in, strided_w, 2, 1)
    out.pow(2).sum().backward()
    numbers += [out.sum().item(), strided_in.grad.sum().item(), strided_w.grad.abs().sum().item()]
    return numbers


def train(model, data, steps, device):
    fused, unfused = model
    images, labels, small = data
    numbers = double_backward(small) + fusion_checks(small)
    x = torch.from_numpy(images).to(device)
    y = torch.from_numpy(labels).to(device)
    for net in (fused, unfused):
        optimizer = optim.Adadelta(net.parameters(), lr=1.0)
        net.train()
        for step in range(steps):
            optimizer.zero_grad()
            output = net(x)
            loss = F.nll_loss(output, y)
            loss.backward()
            optimizer.step()
            numbers.append(loss.item())
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
