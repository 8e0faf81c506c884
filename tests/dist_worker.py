"""One training run for tests/test_distributed.py: plain `python` (one process) or under `torchrun` (several).

Trains a small cube on a fixed synthetic rotation with `Trainer.fit()` exactly as a user would, then rank 0
writes the final parameters to OUT. Arguments: OUT BATCH STEPS CKPT_DIR [RESUME] [STOP_AT]."""
import os, sys
import torch
from embedding_trainer.config import load_config
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.trainer import Trainer
from embedding_trainer.callbacks import Callback
from embedding_trainer.runtime import seed_everything

out, batch, steps, ckpt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
device = os.environ.get('ET_TEST_DEVICE', 'cpu')          # 'cuda': one GPU per process, NCCL

# ET_CHECK_COLLECTIVES=1: every all_reduce and broadcast must get a tensor on the process group's device
checked = []
if os.environ.get('ET_CHECK_COLLECTIVES'):
    import torch.distributed as dist
    from embedding_trainer import distributed as etd
    def check(fn):
        def wrapper(tensor, *args, **kwargs):
            want = etd.collective_device()
            assert tensor.device == want, f"{fn.__name__} got a tensor on {tensor.device}, the group works on {want}"
            checked.append(fn.__name__)
            return fn(tensor, *args, **kwargs)
        return wrapper
    dist.all_reduce, dist.broadcast = check(dist.all_reduce), check(dist.broadcast)
resume = len(sys.argv) > 5 and sys.argv[5] == 'resume'
stop_at = int(sys.argv[6]) if len(sys.argv) > 6 else 0

g = torch.Generator().manual_seed(0)
rot = torch.linalg.qr(torch.randn(32, 32, generator=g))[0]
x = torch.nn.functional.normalize(torch.randn(64, 32, generator=g), dim=-1)
train, val = (x, x @ rot), (x[:16], x[:16] @ rot)

cfg = load_config('tiny', overrides=[
    'model.embedding_dim=32', 'model.face=[4,4]', 'model.values_per_cell=2', 'model.depth=3', 'model.steps=3',
    'model.residual=false',
    'data.path=in_memory.pt', f'train.batch_size={batch}', f'train.max_steps={steps}', 'train.loss=cosine',
    'train.lr=1e-2', 'train.eval_every=4', f'train.device={device}', 'train.precision=fp32', 'train.seed=0',
    f'checkpoint.dir={ckpt}', 'checkpoint.every_n_steps=2', f'checkpoint.resume={str(resume).lower()}'])

class StopAt(Callback):
    def on_step(self, trainer, rec):
        if stop_at and rec['step'] == stop_at: trainer.request_stop(f'stopped at {stop_at}')

seed_everything(0)
cube = EmbeddingCube(cfg)
trainer = Trainer(cube, train, val, cfg, callbacks=[StopAt()], progress=False)
trainer.fit()
if int(os.environ.get('RANK', 0)) == 0:
    torch.save({'params': {k: v.detach().cpu().clone() for k, v in cube.state_dict().items()}, 'step': trainer.step,
                'world': int(os.environ.get('WORLD_SIZE', 1)), 'loss': [r['loss'] for r in trainer.history['train']],
                'checked_collectives': len(checked), 'device': str(next(cube.parameters()).device)}, out)
