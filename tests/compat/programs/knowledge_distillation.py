"""Knowledge distillation, after the knowledge-distillation tutorial: a CIFAR-shaped teacher
CNN trained briefly with cross-entropy, then three students: soft targets (temperature T,
KL-style sum of p·(log p - log q) scaled by T², mixed with cross-entropy), cosine loss
between hidden representations (F.avg_pool1d to match widths, nn.CosineEmbeddingLoss), and
an intermediate regressor matching conv feature maps with MSE; teacher in eval mode under
torch.no_grad() throughout, test accuracy of each."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.utils.data import DataLoader, TensorDataset


class DeepNN(nn.Module):
    def __init__(self, num_classes=10):
        super(DeepNN, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class LightNN(nn.Module):
    def __init__(self, num_classes=10):
        super(LightNN, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(8, 8, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(128, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class ModifiedDeepNNCosine(DeepNN):
    """Also returns the flattened features (the hidden representation)."""

    def forward(self, x):
        flattened_conv_output = torch.flatten(self.features(x), 1)
        x = self.classifier(flattened_conv_output)
        flattened_conv_output_after_pooling = F.avg_pool1d(flattened_conv_output, 2)
        return x, flattened_conv_output_after_pooling


class ModifiedLightNNCosine(LightNN):
    def forward(self, x):
        flattened_conv_output = torch.flatten(self.features(x), 1)
        x = self.classifier(flattened_conv_output)
        return x, flattened_conv_output[:, :64]


class ModifiedLightNNRegressor(LightNN):
    def __init__(self, num_classes=10):
        super().__init__(num_classes)
        # maps the student's 8 channels to the teacher's 8, as a trainable regressor
        self.regressor = nn.Sequential(nn.Conv2d(8, 8, kernel_size=3, padding=1))

    def forward(self, x):
        x = self.features(x)
        regressor_output = self.regressor(x)
        x = torch.flatten(x, 1)
        return self.classifier(x), regressor_output


class ModifiedDeepNNRegressor(DeepNN):
    def forward(self, x):
        x = self.features(x)
        conv_feature_map = x
        x = torch.flatten(x, 1)
        return self.classifier(x), conv_feature_map


def make_model(device):
    return (DeepNN().to(device), LightNN().to(device), ModifiedLightNNCosine().to(device),
            ModifiedLightNNRegressor().to(device))


def make_data(rng, n_train=32, n_test=16):
    templates = rng.standard_normal((10, 3, 16, 16)).astype("float32")

    def split(n):
        labels = rng.integers(0, 10, n)
        images = templates[labels] + rng.standard_normal((n, 3, 16, 16)).astype("float32")
        return images.astype("float32"), labels
    return split(n_train), split(n_test)


def loaders(data, batch_size=8):
    (x, y), (xt, yt) = data
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                              batch_size=batch_size, shuffle=False)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(xt), torch.from_numpy(yt)),
                             batch_size=batch_size, shuffle=False)
    return train_loader, test_loader


def train_ce(model, train_loader, epochs, learning_rate, device):
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=learning_rate)
    model.train()
    losses = []
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss / len(train_loader))
    return losses


def test(model, test_loader, device):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in test_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            if isinstance(outputs, tuple):
                outputs = outputs[0]
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return 100 * correct / total


def train_knowledge_distillation(teacher, student, train_loader, epochs, learning_rate, T,
                                 soft_target_loss_weight, ce_loss_weight, device):
    ce_loss = nn.CrossEntropyLoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.eval()  # Teacher set to evaluation mode
    student.train()  # Student to train mode
    losses = []
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            # Forward pass with the teacher model - do not save gradients here
            with torch.no_grad():
                teacher_logits = teacher(inputs)
            student_logits = student(inputs)
            # Soften the student logits by applying softmax first and log() second
            soft_targets = nn.functional.softmax(teacher_logits / T, dim=-1)
            soft_prob = nn.functional.log_softmax(student_logits / T, dim=-1)
            # Scaled by T**2 as suggested by the authors of the paper
            soft_targets_loss = (torch.sum(soft_targets * (soft_targets.log() - soft_prob))
                                 / soft_prob.size()[0] * (T ** 2))
            label_loss = ce_loss(student_logits, labels)
            loss = soft_target_loss_weight * soft_targets_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss / len(train_loader))
    return losses


def train_cosine_loss(teacher, student, train_loader, epochs, learning_rate,
                      hidden_rep_loss_weight, ce_loss_weight, device):
    ce_loss = nn.CrossEntropyLoss()
    cosine_loss = nn.CosineEmbeddingLoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.to(device)
    student.to(device)
    teacher.eval()
    student.train()
    losses = []
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            with torch.no_grad():
                _, teacher_hidden_representation = teacher(inputs)
            student_logits, student_hidden_representation = student(inputs)
            hidden_rep_loss = cosine_loss(student_hidden_representation,
                                          teacher_hidden_representation,
                                          target=torch.ones(inputs.size(0)).to(device))
            label_loss = ce_loss(student_logits, labels)
            loss = hidden_rep_loss_weight * hidden_rep_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss / len(train_loader))
    return losses


def train_mse_loss(teacher, student, train_loader, epochs, learning_rate, feature_map_weight,
                   ce_loss_weight, device):
    ce_loss = nn.CrossEntropyLoss()
    mse_loss = nn.MSELoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.eval()
    student.train()
    losses = []
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            with torch.no_grad():
                _, teacher_feature_map = teacher(inputs)
            student_logits, regressor_feature_map = student(inputs)
            hidden_rep_loss = mse_loss(regressor_feature_map, teacher_feature_map)
            label_loss = ce_loss(student_logits, labels)
            loss = feature_map_weight * hidden_rep_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss / len(train_loader))
    return losses


def train(model, data, steps, device):
    nn_deep, nn_light, light_cosine, light_regressor = model
    train_loader, test_loader = loaders(data)
    numbers = train_ce(nn_deep, train_loader, steps, 1e-3, device)
    numbers.append(test(nn_deep, test_loader, device))
    numbers += train_knowledge_distillation(nn_deep, nn_light, train_loader, steps, 1e-3, T=2,
                                            soft_target_loss_weight=0.25, ce_loss_weight=0.75,
                                            device=device)
    numbers.append(test(nn_light, test_loader, device))

    # the teacher, reused with its forward changed: copy its weights into the modified classes
    deep_cosine = ModifiedDeepNNCosine().to(device)
    deep_cosine.load_state_dict(nn_deep.state_dict())
    numbers += train_cosine_loss(deep_cosine, light_cosine, train_loader, steps, 1e-3,
                                 hidden_rep_loss_weight=0.25, ce_loss_weight=0.75, device=device)
    numbers.append(test(light_cosine, test_loader, device))
    deep_regressor = ModifiedDeepNNRegressor().to(device)
    deep_regressor.load_state_dict(nn_deep.state_dict())
    numbers += train_mse_loss(deep_regressor, light_regressor, train_loader, steps, 1e-3,
                              feature_map_weight=0.25, ce_loss_weight=0.75, device=device)
    numbers.append(test(light_regressor, test_loader, device))
    numbers.append(float(sum(p.numel() for p in nn_deep.parameters())))
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
