"""Siamese embedding network trained two ways, as in the common siamese examples: a
contrastive loss on pairs (F.pairwise_distance) and nn.TripletMarginLoss on triplets."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class SiameseNetwork(nn.Module):
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(2),
        )
        self.fc = nn.Sequential(nn.Linear(64, 32), nn.ReLU(inplace=True), nn.Linear(32, 8))

    def forward_once(self, x):
        output = self.cnn(x)
        output = output.view(output.size()[0], -1)
        return self.fc(output)

    def forward(self, input1, input2):
        return self.forward_once(input1), self.forward_once(input2)


class ContrastiveLoss(nn.Module):
    def __init__(self, margin=2.0):
        super(ContrastiveLoss, self).__init__()
        self.margin = margin

    def forward(self, output1, output2, label):
        euclidean_distance = F.pairwise_distance(output1, output2, keepdim=True)
        return torch.mean((1 - label) * torch.pow(euclidean_distance, 2)
                          + label * torch.pow(torch.clamp(self.margin - euclidean_distance,
                                                          min=0.0), 2))


def make_model(device):
    return SiameseNetwork().to(device)


def make_data(rng, steps=6, batch_size=8):
    shape = (steps, batch_size, 1, 12, 12)
    a, b, c = (rng.standard_normal(shape).astype("float32") for _ in range(3))
    label = rng.integers(0, 2, (steps, batch_size, 1)).astype("float32")
    return a, b, c, label


def train(net, data, steps, device):
    a, b, c, label = data
    criterion = ContrastiveLoss()
    triplet = nn.TripletMarginLoss(margin=1.0, p=2)
    # SGD, not Adam: both losses see only differences of embeddings, so a shift shared by
    # all embeddings has a gradient of pure rounding noise, which Adam would scale up
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    numbers = []
    for i in range(steps):
        x0, x1, x2 = (torch.from_numpy(t[i]).to(device) for t in (a, b, c))
        y = torch.from_numpy(label[i]).to(device)
        optimizer.zero_grad()
        output1, output2 = net(x0, x1)
        loss_contrastive = criterion(output1, output2, y)
        loss_triplet = triplet(net.forward_once(x0), net.forward_once(x0 + 0.1 * x1),
                               net.forward_once(x2))
        loss = loss_contrastive + loss_triplet
        loss.backward()
        optimizer.step()
        numbers += [loss_contrastive.item(), loss_triplet.item()]
    with torch.no_grad():
        e1, e2 = net(torch.from_numpy(a[0]), torch.from_numpy(b[0]))
        numbers += F.pairwise_distance(e1, e2).tolist()
        numbers += F.cosine_similarity(e1, e2).tolist()
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 4, "cpu"))
