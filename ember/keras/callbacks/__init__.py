"""Keras callbacks (``keras.callbacks``): hooks into ``fit``/``evaluate``/``predict``."""
from .callback import Callback, CallbackList
from .backup_and_restore import BackupAndRestore
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback, TerminateOnNaN
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .model_checkpoint import ModelCheckpoint
from .progbar_logger import ProgbarLogger
from .remote_monitor import RemoteMonitor
from .swap_ema_weights import SwapEMAWeights
from .tensorboard import TensorBoard
