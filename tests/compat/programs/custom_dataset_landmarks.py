"""Writing custom datasets, DataLoaders and transforms, after the data-loading tutorial: a
landmarks Dataset whose samples are dicts {'image', 'landmarks'} built from an in-memory
"CSV", callable transform classes (Rescale, RandomCrop with NumPy's seeded generator,
ToTensor) chained with transforms.Compose, the default collate turning a batch of dicts into
a dict of stacked tensors, a DataLoader over a BatchSampler(SequentialSampler, drop_last), and
a small CNN regressing the landmarks with SmoothL1Loss and RMSprop."""
import numpy as np

import ember as torch
import ember.nn as nn
from ember.utils.data import DataLoader, Dataset, SequentialSampler, BatchSampler
from ember.vision import transforms


class FaceLandmarksDataset(Dataset):
    """Face Landmarks dataset: rows of (name, x0, y0, x1, y1, ...) and an image per row."""

    def __init__(self, rows, images, transform=None):
        self.landmarks_frame = rows
        self.images = images
        self.transform = transform

    def __len__(self):
        return len(self.landmarks_frame)

    def __getitem__(self, idx):
        if torch.is_tensor(idx):
            idx = idx.tolist()
        name, *coordinates = self.landmarks_frame[idx]
        image = self.images[name]
        landmarks = np.array(coordinates, dtype=float).reshape(-1, 2)
        sample = {'image': image, 'landmarks': landmarks}
        if self.transform:
            sample = self.transform(sample)
        return sample


class Rescale(object):
    """Rescale the image in a sample to a given size (nearest neighbour, in NumPy)."""

    def __init__(self, output_size):
        assert isinstance(output_size, (int, tuple))
        self.output_size = output_size

    def __call__(self, sample):
        image, landmarks = sample['image'], sample['landmarks']
        h, w = image.shape[:2]
        if isinstance(self.output_size, int):
            if h > w:
                new_h, new_w = self.output_size * h / w, self.output_size
            else:
                new_h, new_w = self.output_size, self.output_size * w / h
        else:
            new_h, new_w = self.output_size
        new_h, new_w = int(new_h), int(new_w)
        rows = (np.arange(new_h) * h / new_h).astype(int)
        cols = (np.arange(new_w) * w / new_w).astype(int)
        img = image[rows][:, cols]
        # h and w are swapped for landmarks because for images,
        # x and y axes are axis 1 and 0 respectively
        landmarks = landmarks * [new_w / w, new_h / h]
        return {'image': img, 'landmarks': landmarks}


class RandomCrop(object):
    """Crop randomly the image in a sample."""

    def __init__(self, output_size, rng):
        assert isinstance(output_size, (int, tuple))
        if isinstance(output_size, int):
            self.output_size = (output_size, output_size)
        else:
            assert len(output_size) == 2
            self.output_size = output_size
        self.rng = rng

    def __call__(self, sample):
        image, landmarks = sample['image'], sample['landmarks']
        h, w = image.shape[:2]
        new_h, new_w = self.output_size
        top = int(self.rng.integers(0, h - new_h + 1))
        left = int(self.rng.integers(0, w - new_w + 1))
        image = image[top: top + new_h, left: left + new_w]
        landmarks = landmarks - [left, top]
        return {'image': image, 'landmarks': landmarks}


class ToTensor(object):
    """Convert ndarrays in sample to Tensors."""

    def __call__(self, sample):
        image, landmarks = sample['image'], sample['landmarks']
        # swap color axis because numpy image: H x W x C, torch image: C x H x W
        image = image.transpose((2, 0, 1))
        return {'image': torch.from_numpy(image).float(),
                'landmarks': torch.from_numpy(landmarks).float()}


class LandmarkNet(nn.Module):
    def __init__(self, n_landmarks=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Linear(8 * 16, n_landmarks * 2)

    def forward(self, x):
        return self.head(self.features(x).flatten(1)).view(x.size(0), -1, 2)


def make_model(device):
    return LandmarkNet().to(device)


def make_data(rng, n=12):
    images, rows = {}, []
    for i in range(n):
        h, w = int(rng.integers(20, 28)), int(rng.integers(20, 28))
        name = f"face_{i}.jpg"
        images[name] = rng.random((h, w, 3))
        points = np.stack([rng.uniform(4, w - 4, 4), rng.uniform(4, h - 4, 4)], axis=1)
        rows.append([name] + points.ravel().round(2).tolist())
    return rows, images, int(rng.integers(0, 1000))


def train(model, data, steps, device):
    rows, images, seed = data
    composed = transforms.Compose([Rescale(24), RandomCrop(16, np.random.default_rng(seed)),
                                   ToTensor()])
    dataset = FaceLandmarksDataset(rows, images, transform=composed)
    numbers = [float(len(dataset))]
    sample = dataset[0]
    numbers += list(sample['image'].shape) + sample['landmarks'].flatten().tolist()
    loader = DataLoader(dataset, batch_size=4, shuffle=False, num_workers=0)
    sampler_loader = DataLoader(dataset, batch_sampler=BatchSampler(SequentialSampler(dataset),
                                                                    batch_size=5, drop_last=True))
    numbers.append(float(len(sampler_loader)))
    criterion = nn.SmoothL1Loss()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for epoch in range(steps):
        for i_batch, sample_batched in enumerate(loader):
            images_batch = sample_batched['image'].to(device)
            landmarks_batch = sample_batched['landmarks'].to(device)
            optimizer.zero_grad()
            loss = criterion(model(images_batch), landmarks_batch / 16)
            loss.backward()
            optimizer.step()
            numbers += [loss.item(), float(images_batch.size(0))]
    batch = next(iter(sampler_loader))
    numbers += [float(batch['image'].size(0)), float(batch['landmarks'].sum())]
    return numbers


if __name__ == "__main__":
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
