"""Word-level LSTM language model in the style of PyTorch's official word_language_model:
RNNModel with an optional tied decoder, truncated BPTT with repackage_hidden, plain SGD
with clip_grad_norm_."""
import math

import ember as torch
import ember.nn as nn
import ember.nn.functional as F

CORPUS = ("the cat sat on the mat . the dog sat on the log . a cat and a dog met on a mat . "
          "the log was under the mat and the cat was on the dog .").split()


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def batchify(data, bsz, device):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous().to(device)


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


VOCAB = sorted(set(CORPUS))


def make_model(device):
    return RNNModel("LSTM", len(VOCAB), 16, 16, 2, dropout=0.2, tie_weights=True).to(device)


def make_data(rng):
    index = {w: i for i, w in enumerate(VOCAB)}
    return [index[w] for w in CORPUS] * 3


def train(model, data, steps, device, bptt=5, lr=5.0, clip=0.25, batch_size=4):
    train_data = batchify(torch.tensor(data, dtype=torch.long), batch_size, device)
    criterion = nn.NLLLoss()
    model.train()
    hidden = model.init_hidden(batch_size)
    numbers = []
    for step, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        if step == steps:
            break
        data, targets = get_batch(train_data, i, bptt)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        numbers += [loss.item(), float(norm)]
        print("| step {:3d} | loss {:5.2f} | ppl {:8.2f}".format(step, loss.item(),
                                                                 math.exp(loss.item())))
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(1111)
    train(make_model("cpu"), make_data(np.random.default_rng(0)), 8, "cpu")
