"""Proximal Policy Optimization with a Gaussian policy, after the PPO-clip recipe of the
common PyTorch implementations (CleanRL's ppo_continuous_action): a tiny deterministic
point-mass environment written here (no gym), generalized advantage estimation, advantage
normalisation, ratio clipping, a clipped value loss, an entropy bonus and several epochs of
minibatches per rollout."""
import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.distributions import Normal, kl_divergence


class PointMass:
    """Push a unit mass on a line toward the origin; reward -x**2 - 0.1 * a**2 each step."""

    def __init__(self, horizon=16, dt=0.1):
        self.horizon, self.dt = horizon, dt

    def reset(self, x0=1.0):
        self.x, self.v, self.t = x0, 0.0, 0
        return self._obs()

    def _obs(self):
        return np.array([self.x, self.v], dtype="float32")

    def step(self, action):
        force = float(np.clip(action, -1.0, 1.0))
        self.v += force * self.dt
        self.x += self.v * self.dt
        self.t += 1
        reward = -self.x ** 2 - 0.1 * force ** 2
        return self._obs(), reward, self.t >= self.horizon


def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    def __init__(self, obs_dim=2, act_dim=1, hidden=32):
        super().__init__()
        self.critic = nn.Sequential(
            layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, 1), std=1.0),
        )
        self.actor_mean = nn.Sequential(
            layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, act_dim), std=0.01),
        )
        self.actor_logstd = nn.Parameter(torch.zeros(1, act_dim))

    def get_value(self, x):
        return self.critic(x)

    def get_action_and_value(self, x, action=None, noise=None):
        action_mean = self.actor_mean(x)
        action_logstd = self.actor_logstd.expand_as(action_mean)
        action_std = torch.exp(action_logstd)
        probs = Normal(action_mean, action_std)
        if action is None:
            # the reparameterised draw, from given noise when the caller passes it
            action = probs.sample() if noise is None else action_mean + action_std * noise
        return action, probs.log_prob(action).sum(1), probs.entropy().sum(1), self.critic(x)


def rollout(agent, env, num_envs, num_steps, noise=None, starts=None):
    """One rollout of ``num_envs`` independent point masses for ``num_steps`` steps."""
    envs = [PointMass(horizon=num_steps) for _ in range(num_envs)]
    starts = starts if starts is not None else np.linspace(-1, 1, num_envs)
    obs = torch.tensor(np.stack([e.reset(float(s)) for e, s in zip(envs, starts)]))
    buffers = {k: [] for k in ("obs", "actions", "logprobs", "rewards", "dones", "values")}
    for step in range(num_steps):
        with torch.no_grad():
            eps = None if noise is None else torch.from_numpy(noise[step])
            action, logprob, _, value = agent.get_action_and_value(obs, noise=eps)
        results = [e.step(a) for e, a in zip(envs, action[:, 0].tolist())]
        buffers["obs"].append(obs)
        buffers["actions"].append(action)
        buffers["logprobs"].append(logprob)
        buffers["values"].append(value.flatten())
        buffers["rewards"].append(torch.tensor([r for _, r, _ in results], dtype=torch.float32))
        buffers["dones"].append(torch.tensor([float(d) for _, _, d in results]))
        obs = torch.tensor(np.stack([o for o, _, _ in results]))
    with torch.no_grad():
        next_value = agent.get_value(obs).reshape(1, -1)
    return {k: torch.stack(v) for k, v in buffers.items()}, next_value


def compute_gae(rewards, values, dones, next_value, gamma=0.99, gae_lambda=0.95):
    num_steps = rewards.shape[0]
    advantages = torch.zeros_like(rewards)
    lastgaelam = 0
    for t in reversed(range(num_steps)):
        if t == num_steps - 1:
            nextnonterminal = 1.0 - dones[t]
            nextvalues = next_value
        else:
            nextnonterminal = 1.0 - dones[t]
            nextvalues = values[t + 1]
        delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
        advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
    returns = advantages + values
    return advantages, returns


