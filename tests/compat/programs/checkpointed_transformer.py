"""Activation checkpointing and attention masks, after the torch.utils.checkpoint docs and
the nn.MultiheadAttention / nn.TransformerEncoder tutorials: a pre-norm TransformerEncoder
whose layers run under torch.utils.checkpoint.checkpoint (use_reentrant=False) with a
boolean causal mask and a key_padding_mask, a head run by checkpoint_sequential, attention
pooling by nn.MultiheadAttention with a learned query (key_padding_mask, per-head weights
with average_attn_weights=False) and a float attn_mask from
nn.Transformer.generate_square_subsequent_mask; the checkpointed gradients must equal the
plain ones. Training uses gradient accumulation over micro-batches, clip_grad_norm_'s
returned norm, and a warm-up then cosine schedule (SequentialLR of LinearLR and
CosineAnnealingLR) on AdamW."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.checkpoint import checkpoint, checkpoint_sequential

VOCAB, D_MODEL, HEADS, CLASSES, PAD = 20, 16, 4, 3, 0


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(1, 12, D_MODEL))
        layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=32, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.query = nn.Parameter(torch.zeros(1, 1, D_MODEL))
        self.pool = nn.MultiheadAttention(D_MODEL, HEADS, batch_first=True)
        self.head = nn.Sequential(nn.Linear(D_MODEL, 32), nn.GELU(), nn.LayerNorm(32),
                                  nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, CLASSES))
        self.use_checkpoint = True

    def forward(self, tokens):
        padding_mask = tokens == PAD
        T = tokens.size(1)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=tokens.device), diagonal=1)
        x = self.embed(tokens) + self.pos[:, :T]
        for layer in self.encoder.layers:
            if self.use_checkpoint:
                x = checkpoint(layer, x, causal, padding_mask, use_reentrant=False)
            else:
                x = layer(x, causal, padding_mask)
        query = self.query.expand(x.size(0), -1, -1)
        pooled, weights = self.pool(query, x, x, key_padding_mask=padding_mask,
                                    need_weights=True, average_attn_weights=False)
        pooled = pooled.squeeze(1)
        if self.use_checkpoint:
            logits = checkpoint_sequential(self.head, 2, pooled, use_reentrant=False)
        else:
            logits = self.head(pooled)
        return logits, weights


def make_model(device):
    model = Classifier().to(device)
    with torch.no_grad():
        model.pos.normal_(0, 0.1)
        model.query.normal_(0, 0.5)
    return model


def make_data(rng, n=24, T=10):
    lengths = rng.integers(4, T + 1, size=n)
    tokens = rng.integers(1, VOCAB, size=(n, T))
    for i, length in enumerate(lengths):
        tokens[i, length:] = PAD
    labels = (tokens[:, 0] % CLASSES).astype("int64")
    frames = rng.standard_normal((2, 6, D_MODEL)).astype("float32")
    return tokens, labels, frames


def gradients(model, tokens, labels, use_checkpoint):
    model.use_checkpoint = use_checkpoint
    model.zero_grad()
    logits, _ = model(tokens)
    F.cross_entropy(logits, labels).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    model.use_checkpoint = True
    return grads


def attention_with_float_mask(model, frames):
    # a float additive mask (0 where allowed, -inf above the diagonal)
    mask = nn.Transformer.generate_square_subsequent_mask(frames.size(1))
    out, weights = model.pool(frames, frames, frames, attn_mask=mask)
    return [float(torch.isinf(mask).sum())] + out.flatten()[:12].tolist() + \
        weights[0].flatten().tolist()


def train(model, data, steps, device, micro_batch=4, accumulation_steps=3):
    tokens, labels, frames = data
    tokens = torch.from_numpy(tokens).to(device)
    labels = torch.from_numpy(labels).to(device)
    frames = torch.from_numpy(frames).to(device)
    numbers = attention_with_float_mask(model, frames)

    plain = gradients(model, tokens[:8], labels[:8], False)
    checkpointed = gradients(model, tokens[:8], labels[:8], True)
    numbers.append(max((a - b).abs().max().item() for a, b in zip(plain, checkpointed)))
    numbers += [g.abs().sum().item() for g in checkpointed]

    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=2)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(steps, 1))
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[2])
    model.train()
    batch = micro_batch * accumulation_steps
    for step in range(steps + 2):
        start = (step * batch) % len(tokens)
        optimizer.zero_grad()
        total = 0.0
        for i in range(accumulation_steps):
            xb = tokens[start + i * micro_batch:start + (i + 1) * micro_batch]
            yb = labels[start + i * micro_batch:start + (i + 1) * micro_batch]
            logits, weights = model(xb)
            loss = F.cross_entropy(logits, yb) / accumulation_steps
            loss.backward()
            total += loss.item()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        numbers += [total, norm.item(), optimizer.param_groups[0]["lr"]]
    numbers += weights[0].flatten().tolist()

    model.eval()
    with torch.no_grad():
        logits, weights = model(tokens)
        numbers += logits.flatten().tolist()
        numbers.append((logits.argmax(1) == labels).float().mean().item())
        # no attention lands on padding
        numbers.append(weights.masked_select((tokens == PAD)[:, None, None, :]).abs().sum().item())
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 3, "cpu"))
