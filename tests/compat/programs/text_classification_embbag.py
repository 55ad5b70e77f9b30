"""Text classification with nn.EmbeddingBag, after the AG_NEWS tutorial, on a small in-test
corpus: a whitespace tokenizer and a vocabulary built from counts, a collate_fn that
concatenates token ids and computes offsets, uniform_/zero_ weight init, SGD with
clip_grad_norm_ and StepLR (every second epoch), and an evaluate loop that reports accuracy."""
from collections import Counter

import ember as torch
from ember import nn
from ember.utils.data import DataLoader

TOPICS = {
    0: "world leaders summit talks nation election border treaty minister",
    1: "sports match team goal season coach player league win",
    2: "business market shares profit bank stocks trade company deal",
    3: "science research space study computer software data robot lab",
}
FILLER = "the a of in on at for with and to new says after over".split()


def tokenizer(line):
    return line.lower().split()


class Vocab:
    """Token -> index, most frequent first; unknown tokens map to index 0 ('<unk>')."""

    def __init__(self, lines):
        counts = Counter(token for line in lines for token in tokenizer(line))
        self.itos = ["<unk>"] + [token for token, _ in sorted(counts.items(),
                                                               key=lambda kv: (-kv[1], kv[0]))]
        self.stoi = {token: index for index, token in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def __call__(self, tokens):
        return [self.stoi.get(token, 0) for token in tokens]


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


def corpus(rng, n):
    lines = []
    for _ in range(n):
        label = int(rng.integers(0, 4))
        words = TOPICS[label].split()
        length = int(rng.integers(4, 12))
        picked = [words[i] if rng.random() < 0.6 else FILLER[i % len(FILLER)]
                  for i in rng.integers(0, len(words), length)]
        lines.append((label + 1, " ".join(picked)))  # AG_NEWS labels are 1..4
    return lines


VOCAB = Vocab(list(TOPICS.values()) + [" ".join(FILLER)])


def make_model(device):
    return TextClassificationModel(len(VOCAB), 16, len(TOPICS)).to(device)


def make_data(rng):
    return corpus(rng, 64), corpus(rng, 24)


def text_pipeline(x):
    return VOCAB(tokenizer(x))


def label_pipeline(x):
    return int(x) - 1


def make_collate(device):
    def collate_batch(batch):
        label_list, text_list, offsets = [], [], [0]
        for _label, _text in batch:
            label_list.append(label_pipeline(_label))
            processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
            text_list.append(processed_text)
            offsets.append(processed_text.size(0))
        label_list = torch.tensor(label_list, dtype=torch.int64)
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        text_list = torch.cat(text_list)
        return label_list.to(device), text_list.to(device), offsets.to(device)
    return collate_batch


def train(model, data, steps, device, lr=5.0, batch_size=8):
    train_iter, test_iter = data
    collate_batch = make_collate(device)
    train_dataloader = DataLoader(train_iter, batch_size=batch_size, collate_fn=collate_batch)
    test_dataloader = DataLoader(test_iter, batch_size=batch_size, collate_fn=collate_batch)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    numbers = []

    def evaluate(dataloader):
        model.eval()
        total_acc, total_count = 0, 0
        with torch.no_grad():
            for idx, (label, text, offsets) in enumerate(dataloader):
                predicted_label = model(text, offsets)
                total_acc += (predicted_label.argmax(1) == label).sum().item()
                total_count += label.size(0)
        return total_acc / total_count

    for epoch in range(1, steps + 1):
        model.train()
        for idx, (label, text, offsets) in enumerate(train_dataloader):
            optimizer.zero_grad()
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            optimizer.step()
            numbers.append(loss.item())
        accu_val = evaluate(test_dataloader)
        scheduler.step()
        numbers += [accu_val, scheduler.get_last_lr()[0]]
    # one more sentence, classified as in the tutorial's closing example
    with torch.no_grad():
        text = torch.tensor(text_pipeline("team coach win the league match"))
        output = model(text, torch.tensor([0]))
        numbers += output[0].tolist() + [float(output.argmax(1).item() + 1)]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
