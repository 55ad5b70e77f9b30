"""``torch.nn.modules.rnn``."""
from ..layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell  # noqa: F401
from ..layers.recurrent import _CellBase as RNNCellBase  # noqa: F401
