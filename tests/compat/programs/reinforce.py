"""REINFORCE with a Categorical policy, after PyTorch's official reinforcement_learning
example, on a tiny deterministic corridor environment written here (no gym)."""
import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.distributions import Categorical

eps = np.finfo(np.float32).eps.item()


class Corridor:
    """Walk left/right on 6 cells; reward 1 at the right end, -0.01 per step, 20 steps max."""

    def __init__(self, length=6):
        self.length = length

    def reset(self):
        self.pos, self.t = 0, 0
        return self._obs()

    def _obs(self):
        obs = np.zeros(self.length, dtype="float32")
        obs[self.pos] = 1.0
        return obs

    def step(self, action):
        self.pos = min(max(self.pos + (1 if action == 1 else -1), 0), self.length - 1)
        self.t += 1
        done = self.pos == self.length - 1 or self.t >= 20
        reward = 1.0 if self.pos == self.length - 1 else -0.01
        return self._obs(), reward, done


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(6, 32)
        self.dropout = nn.Dropout(p=0.6)
        self.affine2 = nn.Linear(32, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


def select_action(policy, state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode(policy, optimizer, gamma=0.99):
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]
    return policy_loss.item()


def make_model(device):
    return Policy()


def make_data(rng):
    # a fixed trajectory of actions, replayed to compare the update with no sampling in it
    return rng.integers(0, 2, 12)


def train(policy, data, steps, device):
    """Numbers without sampling: losses of replayed fixed trajectories and the policy's
    distribution after them; then a few sampled episodes (their results are not compared)."""
    optimizer = optim.Adam(policy.parameters(), lr=1e-2)
    env = Corridor()
    numbers = []
    for _ in range(steps):
        state = env.reset()
        for action in data:
            probs = policy(torch.from_numpy(state).unsqueeze(0))
            m = Categorical(probs)
            policy.saved_log_probs.append(m.log_prob(torch.tensor([int(action)])))
            numbers.append(m.entropy().item())
            state, reward, done = env.step(int(action))
            policy.rewards.append(reward)
            if done:
                break
        numbers.append(finish_episode(policy, optimizer))
    with torch.no_grad():
        numbers += policy(torch.from_numpy(env.reset()).unsqueeze(0)).view(-1).tolist()
    for i_episode in range(2):
        state, ep_reward = env.reset(), 0
        for t in range(1, 20):
            action = select_action(policy, state)
            state, reward, done = env.step(action)
            policy.rewards.append(reward)
            ep_reward += reward
            if done:
                break
        finish_episode(policy, optimizer)
        print("Episode {}\tLast reward: {:.2f}".format(i_episode, ep_reward))
    return numbers


if __name__ == "__main__":
    torch.manual_seed(543)
    train(make_model("cpu"), make_data(np.random.default_rng(0)), 4, "cpu")
