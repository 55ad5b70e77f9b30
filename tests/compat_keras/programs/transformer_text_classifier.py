"""keras.io "Text classification with Transformer", on a small synthetic token corpus.

A Transformer block as a Layer subclass (MultiHeadAttention, a feed-forward Sequential,
LayerNormalization, Dropout, residuals) and a TokenAndPositionEmbedding layer subclass
(token and position Embeddings summed). Only the import differs (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers, ops

vocab_size = 50  # Only consider the top 50 words
maxlen = 12  # Only consider the first 12 words of each review
embed_dim = 16  # Embedding size for each token
num_heads = 2  # Number of attention heads
ff_dim = 16  # Hidden layer size in feed forward network inside transformer


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def make_data(rng, samples=32):
    # Reviews of 4 to 12 word ids, padded at the end as keras.utils.pad_sequences does;
    # label 1 when "good" words (ids under 10) outnumber "bad" ones (ids 10 to 19).
    reviews = [list(rng.integers(1, vocab_size, size=rng.integers(4, maxlen + 1))) for _ in range(samples)]
    labels = np.array([int(sum(w < 10 for w in r) > sum(10 <= w < 20 for w in r)) for r in reviews])
    x = keras.utils.pad_sequences(reviews, maxlen=maxlen, padding="post")
    return x, labels


def build_model():
    inputs = layers.Input(shape=(maxlen,))
    embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
    x = embedding_layer(inputs)
    transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
    x = transformer_block(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(8, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def train(model, data, epochs=2):
    x, y = data
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=epochs, validation_split=0.25, shuffle=False, verbose=0)
    return {"losses": history.history["loss"] + history.history["val_loss"],
            "accuracy": history.history["accuracy"],
            "counts": [model.count_params(), len(model.trainable_weights)],
            "padded": x[:2],
            "predictions": model.predict(x[:8], verbose=0)}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
