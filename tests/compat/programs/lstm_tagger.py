"""A part-of-speech tagger with nn.LSTM, after the sequence-models tutorial: word_to_ix and
tag_to_ix dictionaries, prepare_sequence, an LSTMTagger (Embedding -> LSTM -> Linear ->
log_softmax) trained one sentence at a time with NLLLoss and SGD; the tag scores of the
first sentence are read before and after training under torch.no_grad(). A second tagger
adds the tutorial's exercise: a character-level LSTM whose last hidden state augments each
word's embedding."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

training_data = [
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
    ("The cat saw a dog".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("A child ate that bread".split(), ["DET", "NN", "V", "DET", "NN"]),
]
word_to_ix = {}
for sent, tags in training_data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
char_to_ix = {}
for sent, _ in training_data:
    for char in "".join(sent):
        if char not in char_to_ix:
            char_to_ix[char] = len(char_to_ix)
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}

EMBEDDING_DIM = 6
HIDDEN_DIM = 6
CHAR_DIM = 3


def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return torch.tensor(idxs, dtype=torch.long)


class LSTMTagger(nn.Module):

    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        # The LSTM takes word embeddings as inputs, and outputs hidden states
        # with dimensionality hidden_dim.
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        # The linear layer that maps from hidden state space to tag space
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores


class CharAugmentedTagger(nn.Module):
    """Each word is its embedding concatenated with a char-LSTM's final hidden state."""

    def __init__(self, embedding_dim, char_dim, hidden_dim, vocab_size, chars, tagset_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.char_embeddings = nn.Embedding(chars, char_dim)
        self.char_lstm = nn.LSTM(char_dim, char_dim, batch_first=True)
        self.lstm = nn.LSTM(embedding_dim + char_dim, hidden_dim, num_layers=2,
                            bidirectional=True)
        self.hidden2tag = nn.Linear(2 * hidden_dim, tagset_size)

    def forward(self, sentence, words):
        char_states = []
        for word in words:
            chars = self.char_embeddings(prepare_sequence(word, char_to_ix)).unsqueeze(0)
            _, (h_n, c_n) = self.char_lstm(chars)
            char_states.append(h_n[-1, 0])
        features = torch.cat([self.word_embeddings(sentence), torch.stack(char_states)], dim=1)
        lstm_out, _ = self.lstm(features.unsqueeze(1))
        return F.log_softmax(self.hidden2tag(lstm_out.squeeze(1)), dim=1)


def make_model(device):
    return (LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix)).to(device),
            CharAugmentedTagger(EMBEDDING_DIM, CHAR_DIM, HIDDEN_DIM, len(word_to_ix),
                                len(char_to_ix), len(tag_to_ix)).to(device))


def make_data(rng):
    return training_data


def train(model, data, steps, device):
    model, char_model = model
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    char_optimizer = optim.SGD(char_model.parameters(), lr=0.1, momentum=0.9)
    numbers = []

    # See what the scores are before training
    with torch.no_grad():
        inputs = prepare_sequence(data[0][0], word_to_ix)
        tag_scores = model(inputs)
        numbers += tag_scores.view(-1).tolist()

    for epoch in range(steps):
        for sentence, tags in data:
            # Step 1. Clear out the accumulated gradients.
            model.zero_grad()
            char_model.zero_grad()
            # Step 2. Turn the inputs into tensors of word indices.
            sentence_in = prepare_sequence(sentence, word_to_ix)
            targets = prepare_sequence(tags, tag_to_ix)
            # Step 3. Run the forward pass.
            tag_scores = model(sentence_in)
            char_scores = char_model(sentence_in, sentence)
            # Step 4. Loss, gradients, and the parameter update.
            loss = loss_function(tag_scores, targets)
            char_loss = loss_function(char_scores, targets)
            loss.backward()
            char_loss.backward()
            optimizer.step()
            char_optimizer.step()
            numbers += [loss.item(), char_loss.item()]

    # See what the scores are after training
    with torch.no_grad():
        inputs = prepare_sequence(data[0][0], word_to_ix)
        tag_scores = model(inputs)
        numbers += tag_scores.view(-1).tolist()
        numbers += tag_scores.argmax(dim=1).tolist()
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(1)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
