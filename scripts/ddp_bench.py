"""Data-parallel training throughput: the `scale` preset under `torchrun --nproc_per_node=N` (or plain python for one
GPU), with the global batch held fixed and divided among the processes (strong scaling: every world size takes the
same optimisation steps). Process 0 writes one JSON: samples/s, wall time, time to validation scores, final metrics.

    torchrun --nproc_per_node=2 scripts/ddp_bench.py --out ddp_bf16_2.json [--set model.compile=true ...]
"""
import argparse, json, statistics, sys, tempfile, time
from pathlib import Path
import torch
from embedding_trainer.config import load_config
from embedding_trainer.distributed import dist_env
from embedding_trainer.prepare import prepare_data
from embedding_trainer.trainer import train_model

THRESHOLDS = (0.65, 0.70, 0.75)   # validation cosine; the identity scores 0.62 on this set

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', required=True, help='JSON to write (process 0)')
    p.add_argument('--config', default='scale')
    p.add_argument('--global-batch', type=int, default=8192, help='pairs per optimizer step over all processes')
    p.add_argument('--steps', type=int, default=None, help='optimizer steps (default: the preset\'s train.max_steps)')
    p.add_argument('--warm', type=int, default=20, help='steps left out of the steady-state rate (compilation, cuDNN)')
    p.add_argument('--set', dest='overrides', nargs='+', default=[], metavar='KEY=VALUE')
    a = p.parse_args(argv)
    info = dist_env()
    if a.global_batch % info.world_size:
        sys.exit(f"--global-batch {a.global_batch} is not divisible by {info.world_size} processes")
    overrides = [f'train.batch_size={a.global_batch // info.world_size}', f'checkpoint.dir={tempfile.mkdtemp()}',
                 'checkpoint.keep_best=false'] + ([f'train.max_steps={a.steps}'] if a.steps else []) + a.overrides
    cfg = load_config(a.config, overrides=overrides)
    train, val, _ = prepare_data(cfg)
    if torch.cuda.is_available(): torch.cuda.synchronize()
    t0 = time.perf_counter()
    model, trainer = train_model(cfg, train, val, progress=False)
    if torch.cuda.is_available(): torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    if not info.is_main: return 0
    steady = [r['samples_per_s'] for r in trainer.history['train'] if r['step'] > a.warm]
    ev = trainer.history['eval']
    reached = {str(t): next((e['time_s'] for e in ev if e['val_cosine'] >= t), None) for t in THRESHOLDS}
    last = ev[-1] if ev else {}
    res = {'world_size': info.world_size, 'gpus': [torch.cuda.get_device_name(i) for i in range(info.world_size)]
           if torch.cuda.is_available() else ['cpu'] * info.world_size,
           'torch': torch.__version__, 'precision': cfg.train.precision, 'compile': cfg.model.compile,
           'global_batch': a.global_batch, 'batch_per_process': cfg.train.batch_size, 'steps': trainer.step,
           'samples_per_s': statistics.median(steady) if steady else None, 'fit_seconds': round(seconds, 2),
           'time_to_val_cosine': reached, 'best_val_cosine': trainer.best_score, 'best_step': trainer.best_step,
           'final': {k: last.get(k) for k in ('val_cosine', 'val_mrr', 'val_recall@1')},
           'cuda_peak_mb': max((r.get('cuda_peak_mb', 0) for r in trainer.history['train']), default=None),
           'params': model.n_params, 'n_train': len(train), 'n_val': len(val), 'overrides': overrides,
           'kernel_choices': {k: {'path': v['path'], 'seconds': v['seconds']}   # model.kernel auto's picks, by key
                              for k, v in getattr(getattr(model, 'lattice', None), '_choices', {}).items()},
           'curve': [(e['step'], round(e['time_s'], 3), e['val_cosine']) for e in ev]}   # step, seconds, val cosine
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(json.dumps({k: res[k] for k in ('world_size', 'precision', 'compile', 'samples_per_s', 'fit_seconds',
                                          'time_to_val_cosine', 'final')}))
    return 0

if __name__ == '__main__': sys.exit(main())
