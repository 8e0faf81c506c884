"""Do two fused-step settings train the `scale` preset alike? Trains it for several seeds under each setting (torch,
and the fused step under environment switches), in one process on one GPU, and prints each run's final validation
cosine and rollbacks, then per setting the mean, the spread and the rollbacks in all. One seed cannot rank kernels that
are numerically equal (BENCHMARKS.md, 2026-12-02 evening: runs whose gradients differed by 1e-7 ended 0.769 and 0.805).

    python benchmarks/fused/scale_seeds.py --out seeds.json --seeds 0,1,2 \
        --settings "torch:kernel=torch;default:;way4:FUSED_B1_FP32=4;dP:FUSED_W1_DP=1"
    python benchmarks/fused/scale_seeds.py --out s.json --seeds 0 --settings "torch:kernel=torch" \
        --set train.max_steps=3 --set train.batch_size=64     # a smoke run (CPU)
"""
import argparse, os, statistics, sys, tempfile
import torch
from embedding_trainer.config import load_config
from embedding_trainer.prepare import prepare_data
from embedding_trainer.trainer import train_model
sys.path.insert(0, os.path.dirname(__file__))
from b1_bench import Env, parse   # noqa: E402
from results_file import results_saver   # noqa: E402

def fit(seed, kernel, extra):
    cfg = load_config('scale', overrides=[f'checkpoint.dir={tempfile.mkdtemp()}', 'checkpoint.keep_best=false',
                                          f'model.kernel={kernel}', f'train.seed={seed}', *extra])
    train, val, _ = prepare_data(cfg, progress=False)
    _, trainer = train_model(cfg, train, val, progress=False)
    rollbacks = [e['step'] for e in trainer.history.get('events', []) if e['kind'] == 'rollback']
    return trainer.history['eval'][-1]['val_cosine'], rollbacks

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--settings', default='torch:kernel=torch;default:')
    p.add_argument('--set', action='append', default=[], help='more config overrides, as et-train --set')
    a = p.parse_args()
    out = {'gpu': torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu', 'runs': []}
    settings = parse(a.settings)
    save = results_saver(a.out, out)
    for seed in map(int, a.seeds.split(',')):
        for name, env in settings.items():
            env = dict(env)
            kernel = env.pop('kernel', 'triton' if torch.cuda.is_available() else 'torch')
            with Env(env): cos, rb = fit(seed, kernel, a.set)
            out['runs'].append({'setting': name, 'seed': seed, 'val_cosine': cos, 'rollbacks': rb})
            print(f"{name} seed {seed}: final val cosine {cos:.4f}, rollbacks at {rb}", flush=True)
            save()
    for name in settings:
        runs = [r for r in out['runs'] if r['setting'] == name]
        cos = [r['val_cosine'] for r in runs]
        sd = statistics.stdev(cos) if len(cos) > 1 else float('nan')
        print(f"{name}: val cosine mean {statistics.mean(cos):.4f}, sd {sd:.4f} over {len(cos)} seeds; "
              f"{sum(len(r['rollbacks']) for r in runs)} rollbacks in all", flush=True)
    return 0

if __name__ == '__main__': sys.exit(main())
