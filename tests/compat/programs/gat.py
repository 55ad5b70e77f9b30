"""Graph attention network after PyTorch's official gat example: a multi-head GraphAttentionLayer
with dense adjacency masking, LeakyReLU scores, ELU between layers, log-softmax node classes,
Adam with weight decay, masked train/validation accuracy."""
import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class GraphAttentionLayer(nn.Module):
    def __init__(self, in_features, out_features, n_heads, concat=False, dropout=0.4,
                 leaky_relu_slope=0.2):
        super(GraphAttentionLayer, self).__init__()
        self.n_heads = n_heads
        self.concat = concat
        self.dropout = dropout
        if concat:
            self.out_features = out_features
            assert out_features % n_heads == 0
            self.n_hidden = out_features // n_heads
        else:
            self.n_hidden = out_features
        self.W = nn.Parameter(torch.empty(size=(in_features, self.n_hidden * n_heads)))
        self.a = nn.Parameter(torch.empty(size=(n_heads, 2 * self.n_hidden, 1)))
        self.leakyrelu = nn.LeakyReLU(leaky_relu_slope)
        self.softmax = nn.Softmax(dim=1)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.xavier_normal_(self.W)
        nn.init.xavier_normal_(self.a)

    def _get_attention_scores(self, h_transformed):
        source_scores = torch.matmul(h_transformed, self.a[:, :self.n_hidden, :])
        target_scores = torch.matmul(h_transformed, self.a[:, self.n_hidden:, :])
        e = source_scores + target_scores.mT
        return self.leakyrelu(e)

    def forward(self, h, adj_mat):
        n_nodes = h.shape[0]
        h_transformed = torch.mm(h, self.W)
        h_transformed = F.dropout(h_transformed, self.dropout, training=self.training)
        h_transformed = h_transformed.view(n_nodes, self.n_heads, self.n_hidden).permute(1, 0, 2)
        e = self._get_attention_scores(h_transformed)
        connectivity_mask = -9e16 * torch.ones_like(e)
        e = torch.where(adj_mat > 0, e, connectivity_mask)
        attention = F.softmax(e, dim=-1)
        attention = F.dropout(attention, self.dropout, training=self.training)
        h_prime = torch.matmul(attention, h_transformed)
        if self.concat:
            h_prime = h_prime.permute(1, 0, 2).contiguous().view(n_nodes, self.out_features)
        else:
            h_prime = h_prime.mean(dim=0)
        return h_prime


class GAT(nn.Module):
    def __init__(self, in_features, n_hidden, n_heads, num_classes, concat=False, dropout=0.4,
                 leaky_relu_slope=0.2):
        super(GAT, self).__init__()
        self.gat1 = GraphAttentionLayer(in_features=in_features, out_features=n_hidden,
                                        n_heads=n_heads, concat=concat, dropout=dropout,
                                        leaky_relu_slope=leaky_relu_slope)
        self.gat2 = GraphAttentionLayer(in_features=n_hidden, out_features=num_classes,
                                        n_heads=1, concat=False, dropout=dropout,
                                        leaky_relu_slope=leaky_relu_slope)

    def forward(self, input_tensor, adj_mat):
        x = self.gat1(input_tensor, adj_mat)
        x = F.elu(x)
        x = self.gat2(x, adj_mat)
        return F.log_softmax(x, dim=1)


def make_model(device):
    # dropout 0 here: F.dropout is a function call, which the comparison can't switch off
    return GAT(in_features=10, n_hidden=16, n_heads=4, num_classes=3, concat=True,
               dropout=0.0).to(device)


def make_data(rng, n_nodes=30):
    features = rng.standard_normal((n_nodes, 10)).astype("float32")
    adj = (rng.random((n_nodes, n_nodes)) < 0.15).astype("float32")
    adj = ((adj + adj.T + np.eye(n_nodes)) > 0).astype("float32")
    labels = rng.integers(0, 3, n_nodes)
    return features, adj, labels


def train(model, data, steps, device):
    features, adj, labels = (torch.from_numpy(a).to(device) for a in data)
    idx_train, idx_val = torch.arange(0, 20), torch.arange(20, 30)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005, weight_decay=5e-4)
    criterion = nn.NLLLoss()
    numbers = []
    for epoch in range(steps):
        model.train()
        optimizer.zero_grad()
        output = model(features, adj)
        loss = criterion(output[idx_train], labels[idx_train])
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            output = model(features, adj)
            val_loss = criterion(output[idx_val], labels[idx_val])
            val_acc = (output[idx_val].argmax(dim=1) == labels[idx_val]).float().mean()
        numbers += [loss.item(), val_loss.item(), val_acc.item()]
    return numbers


if __name__ == "__main__":
    torch.manual_seed(13)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 5, "cpu"))
