"""The trainer on a CUDA GPU, end to end: `et-train` in bf16 on the bundled set, `train.batch_size: auto` against
the free GPU memory, and a real out-of-memory in a step that the trainer survives by halving the batch.
Run from the repository root: `python scripts/gpu_checks.py OUT_DIR` (prints what it measured)."""
import json, sys, tempfile, time
import torch, torch.nn.functional as F
from embedding_trainer.cli import train_cli
from embedding_trainer.config import load_config
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.trainer import Trainer

out = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith('--') else tempfile.mkdtemp()
assert torch.cuda.is_available(), "no CUDA device"
print(torch.__version__, torch.cuda.get_device_name(0))

if "--skip-train" not in sys.argv:
    print("\n== 1. et-train on CUDA in bf16 (dialogue preset)")
    t0 = time.perf_counter()
    rc = train_cli(['--config', 'dialogue', '--set', 'train.device=cuda', '--set', 'train.precision=bf16',
                    '--out', f'{out}/dialogue_cuda', '--quiet'])
    print(f"exit {rc}, {time.perf_counter() - t0:.1f} s")

print("\n== 2. train.batch_size: auto against the free GPU memory (32x32x32 lattice, S=16, H=128, T=32)")
big = {'model': {'embedding_dim': 1024, 'face': [32, 32, 1], 'depth': 32, 'steps': 32, 'state_dim': 16,
                 'hidden_dim': 128}, 'data': {'path': 'in_memory.pt'},
       'train': {'max_steps': 3, 'warmup_steps': 0, 'device': 'cuda', 'precision': 'bf16', 'eval_every': 100,
                 'ram_budget_gb': 64,
                 'loss': 'cosine'}}
g = torch.Generator().manual_seed(0)
x = F.normalize(torch.randn(1024, 1024, generator=g), dim=-1)
y = x.roll(1, dims=-1)
cfg = load_config(big, overrides=['train.batch_size=auto', f'checkpoint.dir={tempfile.mkdtemp()}'])
trainer = Trainer(EmbeddingCube(cfg), (x, y), None, cfg, progress=False)
trainer.fit()
free = torch.cuda.mem_get_info()[1] / 2**30
print(f"auto batch: {trainer._batch_size()} (GPU {free:.0f} GiB), CUDA peak "
      f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB; events: "
      f"{[e['message'] for e in trainer.history['events']]}")

print("\n== 3. a real CUDA out-of-memory mid-run: batch 1024 on the same lattice")
torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
cfg = load_config(big, overrides=['train.batch_size=1024', f'checkpoint.dir={tempfile.mkdtemp()}'])
trainer = Trainer(EmbeddingCube(cfg), (x, y), None, cfg, progress=False)
trainer.fit()
print(f"finished {trainer.step} steps with batch {trainer._batch_size()}; loss "
      f"{trainer.history['train'][-1]['loss']:.4f}; "
      f"events:")
for e in trainer.history['events']: print("  ", e['message'])
json.dump({'events': trainer.history['events'], 'steps': trainer.step, 'batch': trainer._batch_size()},
          open(f'{out}/oom.json', 'w'), indent=1, default=str)
