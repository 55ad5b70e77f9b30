"""Train an MLP or a LeNet-5-style CNN on MNIST (or Fashion-MNIST) with Ember's PyTorch-style API.

    python examples/mnist.py --model mlp --epochs 3
    python examples/mnist.py --model cnn --dataset fashion --epochs 3
    python examples/mnist.py --epochs 4 --resume      # continue from the last checkpoint
    python -m ember.distributed.launch -n 2 examples/mnist.py --distributed   # 2 MPI ranks

Data is looked for in ``--data DIR``, ``$EMBER_DATA``, ``~/.cache/ember/datasets`` and
``/usr/share/datasets``, then downloaded (unless ``--no-download``). Without MNIST the
script says so and falls back to scikit-learn's bundled 8x8 digits, when installed.

After every epoch a checkpoint (model, optimizer, epoch, losses, and the states of the
data-order and default random generators) is saved atomically; ``--resume`` continues
from it with exactly the losses the uninterrupted run would have had.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from a checkout

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
from ember.data import DataLoader, TensorDataset  # noqa: E402
from ember.data.datasets import MNIST, DatasetNotFoundError, FashionMNIST  # noqa: E402

# per-dataset pixel mean and std (of the training images scaled to [0, 1])
STATISTICS = {"mnist": (0.1307, 0.3081), "fashion": (0.2860, 0.3530), "digits": (0.3054, 0.3794)}


@dataclass
class Data:
    name: str
    train_images: ember.Tensor  # uint8, N x H x W
    train_labels: ember.Tensor
    test_images: ember.Tensor
    test_labels: ember.Tensor


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--dataset", choices=["mnist", "fashion"], default="mnist")
    parser.add_argument("--data", metavar="DIR", help="folder holding the IDX files (or mnist/, fashion-mnist/)")
    parser.add_argument("--no-download", action="store_true", help="never try to download the data")
    parser.add_argument("--epochs", type=int, default=3, help="train until this many epochs are done")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--limit", type=int, metavar="N", help="use only the first N train and test images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu",
                        help="where to train: 'cpu' (default) or 'cuda' (needs CuPy and an NVIDIA GPU)")
    parser.add_argument("--checkpoint", default=None,
                        help="checkpoint file (default: checkpoints/<dataset>-<model>.safetensors, "
                             "with the dataset actually trained on: digits when MNIST fell back)")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--distributed", action="store_true",
                        help="data-parallel over MPI (launch with python -m ember.distributed.launch -n N); --batch-size is split over the ranks")
    return parser.parse_args(argv)


def checkpoint_path(args, data_name: str) -> str:
    """--checkpoint, or a default named for the data really used (a digits run never takes MNIST's)."""
    return args.checkpoint or os.path.join("checkpoints", f"{data_name}-{args.model}.safetensors")


# --- data ---------------------------------------------------------------------
def load_data(args) -> Data:
    """The chosen MNIST variant, or scikit-learn's digits when it can't be found or fetched."""
    dataset_class = FashionMNIST if args.dataset == "fashion" else MNIST
    try:
        train = dataset_class(root=args.data, train=True, download=not args.no_download)
        test = dataset_class(root=args.data, train=False, download=not args.no_download)
    except DatasetNotFoundError as error:
        print(f"{error}\n", file=sys.stderr)
        return _digits_fallback(args)
    data = Data(args.dataset, train.data, train.targets, test.data, test.targets)
    return _limited(data, args.limit)


def _digits_fallback(args) -> Data:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit(f"error: {args.dataset} was not found and could not be downloaded (see above), and the "
                 "fallback, scikit-learn's bundled digits, needs scikit-learn (pip install scikit-learn).")
    print("Falling back to scikit-learn's 8x8 digits (1797 real scanned digits); the MNIST "
          "accuracy targets do not apply to it.", file=sys.stderr)
    digits = load_digits()
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)
    order = np.random.default_rng(args.seed).permutation(len(images))
    cut = int(len(images) * 0.8)
    train, test = order[:cut], order[cut:]
    data = Data("digits", ember.tensor(images[train]), ember.tensor(digits.target[train]),
                ember.tensor(images[test]), ember.tensor(digits.target[test]))
    return _limited(data, args.limit)


def _limited(data: Data, limit: int | None) -> Data:
    if limit is None:
        return data
    return Data(data.name, data.train_images[:limit], data.train_labels[:limit],
                data.test_images[:limit], data.test_labels[:limit])


def prepare(images: ember.Tensor, data_name: str, model_kind: str) -> ember.Tensor:
    """uint8 images -> normalised float32 batch, flat for the MLP, N x 1 x H x W for the CNN."""
    mean, std = STATISTICS[data_name]
    x = (images.float() / 255.0 - mean) / std
    return x.reshape(x.shape[0], -1) if model_kind == "mlp" else x.unsqueeze(1)


# --- models -------------------------------------------------------------------
def build_model(kind: str, image_size: int) -> nn.Module:
    if kind == "mlp":
        return nn.Sequential(nn.Linear(image_size * image_size, 256), nn.ReLU(),
                             nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    pooled = image_size // 2
    padding = 0 if pooled >= 10 else 2  # small images (8x8 digits) keep their size through conv2
    final = (pooled - 4 + 2 * padding) // 2
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, padding=padding), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * final * final, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def build_optimizer(args, model: nn.Module) -> ember.optim.Optimizer:
    if args.optimizer == "sgd":
        return ember.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    return ember.optim.Adam(model.parameters(), lr=args.lr)


