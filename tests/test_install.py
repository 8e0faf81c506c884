"""A real (non-editable) install of the package: it carries the bundled set and the presets, so
`et-train --config configs/dialogue.yaml` works from any folder without the repository."""
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_package_trains_from_any_folder(tmp_path):
    site, work = tmp_path / 'site', tmp_path / 'elsewhere'
    work.mkdir()
    build = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation',
                            '--target', str(site), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    presets = sorted(p.name for p in (site / 'embedding_trainer' / 'configs').glob('*.yaml'))
    assert presets == sorted(p.name for p in (ROOT / 'configs').glob('*.yaml')), presets
    assert (site / 'embedding_trainer' / 'bundled' / 'qa_pairs.npz').stat().st_size > 100_000
    code = ("import sys, embedding_trainer; print('from', embedding_trainer.__file__); "
            "from embedding_trainer.cli import train_cli; sys.exit(train_cli(sys.argv[1:]))")
    env = dict(os.environ, PYTHONPATH=str(site))
    run = subprocess.run([sys.executable, '-c', code, '--config', 'configs/dialogue.yaml', '--set', 'train.epochs=1',
                          '--quiet'], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert f"from {site / 'embedding_trainer'}" in run.stdout            # the installed copy, not the repository
    metrics = json.loads((work / 'runs' / 'dialogue' / 'metrics.json').read_text())
    names = [r['name'] for r in metrics['test']]
    assert names == ['cube', 'MLP', 'low-rank', 'identity', 'mean answer', 'ridge', 'nearest neighbour'], names
    assert metrics['test'][0]['recall@1'] > 0.5                          # 72 test answers: chance is 1/72
