"""Trigger every error class through the package's real entry points and write the table of docs/errors.md.

Usage: python tools/errors_table.py [--out docs/errors.md]"""
import errno, os, sys, tempfile, warnings
from pathlib import Path
import torch
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tests'))
import fault_worker as fw
from embedding_trainer import checkpoint as ckpt_module
from embedding_trainer.checkpoint import CheckpointManager, load_checkpoint
from embedding_trainer.config import load_config
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.data import load_embedding_pairs, load_pairs
from embedding_trainer.encoders import HashEncoder
from embedding_trainer.errors import EmbeddingTrainerError, PerformanceWarning
from embedding_trainer.runtime import CudaInfo, pick_device
from embedding_trainer.trainer import Trainer

tmp = Path(tempfile.mkdtemp())
rows = []


def row(typical, fn):
    "Run `fn`, which must raise (or warn) an EmbeddingTrainerError; keep its class, first line and remedy."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('error', PerformanceWarning)
            fn()
    except EmbeddingTrainerError as e:
        what = ' '.join(f"[{e.category}] {e.what}".split())   # a multi-line `what` (a list of problems) on one line
        rows.append((type(e).__name__, typical, what.replace(str(tmp), '…').replace(str(ROOT) + '/', ''),
                     e.remedy.replace(str(tmp), '…')))
        return
    raise AssertionError(f"no error for: {typical}")


def save_pairs(name, x, y):
    torch.save({'questions': x, 'answers': y}, tmp / name)
    return tmp / name


x16, y16 = torch.randn(40, 16), torch.randn(40, 16)

# INTEGRATION
row("embeddings of another size than `model.embedding_dim` (another teacher)",
    lambda: Trainer(EmbeddingCube(embedding_dim=32, face=(4, 4), values_per_cell=2, depth=3, steps=2), (x16, y16),
                    progress=False))
row("a tensor of the wrong shape passed to the model",
    lambda: EmbeddingCube(embedding_dim=32, face=(4, 4), values_per_cell=2, depth=3, steps=2)(torch.randn(8, 384)))
# TRAINING
def diverge():
    cfg = fw.config(tmp / 'diverge', steps=40, lr=100.0)
    Trainer(fw.new_model(cfg), fw.data()[0], None, cfg, progress=False).fit()
row("a learning rate far too high: the lattice state explodes again after every rollback", diverge)
def vanish():
    cfg = load_config(fw.config(tmp / 'vanish', steps=40), ['guards.on_vanish=raise', 'guards.vanish_steps=5'])
    cube = fw.new_model(cfg)
    torch.nn.init.zeros_(cube.readout.weight); cube.readout.weight.requires_grad_(False)
    Trainer(cube, fw.data()[0], None, cfg, progress=False).fit()
row("the lattice gets no gradient (a readout stuck at zero), with `guards.on_vanish: raise`", vanish)
# CONFIG
row("a misspelt key or an impossible value in the YAML",
    lambda: load_config("train:\n  lr: -0.1\n  epoks: 3\n"))
row("a lattice that cannot carry the input to the output face",
    lambda: load_config('tiny', ['model.steps=1', 'model.depth=4']))
# MEMORY
def budget():
    cfg = load_config(fw.config(tmp / 'mem', steps=5), ['train.ram_budget_gb=0.05'])
    Trainer(fw.new_model(cfg), fw.data()[0], None, cfg, progress=False).fit()
row("the process holds more memory than `train.ram_budget_gb`", budget)
# PERFORMANCE (a warning)
row("a GPU this torch build has no kernels for (`train.device: auto` falls back to the CPU)",
    lambda: pick_device('auto', probe=lambda: CudaInfo(True, (12, 0), ('sm_80', 'sm_90'), 'NVIDIA B200')))
# DATA
xn = x16.clone(); xn[3, 5] = float('nan')
row("a NaN or inf in an embedding file", lambda: load_embedding_pairs(save_pairs('pairs.pt', xn, y16)))
row("an embedding file of another dimension than expected",
    lambda: load_embedding_pairs(save_pairs('p16.pt', x16, y16), dim=32))
(tmp / 'pairs.jsonl').write_text('{"question": "Where is my answer?"}\n')
row("a row without its answer in a JSONL file", lambda: load_pairs(tmp / 'pairs.jsonl', encoder=HashEncoder(16),
                                                                   cache_dir=False))
row("an empty training set", lambda: Trainer(fw.new_model(fw.config(tmp / 'e')), (x16[:0], y16[:0]), progress=False))
# CHECKPOINT
mgr = CheckpointManager(tmp / 'run')
cube = EmbeddingCube(embedding_dim=16, face=(4, 4), values_per_cell=1, depth=3, steps=2)
first, second = mgr.save(1, model=cube, config=cube.config), mgr.save(2, model=cube, config=cube.config)
second.write_bytes(second.read_bytes()[:-50])
row("a checkpoint cut short (a full disk, a copy that did not finish)", lambda: load_checkpoint(second))
def read_only():
    real = ckpt_module.tempfile.mkstemp
    ckpt_module.tempfile.mkstemp = lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EROFS, os.strerror(errno.EROFS)))
    try:
        cfg = fw.config(tmp / 'ro', steps=8)
        Trainer(fw.new_model(cfg), fw.data()[0], None, cfg, progress=False).fit()
    finally: ckpt_module.tempfile.mkstemp = real
row("a checkpoint folder that cannot be written (read-only, no permission)", read_only)
row("a checkpoint loaded with other model settings",
    lambda: load_checkpoint(first, config={'model': {'embedding_dim': 16, 'face': [4, 4, 2], 'depth': 3, 'steps': 2}}))


def cell(s): return s.replace('|', '\\|').replace('\n', ' ')

lines = ["# What goes wrong and what you see", "",
         "Every error is an exception of one class per category of `nbs/errors_log.md`; its message says what "
         "happened, the cause and the remedy. The messages below are real: produced by triggering each case "
         "through the package by `tools/errors_table.py`, which regenerates this page.", "",
         "| error class | typical cause | what you see | remedy (from the message) |",
         "|---|---|---|---|"]
lines += [f"| `{cell(c)}` | {cell(t)} | `{cell(m)}` | {cell(r)} |" for c, t, m, r in rows]
out = Path(sys.argv[sys.argv.index('--out') + 1]) if '--out' in sys.argv else ROOT / 'docs' / 'errors.md'
out.write_text("\n".join(lines) + "\n")
print(f"{len(rows)} errors triggered; written to {out}")