# --- training -----------------------------------------------------------------
def train_epoch(model, loader, optimizer, loss_function, data_name, args, epoch) -> list[float]:
    from tqdm import tqdm
    model.train()
    losses = []
    bar = tqdm(loader, desc=f"epoch {epoch}/{args.epochs}", unit="batch", disable=args.quiet,
               dynamic_ncols=True, file=sys.stdout)
    for images, labels in bar:
        images, labels = images.to(args.device), labels.to(args.device)
        optimizer.zero_grad()
        loss = loss_function(model(prepare(images, data_name, args.model)), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if len(losses) % 10 == 0:
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}", refresh=False)
    bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}")
    bar.close()
    return losses


@ember.no_grad()
def evaluate(model, images, labels, data_name, model_kind, batch_size: int = 1000, device="cpu") -> float:
    model.eval()
    correct = 0
    for start in range(0, images.shape[0], batch_size):
        batch = images[start:start + batch_size].to(device)
        logits = model(prepare(batch, data_name, model_kind))
        correct += int((logits.argmax(dim=1) == labels[start:start + batch_size].to(device)).sum())
    return correct / images.shape[0]


# --- checkpoints ----------------------------------------------------------------
def save_checkpoint(path, model, optimizer, epoch, losses, loader_generator, args, data_name) -> None:
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    ember.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch,
                "losses": losses, "config": _config(args, data_name),
                "rng": {"loader": loader_generator.get_state(),
                        "default": ember.default_generator.get_state()}}, path)


def restore_checkpoint(path, model, optimizer, loader_generator, args, data_name) -> tuple[int, list]:
    if not os.path.exists(path):
        sys.exit(f"error: --resume: no checkpoint at {path}; train without --resume first (it saves "
                 "one after every epoch), or name an existing file with --checkpoint")
    checkpoint = ember.load(path)
    config = _config(args, data_name)
    if checkpoint["config"] != config:
        sys.exit(f"error: {path} was made with {checkpoint['config']}, not {config}; "
                 "resume with the same options or pick another --checkpoint")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    loader_generator.set_state(checkpoint["rng"]["loader"])
    ember.default_generator.set_state(checkpoint["rng"]["default"])
    return checkpoint["epoch"], checkpoint["losses"]


def _config(args, data_name: str) -> dict:
    """What must agree between a checkpoint and the run resuming it (the data really used)."""
    return {"model": args.model, "dataset": data_name, "batch_size": args.batch_size,
            "optimizer": args.optimizer, "lr": args.lr, "limit": args.limit, "seed": args.seed}


def start_distributed(args) -> tuple[int, int]:
    """With --distributed, join the MPI job (every rank runs this script); returns (rank, world size)."""
    if not args.distributed:
        return 0, 1
    import ember.distributed
    ember.distributed.init_process_group("mpi")
    return ember.distributed.get_rank(), ember.distributed.get_world_size()


def main(argv=None) -> dict:
    """Train as the command line says; return the per-epoch losses and accuracies (for tests)."""
    args = parse_args(argv)
    rank, world = start_distributed(args)
    if rank != 0:  # rank 0 reports for all
        args.quiet, sys.stdout = True, open(os.devnull, "w")
    data = load_data(args)
    ember.manual_seed(args.seed)
    model = build_model(args.model, data.train_images.shape[-1]).to(args.device)
    trained = ember.distributed.DistributedDataParallel(model) if args.distributed else model
    optimizer = build_optimizer(args, model)
    loader_generator = ember.Generator().manual_seed(args.seed)
    dataset = TensorDataset(data.train_images, data.train_labels)
    sampler = ember.distributed.DistributedSampler(dataset, seed=args.seed) if args.distributed else None
    loader = DataLoader(dataset, batch_size=args.batch_size // world, shuffle=sampler is None,
                        sampler=sampler, generator=loader_generator)
    loss_function = nn.CrossEntropyLoss()
    done, losses, accuracies = 0, [], []
    path = checkpoint_path(args, data.name)
    if args.resume:
        done, losses = restore_checkpoint(path, model, optimizer, loader_generator, args, data.name)
        print(f"resumed from {path} after epoch {done}")
        if done >= args.epochs:
            print(f"{path} already holds {done} epoch(s) and --epochs is {args.epochs}: nothing left "
                  f"to train; raise --epochs to continue")
    print(f"{args.model} on {data.name}: {data.train_images.shape[0]} training and "
          f"{data.test_images.shape[0]} test images" + (f", {world} ranks" if args.distributed else ""))
    for epoch in range(done + 1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)
        losses.append(train_epoch(trained, loader, optimizer, loss_function, data.name, args, epoch))
        accuracies.append(evaluate(model, data.test_images, data.test_labels, data.name, args.model,
                                   device=args.device))
        print(f"epoch {epoch}: mean loss {np.mean(losses[-1]):.4f}, test accuracy {100 * accuracies[-1]:.2f}%")
        if rank == 0:
            save_checkpoint(path, model, optimizer, epoch, losses, loader_generator, args, data.name)
    if accuracies:
        print(f"test accuracy: {100 * accuracies[-1]:.2f}% ({args.model}, {data.name}, {args.epochs} epochs); "
              f"checkpoint: {path}")
    return {"losses": losses, "accuracies": accuracies, "dataset": data.name}


if __name__ == "__main__":
    main()
