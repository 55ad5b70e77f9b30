"""keras.io "Actor Critic Method", on a tiny deterministic balancing task written here.

The example's loop: one model with an actor (softmax) head and a critic head, an episode
recorded under one tf.GradientTape, actions drawn from the actor's probabilities, discounted
returns normalised, the actor loss ``-log_prob * (return - value)`` plus the critic's Huber
loss, and one Adam step per episode. CartPole (gym) is replaced by ``BalanceEnv`` below, and
``np.random.choice`` by a NumPy generator's ``choice``. Only the imports differ
(``import ember as tf``, ``from ember import keras``). Keras-on-torch cannot run GradientTape
code: a test replays the chosen actions through the same computation in PyTorch.
"""
import numpy as np

import ember as tf
from ember import keras
from ember.keras import layers

# Configuration parameters for the whole setup
gamma = 0.99  # Discount factor for past rewards
max_steps_per_episode = 30
eps = np.finfo(np.float32).eps.item()  # Smallest number such that 1.0 + eps != 1.0

num_inputs = 4
num_actions = 2
num_hidden = 16


class BalanceEnv:
    """A pole on a cart, linearised: state (x, x_dot, theta, theta_dot); action 0 pushes left,
    1 right; reward 1 per step until the pole leans past 0.4 rad or the cart leaves [-1, 1]."""

    def reset(self):
        self.state = np.array([0.0, 0.0, 0.05, 0.0], dtype="float32")
        return self.state.copy(), {}

    def step(self, action):
        x, x_dot, theta, theta_dot = (float(v) for v in self.state)
        force = 1.0 if action == 1 else -1.0
        theta_dot += 0.1 * (2.0 * theta - 0.5 * force)
        x_dot += 0.05 * force
        theta += 0.1 * theta_dot
        x += 0.1 * x_dot
        self.state = np.array([x, x_dot, theta, theta_dot], dtype="float32")
        done = abs(theta) > 0.4 or abs(x) > 1.0
        return self.state.copy(), 1.0, done, False, {}


def make_data(rng):
    return rng  # the action draws; the environment is deterministic


def build_model():
    inputs = layers.Input(shape=(num_inputs,))
    common = layers.Dense(num_hidden, activation="relu")(inputs)
    action = layers.Dense(num_actions, activation="softmax")(common)
    critic = layers.Dense(1)(common)
    return keras.Model(inputs=inputs, outputs=[action, critic])


def train(model, rng, episodes=4):
    env = BalanceEnv()
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    huber_loss = keras.losses.Huber()
    action_probs_history = []
    critic_value_history = []
    rewards_history = []
    running_reward = 0
    episode_count = 0
    losses, running, actions = [], [], []

    while episode_count < episodes:  # the example runs until running_reward > 195
        state = env.reset()[0]
        episode_reward = 0
        episode_actions = []
        with tf.GradientTape() as tape:
            for timestep in range(1, max_steps_per_episode):
                state = tf.convert_to_tensor(state)
                state = tf.expand_dims(state, 0)

                # Predict action probabilities and estimated future rewards
                # from environment state
                action_probs, critic_value = model(state)
                critic_value_history.append(critic_value[0, 0])

                # Sample action from action probability distribution
                # np.squeeze(action_probs) in the example: on a tf.Tensor NumPy falls back to an
                # ndarray, but Ember's tensors (as torch's) have their own squeeze(), which keeps a
                # tensor, and choice() checks a non-ndarray p's sum to float64 precision. (And
                # .numpy() raises on a tensor that requires grad, as torch's does.)
                action = rng.choice(num_actions, p=np.squeeze(np.asarray(action_probs)))
                action_probs_history.append(tf.math.log(action_probs[0, action]))
                episode_actions.append(int(action))

                # Apply the sampled action in our environment
                state, reward, done, *_ = env.step(action)
                rewards_history.append(reward)
                episode_reward += reward

                if done:
                    break

            # Update running reward to check condition for solving
            running_reward = 0.05 * episode_reward + (1 - 0.05) * running_reward

            # Calculate expected value from rewards
            # - At each timestep what was the total reward received after that timestep
            # - Rewards in the past are discounted by multiplying them with gamma
            # - These are the labels for our critic
            returns = []
            discounted_sum = 0
            for r in rewards_history[::-1]:
                discounted_sum = r + gamma * discounted_sum
                returns.insert(0, discounted_sum)

            # Normalize
            returns = np.array(returns)
            returns = (returns - np.mean(returns)) / (np.std(returns) + eps)
            returns = returns.tolist()

            # Calculating loss values to update our network
            history = zip(action_probs_history, critic_value_history, returns)
            actor_losses = []
            critic_losses = []
            for log_prob, value, ret in history:
                # At this point in history, the critic estimated that we would get a
                # total reward = `value` in the future. We took an action with log probability
                # of `log_prob` and ended up receiving a total reward = `ret`.
                # The actor must be updated so that it predicts an action that leads to
                # high rewards (compared to critic's estimate) with high probability.
                diff = ret - value
                actor_losses.append(-log_prob * diff)  # actor loss

                # The critic must be updated so that it predicts a better estimate of
                # the future rewards.
                critic_losses.append(huber_loss(tf.expand_dims(value, 0), tf.expand_dims(ret, 0)))

            # Backpropagation
            loss_value = sum(actor_losses) + sum(critic_losses)
        grads = tape.gradient(loss_value, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

        # Clear the loss and reward history
        action_probs_history.clear()
        critic_value_history.clear()
        rewards_history.clear()

        episode_count += 1
        losses.append(float(loss_value))
        running.append(running_reward)
        actions.append(episode_actions)
    probabilities, values = model(tf.convert_to_tensor(env.reset()[0][None]))
    return {"losses": losses, "running_reward": running, "actions": actions,
            "predictions": [np.asarray(probabilities), np.asarray(values)]}


if __name__ == "__main__":
    result = train(build_model(), make_data(np.random.default_rng(0)))
    print(result["losses"], result["running_reward"], [len(a) for a in result["actions"]])
