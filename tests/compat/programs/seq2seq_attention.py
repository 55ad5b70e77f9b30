"""GRU encoder-decoder with Bahdanau attention, after PyTorch's "NLP from scratch: translation
with a sequence to sequence network and attention" tutorial: teacher forcing, NLLLoss over
log-softmax outputs, two Adam optimizers, greedy decoding with topk."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember import optim

SOS_token, EOS_token, MAX_LENGTH, VOCAB = 0, 1, 6, 12


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super(EncoderRNN, self).__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super(BahdanauAttention, self).__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1):
        super(AttnDecoderRNN, self).__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        attentions = []
        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs)
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # Teacher forcing
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        output = self.out(output)
        return output, hidden, attn_weights


def make_model(device):
    return EncoderRNN(VOCAB, 16).to(device), AttnDecoderRNN(16, VOCAB).to(device)


def make_data(rng, steps=4, batch_size=8):
    # the "translation" of a sequence is its reverse, then EOS and padding
    pairs = []
    for _ in range(steps + 1):
        lengths = rng.integers(2, MAX_LENGTH, batch_size)
        inputs = [[0] * MAX_LENGTH for _ in range(batch_size)]
        targets = [[0] * MAX_LENGTH for _ in range(batch_size)]
        for row, n in enumerate(lengths):
            words = rng.integers(2, VOCAB, n).tolist()
            inputs[row][:n + 1] = words + [EOS_token]
            targets[row][:n + 1] = words[::-1] + [EOS_token]
        pairs.append((inputs, targets))
    return pairs


def train(models, data, steps, device, learning_rate=0.01):
    encoder, decoder = models
    encoder_optimizer = optim.Adam(encoder.parameters(), lr=learning_rate)
    decoder_optimizer = optim.Adam(decoder.parameters(), lr=learning_rate)
    criterion = nn.NLLLoss()
    numbers = []
    for input_list, target_list in data[:steps]:
        input_tensor = torch.tensor(input_list, dtype=torch.long, device=device)
        target_tensor = torch.tensor(target_list, dtype=torch.long, device=device)
        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()
        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)
        loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)),
                         target_tensor.view(-1))
        loss.backward()
        encoder_optimizer.step()
        decoder_optimizer.step()
        numbers.append(loss.item())
    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        input_tensor = torch.tensor(data[-1][0], dtype=torch.long, device=device)
        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, _, attentions = decoder(encoder_outputs, encoder_hidden)
        _, topi = decoder_outputs.topk(1)
        numbers += [float(topi.sum().item()), attentions.sum(-1).mean().item(),
                    decoder_outputs.max().item()]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 4, "cpu"))