def ppo_update(agent, optimizer, batch, permutations, minibatch_size, clip_coef=0.2,
               ent_coef=0.01, vf_coef=0.5, max_grad_norm=0.5):
    numbers = []
    b_obs, b_actions, b_logprobs, b_advantages, b_returns, b_values = batch
    batch_size = b_obs.shape[0]
    for b_inds in permutations:  # one permutation of the batch per epoch
        b_inds = torch.from_numpy(b_inds)
        for start in range(0, batch_size, minibatch_size):
            mb_inds = b_inds[start:start + minibatch_size]
            _, newlogprob, entropy, newvalue = agent.get_action_and_value(
                b_obs[mb_inds], b_actions[mb_inds])
            logratio = newlogprob - b_logprobs[mb_inds]
            ratio = logratio.exp()
            with torch.no_grad():
                approx_kl = ((ratio - 1) - logratio).mean()
            mb_advantages = b_advantages[mb_inds]
            mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)
            pg_loss1 = -mb_advantages * ratio
            pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
            pg_loss = torch.max(pg_loss1, pg_loss2).mean()
            newvalue = newvalue.view(-1)
            v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
            v_clipped = b_values[mb_inds] + torch.clamp(
                newvalue - b_values[mb_inds], -clip_coef, clip_coef)
            v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
            v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()
            entropy_loss = entropy.mean()
            loss = pg_loss - ent_coef * entropy_loss + v_loss * vf_coef
            optimizer.zero_grad()
            loss.backward()
            grad_norm = nn.utils.clip_grad_norm_(agent.parameters(), max_grad_norm)
            optimizer.step()
            numbers += [loss.item(), pg_loss.item(), v_loss.item(), entropy_loss.item(),
                        approx_kl.item(), float(grad_norm)]
    return numbers


def make_model(device):
    return Agent().to(device)


NUM_ENVS, NUM_STEPS, EPOCHS, MINIBATCHES = 4, 16, 3, 4


def make_data(rng, iterations=4):
    noise = rng.standard_normal((iterations, NUM_STEPS, NUM_ENVS, 1)).astype("float32")
    batch = NUM_ENVS * NUM_STEPS
    permutations = np.stack([[rng.permutation(batch) for _ in range(EPOCHS)]
                             for _ in range(iterations)])
    return noise, permutations


def train(agent, data, steps, device, learning_rate=3e-4):
    noise, permutations = data
    optimizer = optim.Adam(agent.parameters(), lr=learning_rate, eps=1e-5)
    batch_size = NUM_ENVS * NUM_STEPS
    numbers = []
    for iteration in range(steps):
        frac = 1.0 - iteration / steps  # learning-rate annealing, as CleanRL does
        optimizer.param_groups[0]["lr"] = frac * learning_rate
        buffers, next_value = rollout(agent, PointMass(), NUM_ENVS, NUM_STEPS,
                                      noise=noise[iteration])
        advantages, returns = compute_gae(buffers["rewards"], buffers["values"],
                                          buffers["dones"], next_value)
        batch = (buffers["obs"].reshape(-1, 2), buffers["actions"].reshape(-1, 1),
                 buffers["logprobs"].reshape(-1), advantages.reshape(-1),
                 returns.reshape(-1), buffers["values"].reshape(-1))
        numbers.append(buffers["rewards"].sum(0).mean().item())
        with torch.no_grad():
            old_policy = Normal(agent.actor_mean(batch[0]), agent.actor_logstd.exp())
        numbers += ppo_update(agent, optimizer, batch, permutations[iteration],
                              batch_size // MINIBATCHES)
        with torch.no_grad():  # how far the update moved the policy on the rollout's states
            new_policy = Normal(agent.actor_mean(batch[0]), agent.actor_logstd.exp())
            numbers.append(kl_divergence(old_policy, new_policy).sum(-1).mean().item())
        y_pred, y_true = batch[5].numpy(), batch[4].numpy()
        var_y = np.var(y_true)
        numbers.append(np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y)
    # a rollout with the policy's own draws (not compared: the libraries draw differently)
    buffers, _ = rollout(agent, PointMass(), NUM_ENVS, NUM_STEPS)
    print("sampled return", buffers["rewards"].sum(0).mean().item())
    return numbers


if __name__ == "__main__":
    torch.manual_seed(1)
    print(train(make_model("cpu"), make_data(np.random.default_rng(1)), 4, "cpu"))
