"""A tiny training run for tests/test_faults.py, run (and killed) in child processes."""
import os, sys, time
import torch
import torch.nn.functional as F
from embedding_trainer.config import load_config
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.runtime import seed_everything
from embedding_trainer.callbacks import Callback
from embedding_trainer.trainer import Trainer

torch.optim.AdamW([torch.zeros(1, requires_grad=True)])   # the first optimizer imports torch's compiler stack (~2 s):
                                                           # pay it here, once, in the process the runs are forked from

D = 16            # embedding size
STEPS = 200       # steps of a whole run
EVERY = 4         # checkpoint interval, in steps


def data():
    "A fixed random rotation of unit vectors: 128 training and 32 validation pairs."
    g = torch.Generator().manual_seed(0)
    x = F.normalize(torch.randn(160, D, generator=g), dim=-1)
    y = F.normalize(x @ torch.linalg.qr(torch.randn(D, D, generator=g))[0], dim=-1)
    return (x[:128], y[:128]), (x[128:], y[128:])


def config(run_dir, steps=STEPS, **train):
    "A run of `steps` steps that checkpoints every EVERY steps and resumes from `run_dir` when it holds a checkpoint."
    return load_config({
        'model': {'embedding_dim': D, 'face': [4, 4, 1], 'depth': 3, 'steps': 3, 'state_dim': 8, 'hidden_dim': 16,
                  'fire_rate': 0.5},   # random cell updates: the resume must restore the random state too
        'data': {'path': 'in_memory.pt'},
        'train': {'max_steps': steps, 'batch_size': 32, 'lr': 1e-2, 'warmup_steps': 5, 'eval_every': 10,
                  'early_stopping_metric': 'val_cosine', 'device': 'cpu', 'seed': 0, **train},
        'checkpoint': {'dir': str(run_dir), 'every_n_steps': EVERY, 'keep_last': 2, 'resume': 'auto'}})


def new_model(cfg):
    seed_everything(0)
    return EmbeddingCube(cfg)


class Progress(Callback):
    "Publishes the last finished step; pauses after each step so a kill lands mid-run."
    def __init__(self, shared, pause_s): self.shared, self.pause_s = shared, pause_s
    def on_step(self, trainer, rec):
        self.shared.value = rec['step']
        if self.pause_s: time.sleep(self.pause_s)


def train(run_dir, out=None, shared=None, pause_s=0.0):
    "Train (resuming from `run_dir` if it holds a checkpoint); save the final weights to `out`."
    torch.set_num_threads(1)
    sys.stdout = open(os.devnull, 'w')   # 'resumed from ...' twenty times is noise
    cfg = config(run_dir)
    cube = new_model(cfg)
    callbacks = [Progress(shared, pause_s)] if shared is not None else []
    Trainer(cube, *data(), cfg, callbacks=callbacks, progress=False).fit()
    if out is not None: torch.save(cube.state_dict(), out)
