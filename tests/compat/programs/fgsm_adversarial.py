"""Adversarial example generation, after the FGSM tutorial: LeNet briefly trained, then in
eval mode each test example gets requires_grad, the loss's gradient with respect to the
input (data.grad.data), its sign, the perturbed image clamped to [0, 1] after denormalising
(denorm with mean/std as tensors broadcast by view), renormalised, and re-classified; the
accuracy and the adversarial examples are collected for several epsilons."""
import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

epsilons = [0, .05, .1, .2]


# LeNet Model definition
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def make_model(device):
    return Net().to(device)


def make_data(rng, n_train=32, n_test=12):
    # digit-like images: a class-dependent bar on a dark background, so training separates them
    labels = rng.integers(0, 10, size=n_train + n_test)
    images = rng.random((n_train + n_test, 1, 28, 28), dtype="float32") * 0.2
    for i, label in enumerate(labels):
        images[i, 0, 2 + 2 * label:4 + 2 * label, 4:24] += 0.8
    images = (images - 0.1307) / 0.3081
    return images[:n_train], labels[:n_train], images[n_train:], labels[n_train:]


# FGSM attack code
def fgsm_attack(image, epsilon, data_grad):
    # Collect the element-wise sign of the data gradient
    sign_data_grad = data_grad.sign()
    # Create the perturbed image by adjusting each pixel of the input image
    perturbed_image = image + epsilon * sign_data_grad
    # Adding clipping to maintain [0,1] range
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    # Return the perturbed image
    return perturbed_image


# restores the tensors to their original scale
def denorm(batch, mean=[0.1307], std=[0.3081], device="cpu"):
    if isinstance(mean, list):
        mean = torch.tensor(mean).to(device)
    if isinstance(std, list):
        std = torch.tensor(std).to(device)

    return batch * std.view(1, -1, 1, 1) + mean.view(1, -1, 1, 1)


def test(model, device, test_loader, epsilon):
    # Accuracy counter
    correct = 0
    adv_examples = []
    confidences = []

    # Loop over all examples in test set
    for data, target in test_loader:

        # Send the data and label to the device
        data, target = data.to(device), target.to(device)

        # Set requires_grad attribute of tensor. Important for Attack
        data.requires_grad = True

        # Forward pass the data through the model
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]  # get the index of the max log-probability

        # If the initial prediction is wrong, don't bother attacking, just move on
        if init_pred.item() != target.item():
            continue

        # Calculate the loss
        loss = F.nll_loss(output, target)

        # Zero all existing gradients
        model.zero_grad()

        # Calculate gradients of model in backward pass
        loss.backward()

        # Collect ``datagrad``
        data_grad = data.grad.data

        # Restore the data to its original scale
        data_denorm = denorm(data, device=device)

        # Call FGSM Attack
        perturbed_data = fgsm_attack(data_denorm, epsilon, data_grad)

        # Reapply normalization (transforms.Normalize((0.1307,), (0.3081,)) in the tutorial)
        perturbed_data_normalized = (perturbed_data - 0.1307) / 0.3081

        # Re-classify the perturbed image
        output = model(perturbed_data_normalized)
        confidences.append(output.exp().max().item())

        # Check for success
        final_pred = output.max(1, keepdim=True)[1]  # get the index of the max log-probability
        if final_pred.item() == target.item():
            correct += 1
            # Special case for saving 0 epsilon examples
            if epsilon == 0 and len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
        else:
            # Save some adv examples for visualization later
            if len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))

    # Calculate final accuracy for this epsilon
    final_acc = correct / float(len(test_loader))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(test_loader)} = {final_acc}")

    # Return the accuracy and an adversarial example
    return final_acc, adv_examples, confidences


def train(model, data, steps, device):
    x_train, y_train, x_test, y_test = data
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    numbers = []
    model.train()
    for step in range(steps):
        optimizer.zero_grad()
        loss = F.nll_loss(model(torch.from_numpy(x_train)), torch.from_numpy(y_train))
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())

    # Set the model in evaluation mode. In this case this is for the Dropout layers
    model.eval()
    test_loader = [(torch.from_numpy(x_test[i:i + 1]), torch.from_numpy(y_test[i:i + 1]))
                   for i in range(len(x_test))]
    accuracies = []
    examples = []
    for eps in epsilons:
        acc, ex, confidences = test(model, device, test_loader, eps)
        accuracies.append(acc)
        examples.append(ex)
        numbers += confidences
    numbers += accuracies
    for ex in examples:
        for init_pred, final_pred, adv_ex in ex:
            numbers += [float(init_pred), float(final_pred), float(adv_ex.mean()),
                        float((adv_ex == 0).mean()), float((adv_ex == 1).mean())]
    return numbers


if __name__ == "__main__":
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
