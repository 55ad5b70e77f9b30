"""Word embeddings, after PyTorch's "Word Embeddings: Encoding Lexical Semantics" tutorial:
an N-gram language model over Shakespeare's second sonnet and the CBOW exercise, each with
nn.Embedding, log_softmax and NLLLoss, trained with SGD one context at a time."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

CONTEXT_SIZE = 2
EMBEDDING_DIM = 10
# We will use Shakespeare Sonnet 2
test_sentence = """When forty winters shall besiege thy brow,
And dig deep trenches in thy beauty's field,
Thy youth's proud livery so gazed on now,
Will be a totter'd weed of small worth held:
Then being asked, where all thy beauty lies,
Where all the treasure of thy lusty days;
To say, within thine own deep sunken eyes,
Were an all-eating shame, and thriftless praise.
How much more praise deserv'd thy beauty's use,
If thou couldst answer 'This fair child of mine
Shall sum my count, and make my old excuse,'
Proving his beauty by succession thine!
This were to be new made when thou art old,
And see thy blood warm when thou feel'st it cold.""".split()
# we should tokenize the input, but we will ignore that for now
# build a list of tuples.
# Each tuple is ([ word_i-CONTEXT_SIZE, ..., word_i-1 ], target word)
ngrams = [
    ([test_sentence[i - j - 1] for j in range(CONTEXT_SIZE)], test_sentence[i])
    for i in range(CONTEXT_SIZE, len(test_sentence))
]
vocab = sorted(set(test_sentence))  # sorted: the same indices in every process
word_to_ix = {word: i for i, word in enumerate(vocab)}

raw_text = """We are about to study the idea of a computational process.
Computational processes are abstract beings that inhabit computers.
As they evolve, processes manipulate other abstract things called data.
The evolution of a process is directed by a pattern of rules
called a program. People create programs to direct processes. In effect,
we conjure the spirits of the computer with our spells.""".split()
cbow_vocab = sorted(set(raw_text))
cbow_word_to_ix = {word: i for i, word in enumerate(cbow_vocab)}
cbow_data = []
for i in range(CONTEXT_SIZE, len(raw_text) - CONTEXT_SIZE):
    context = (
        [raw_text[i - j - 1] for j in range(CONTEXT_SIZE)]
        + [raw_text[i + j + 1] for j in range(CONTEXT_SIZE)]
    )
    cbow_data.append((context, raw_text[i]))


class NGramLanguageModeler(nn.Module):

    def __init__(self, vocab_size, embedding_dim, context_size):
        super(NGramLanguageModeler, self).__init__()
        self.embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.linear1 = nn.Linear(context_size * embedding_dim, 128)
        self.linear2 = nn.Linear(128, vocab_size)

    def forward(self, inputs):
        embeds = self.embeddings(inputs).view((1, -1))
        out = F.relu(self.linear1(embeds))
        out = self.linear2(out)
        log_probs = F.log_softmax(out, dim=1)
        return log_probs


class CBOW(nn.Module):

    def __init__(self, vocab_size, embedding_dim):
        super(CBOW, self).__init__()
        self.embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.linear1 = nn.Linear(embedding_dim, 128)
        self.activation_function1 = nn.ReLU()
        self.linear2 = nn.Linear(128, vocab_size)
        self.activation_function2 = nn.LogSoftmax(dim=-1)

    def forward(self, inputs):
        embeds = sum(self.embeddings(inputs)).view(1, -1)
        out = self.linear1(embeds)
        out = self.activation_function1(out)
        out = self.linear2(out)
        out = self.activation_function2(out)
        return out

    def get_word_emdedding(self, word):
        word = torch.tensor([cbow_word_to_ix[word]])
        return self.embeddings(word).view(1, -1)


def make_context_vector(context, word_to_ix):
    idxs = [word_to_ix[w] for w in context]
    return torch.tensor(idxs, dtype=torch.long)


def make_model(device):
    return (NGramLanguageModeler(len(vocab), EMBEDDING_DIM, CONTEXT_SIZE).to(device),
            CBOW(len(cbow_vocab), EMBEDDING_DIM).to(device))


def make_data(rng):
    return None  # the texts are the program's own


def train(models, data, steps, device):
    model, cbow = models
    losses = []
    loss_function = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.001)
    for epoch in range(steps):
        total_loss = 0
        for context, target in ngrams:
            # Step 1. Prepare the inputs to be passed to the model (i.e, turn the words
            # into integer indices and wrap them in tensors)
            context_idxs = torch.tensor([word_to_ix[w] for w in context], dtype=torch.long)
            # Step 2. Recall that torch *accumulates* gradients. Before passing in a
            # new instance, you need to zero out the gradients from the old instance
            model.zero_grad()
            # Step 3. Run the forward pass, getting log probabilities over next words
            log_probs = model(context_idxs)
            # Step 4. Compute your loss function. (Again, Torch wants the target
            # word wrapped in a tensor)
            loss = loss_function(log_probs, torch.tensor([word_to_ix[target]], dtype=torch.long))
            # Step 5. Do the backward pass and update the gradient
            loss.backward()
            optimizer.step()
            # Get the Python number from a 1-element Tensor by calling tensor.item()
            total_loss += loss.item()
        losses.append(total_loss)
    # To get the embedding of a particular word, e.g. "beauty"
    numbers = losses + model.embeddings.weight[word_to_ix["beauty"]].tolist()

    cbow_optimizer = optim.SGD(cbow.parameters(), lr=0.001)
    for epoch in range(steps):
        total_loss = 0
        for context, target in cbow_data:
            context_vector = make_context_vector(context, cbow_word_to_ix)
            log_probs = cbow(context_vector)
            total_loss += loss_function(log_probs, torch.tensor([cbow_word_to_ix[target]]))
        # optimize at the end of each epoch
        cbow_optimizer.zero_grad()
        total_loss.backward()
        cbow_optimizer.step()
        numbers.append(total_loss.item())
    # test: predict the middle word of a context
    context = ["People", "create", "to", "direct"]
    with torch.no_grad():
        a = cbow(make_context_vector(context, cbow_word_to_ix))
    numbers += a[0, :8].tolist()
    print(f"Context: {context}\nPrediction: {cbow_vocab[torch.argmax(a[0]).item()]}")
    numbers += cbow.get_word_emdedding("computer").view(-1).tolist()
    return numbers


if __name__ == "__main__":
    torch.manual_seed(1)
    print(train(make_model("cpu"), make_data(None), 10, "cpu"))
