"""Classifying names with a character-level RNN, after "NLP From Scratch": unicode names
folded to ASCII, one-hot letter tensors built by item assignment, the hand-written RNN cell
(cat of input and hidden, i2h/h2o, LogSoftmax) trained with NLLLoss and a manual update
p.data.add_(p.grad.data, alpha=-lr); then the nn.RNN version over a Dataset subclass with
shuffled mini-batches of single names, clip_grad_norm_, SGD; a confusion matrix from
categoryFromOutput (topk) normalised per row."""
import random
import string
import unicodedata

import ember as torch
import ember.nn as nn
from ember.utils.data import Dataset

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)

NAMES = {
    "English": ["Abbott", "Ashworth", "Barnes", "Clarke", "Hughes", "Whitfield"],
    "French": ["Beaulieu", "Chevalier", "Dupont", "Lefèvre", "Moreau", "Rousseau"],
    "Italian": ["Bianchi", "Esposito", "Ferrari", "Gallo", "Romano", "Ricci"],
    "Polish": ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Zieliński", "Lewandowski"],
}


# Turn a Unicode string to plain ASCII, thanks to https://stackoverflow.com/a/518232/2809427
def unicodeToAscii(s):
    return ''.join(
        c for c in unicodedata.normalize('NFD', s)
        if unicodedata.category(c) != 'Mn'
        and c in all_letters
    )


all_categories = list(NAMES)
category_lines = {category: [unicodeToAscii(name) for name in names]
                  for category, names in NAMES.items()}
n_categories = len(all_categories)


def letterToIndex(letter):
    return all_letters.find(letter)


def letterToTensor(letter):
    tensor = torch.zeros(1, n_letters)
    tensor[0][letterToIndex(letter)] = 1
    return tensor


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = torch.tanh(self.i2h(combined))
        output = self.h2o(hidden)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


class CharRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(CharRNN, self).__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        output = self.softmax(output)
        return output


class NamesDataset(Dataset):
    def __init__(self, category_lines):
        self.labels_uniq = list(category_lines)
        self.data, self.data_tensors, self.labels, self.labels_tensors = [], [], [], []
        for label, names in category_lines.items():
            for name in names:
                self.data.append(name)
                self.data_tensors.append(lineToTensor(name))
                self.labels.append(label)
        for label in self.labels:
            self.labels_tensors.append(torch.tensor([self.labels_uniq.index(label)],
                                                    dtype=torch.long))

    def __len__(self):
        return len(self.data)

    def __getitem__(self, idx):
        return self.labels_tensors[idx], self.data_tensors[idx], self.labels[idx], self.data[idx]


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    category_i = top_i[0].item()
    return all_categories[category_i], category_i


def make_model(device):
    n_hidden = 16
    return RNN(n_letters, n_hidden, n_categories), CharRNN(n_letters, n_hidden, n_categories)


def make_data(rng):
    return int(rng.integers(0, 1000))


def train(model, data, steps, device, learning_rate=0.005):
    rnn, char_rnn = model
    random.seed(data)
    criterion = nn.NLLLoss()
    numbers = [float(n_letters), float(lineToTensor("Jones").sum())]

    def train_step(category_tensor, line_tensor):
        hidden = rnn.initHidden()
        rnn.zero_grad()
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        loss = criterion(output, category_tensor)
        loss.backward()
        # Add parameters' gradients to their values, multiplied by learning rate
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)
        return output, loss.item()

    for iteration in range(steps * 6):
        category = random.choice(all_categories)
        line = random.choice(category_lines[category])
        category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
        output, loss = train_step(category_tensor, lineToTensor(line))
        numbers.append(loss)

    # the nn.RNN version, over a Dataset in shuffled mini-batches
    dataset = NamesDataset(category_lines)
    optimizer = torch.optim.SGD(char_rnn.parameters(), lr=0.05)
    char_rnn.train()
    for epoch in range(steps):
        batches = list(range(len(dataset)))
        random.shuffle(batches)
        batches = [batches[i:i + 8] for i in range(0, len(batches), 8)]
        current_loss = 0
        for idx in batches:
            batch_loss = 0
            for i in idx:
                (label_tensor, text_tensor, label, text) = dataset[i]
                output = char_rnn.forward(text_tensor)
                loss = criterion(output, label_tensor)
                batch_loss += loss
            batch_loss.backward()
            nn.utils.clip_grad_norm_(char_rnn.parameters(), 3)
            optimizer.step()
            optimizer.zero_grad()
            current_loss += batch_loss.item() / len(idx)
        numbers.append(current_loss / len(batches))

    confusion = torch.zeros(len(all_categories), len(all_categories))
    char_rnn.eval()
    with torch.no_grad():
        for i in range(len(dataset)):
            (label_tensor, text_tensor, label, text) = dataset[i]
            output = char_rnn(text_tensor)
            guess, guess_i = categoryFromOutput(output)
            label_i = all_categories.index(label)
            confusion[label_i][guess_i] += 1
    for i in range(len(all_categories)):
        denom = confusion[i].sum()
        if denom > 0:
            confusion[i] = confusion[i] / denom
    numbers += confusion.flatten().tolist()
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
