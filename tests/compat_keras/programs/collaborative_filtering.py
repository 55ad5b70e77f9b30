"""keras.io "Collaborative Filtering for Movie Recommendations", on synthetic ratings.

A Model subclass embeds users and movies (Embedding layers with L2 regularization, per-user
and per-movie biases), scores a pair by the dot product of their embeddings (``ops.tensordot``)
and squashes it with a sigmoid; ``get_config``/``from_config`` rebuild it. Only the import
differs (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers, ops

EMBEDDING_SIZE = 8
num_users, num_movies = 12, 9


class RecommenderNet(keras.Model):
    def __init__(self, num_users, num_movies, embedding_size, **kwargs):
        super().__init__(**kwargs)
        self.num_users = num_users
        self.num_movies = num_movies
        self.embedding_size = embedding_size
        self.user_embedding = layers.Embedding(
            num_users,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.user_bias = layers.Embedding(num_users, 1)
        self.movie_embedding = layers.Embedding(
            num_movies,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.movie_bias = layers.Embedding(num_movies, 1)

    def call(self, inputs):
        user_vector = self.user_embedding(inputs[:, 0])
        user_bias = self.user_bias(inputs[:, 0])
        movie_vector = self.movie_embedding(inputs[:, 1])
        movie_bias = self.movie_bias(inputs[:, 1])
        dot_user_movie = ops.tensordot(user_vector, movie_vector, 2)
        # Add all the components (including bias)
        x = dot_user_movie + user_bias + movie_bias
        # The sigmoid activation forces the rating to between 0 and 1
        return ops.nn.sigmoid(x)

    def get_config(self):
        return {"num_users": self.num_users, "num_movies": self.num_movies,
                "embedding_size": self.embedding_size, "name": self.name}


def make_data(rng, ratings=60):
    users = rng.integers(0, num_users, size=ratings)
    movies = rng.integers(0, num_movies, size=ratings)
    stars = np.clip(np.round(2.5 + (users % 3) - (movies % 2) + rng.normal(size=ratings) * 0.5), 0.5, 5.0)
    min_rating, max_rating = 0.5, 5.0
    x = np.stack([users, movies], axis=1).astype("int64")
    # Normalize the targets between 0 and 1. Makes it easy to train.
    y = ((stars - min_rating) / (max_rating - min_rating)).astype("float32")
    return x, y


def build_model():
    model = RecommenderNet(num_users, num_movies, EMBEDDING_SIZE)
    model(np.zeros((1, 2), dtype="int64"))  # builds the embeddings
    return model


def train(model, data, epochs=3):
    x, y = data
    train_indices = int(0.9 * len(x))
    x_train, x_val, y_train, y_val = x[:train_indices], x[train_indices:], y[:train_indices], y[train_indices:]
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(learning_rate=0.01))
    history = model.fit(x=x_train, y=y_train, batch_size=16, epochs=epochs, verbose=0,
                        validation_data=(x_val, y_val), shuffle=False)
    # Recommend: score every movie for user 0 and rank them, best first
    user_movie_array = np.stack([np.zeros(num_movies, dtype="int64"), np.arange(num_movies)], axis=1)
    ratings = model.predict(user_movie_array, verbose=0).flatten()
    top_ratings_indices = ratings.argsort()[-3:][::-1]
    clone = RecommenderNet.from_config(model.get_config())
    clone(x[:1])
    return {"losses": history.history["loss"] + history.history["val_loss"],
            "counts": [model.count_params(), clone.count_params(), len(model.losses)],
            "top_movies": list(top_ratings_indices),
            "predictions": ratings}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
