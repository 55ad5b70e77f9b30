"""A GRU sequence classifier over padded variable-length sequences: pad_sequence,
pack_padded_sequence into a bidirectional GRU, pad_packed_sequence back, masked mean pool."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


class GRUClassifier(nn.Module):
    def __init__(self, vocab_size=30, embed_dim=12, hidden_dim=16, num_classes=3):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.gru = nn.GRU(embed_dim, hidden_dim, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(4 * hidden_dim, num_classes)

    def forward(self, tokens, lengths):
        embedded = self.embedding(tokens)
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        packed_out, hidden = self.gru(packed)
        out, out_lengths = pad_packed_sequence(packed_out, batch_first=True)
        mask = (torch.arange(out.size(1))[None, :] < out_lengths[:, None]).unsqueeze(-1)
        mean = (out * mask).sum(1) / out_lengths[:, None].float()
        last = torch.cat([hidden[-2], hidden[-1]], dim=1)
        return self.fc(torch.cat([mean, last], dim=1))


def make_model(device):
    return GRUClassifier().to(device)


def make_data(rng, steps=5, batch_size=6):
    batches = []
    for _ in range(steps):
        lengths = rng.integers(2, 9, batch_size)
        seqs = [rng.integers(1, 30, n) for n in lengths]
        batches.append((seqs, rng.integers(0, 3, batch_size)))
    return batches


def train(model, data, steps, device):
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-2)
    numbers = []
    for seqs, labels in data[:steps]:
        tokens = pad_sequence([torch.tensor(s) for s in seqs], batch_first=True)
        lengths = torch.tensor([len(s) for s in seqs])
        optimizer.zero_grad()
        logits = model(tokens.to(device), lengths)
        loss = F.cross_entropy(logits, torch.tensor(labels).to(device))
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 5, "cpu"))
