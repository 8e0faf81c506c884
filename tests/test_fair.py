"""Fair experiments: one seeded path to the weights (CLI, dashboard, Python), learned baselines trained by the same
loop, splits that keep a question on one side, held-out files that are checked and scored whole."""
import json
from pathlib import Path
import numpy as np
import pytest
import torch
from embedding_trainer.cli import train_cli, eval_cli
from embedding_trainer.config import load_config
from embedding_trainer.encoders import HashEncoder
from embedding_trainer.data import load_pairs
from embedding_trainer.pairs import DuplicatePairsWarning
from embedding_trainer.run import run, parse_seeds
from embedding_trainer.widgets import TrainingDashboard
from helpers import write_pairs_jsonl


def state_of(path):
    from embedding_trainer.checkpoint import load_checkpoint
    return load_checkpoint(path, restore_rng=False)['model']


def assert_same_weights(a:dict, b:dict):
    assert list(a) == list(b)
    for k in a: assert torch.equal(a[k].cpu(), b[k].cpu()), k


def test_same_config_same_weights_in_cli_dashboard_and_python(tmp_path):
    overrides = ['train.max_steps=8', 'train.eval_every=4']
    assert train_cli(['--config', 'tiny', '--out', str(tmp_path / 'cli'), '--quiet', '--set', *overrides]) == 0
    cli = state_of(tmp_path / 'cli' / 'best.pt')
    dash = TrainingDashboard('tiny', overrides=overrides + [f'checkpoint.dir={tmp_path / "dash"}'], background=False)
    dash.start_button.click()
    assert dash.error is None and dash.trainer.step == 8
    py = run(load_config('tiny', overrides=overrides + [f'checkpoint.dir={tmp_path / "py"}']), progress=False)
    assert_same_weights(cli, dash.model.state_dict())
    assert_same_weights(cli, py.model.state_dict())
    # the learned baselines too: the same weights whichever face started the run
    assert_same_weights(state_of(tmp_path / 'cli' / 'baselines' / 'mlp' / 'best.pt'),
                        py.baselines['mlp'][0].state_dict())
    assert [r['recall@1'] for r in dash.result.rows] == [r['recall@1'] for r in py.rows]


def test_learned_baselines_get_the_cubes_recipe(tmp_path):
    cfg = load_config('tiny', overrides=[f'checkpoint.dir={tmp_path}', 'train.loss=infonce', 'train.temperature=0.2',
                                         'train.early_stopping_metric=val_mrr', 'train.max_steps=12',
                                             'train.eval_every=3'])
    res = run(cfg, progress=False)
    cube_tr = res.trainer
    for kind in ('mlp', 'lowrank'):
        model, tr, bcfg = res.baselines[kind]
        assert bcfg.train == cfg.train                              # every training setting, unchanged
        assert (tr.step, tr.total_steps, tr._batch_size()) == (cube_tr.step, cube_tr.total_steps, cube_tr._batch_size())
        assert [e['step'] for e in tr.history['eval']] == [3, 6, 9, 12]
        assert tr.best_step == max(tr.history['eval'], key=lambda e: e['val_mrr'])['step']   # selection on val MRR
        assert abs(model.n_params - res.model.n_params) <= 384
    notes = {r['name']: r['note'] for r in res.rows}
    for name in ('MLP', 'low-rank'):
        note = notes[name]
        assert 'InfoNCE (temperature 0.2)' in note and 'val_mrr' in note and '12 steps of batch 32' in note


def test_duplicates_are_dropped_and_questions_never_straddle_splits(tmp_path):
    rows = [(f"question {i}", f"answer {i}") for i in range(60)]
    rows += [("the repeated question", "the repeated answer")] * 6                 # one pair six times
    rows += [(f"question {i}", f"another answer {i}") for i in range(0, 60, 3)]    # 20 questions with 2 answers
    with pytest.warns(DuplicatePairsWarning, match='dropped 5 exact duplicate pair'):
        ps = load_pairs(write_pairs_jsonl(tmp_path / 'd.jsonl', rows), encoder=HashEncoder(32), cache_dir=False)
    assert len(ps) == 81
    for seed in range(5):
        parts = ps.split(0.2, 0.2, seed)
        qs = [set(p.questions) for p in parts]
        assert not (qs[0] & qs[1]) and not (qs[0] & qs[2]) and not (qs[1] & qs[2]), seed
        keys = [set(p.keys('pair')) for p in parts]
        assert not (keys[0] & keys[2]) and sum(map(len, parts)) == 81


def test_test_file_that_repeats_training_pairs_is_refused(tmp_path, capsys):
    from test_cli import PAIRS
    data = write_pairs_jsonl(tmp_path / 'train.jsonl', PAIRS[:16])
    leak = write_pairs_jsonl(tmp_path / 'leak.jsonl', PAIRS[14:])           # 2 pairs of the training file
    code = train_cli(['--config', 'tiny', '--data', str(data), '--test-data', str(leak), '--out', str(tmp_path / 'r'),
                      '--quiet'])
    err = capsys.readouterr().err
    assert code == 2 and '2 of the 6 pairs of leak.jsonl also appear in the training' in err and 'remedy' in err
    shared = write_pairs_jsonl(tmp_path / 'shared.jsonl', [(PAIRS[0][0], "A different answer to the first question."),
                                                    *PAIRS[16:]])
    code = train_cli(['--config', 'tiny', '--data', str(data), '--test-data', str(shared), '--out',
                      str(tmp_path / 'ok'), '--quiet', '--set', 'data.val_fraction=0.25'])
    assert code == 0
    warned = [l for l in capsys.readouterr().err.splitlines() if l.startswith('et-train: warning: ')]
    assert any('1 of the 5 questions of shared.jsonl also appear' in l for l in warned)   # one line, no source path
    m = json.loads((tmp_path / 'ok' / 'metrics.json').read_text())
    assert (m['n_train'], m['n_val'], m['n_test']) == (12, 4, 5)      # the whole file is the test split
    assert Path(m['data']['test_path']).is_absolute() and Path(m['data']['path']).is_absolute()


def test_et_eval_scores_every_pair_of_a_file_from_another_folder(tmp_path, capsys, monkeypatch):
    run_dir = tmp_path / 'run'
    assert train_cli(['--config', 'tiny', '--out', str(run_dir), '--quiet']) == 0
    held = write_pairs_jsonl(tmp_path / 'held.jsonl', [(f"Is held-out question number {i} new?",
                                                        f"Yes, number {i} is new.")
                                                for i in range(40)])
    elsewhere = tmp_path / 'elsewhere'; elsewhere.mkdir(); monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    assert eval_cli(['--checkpoint', str(run_dir), '--data', str(held)]) == 0
    out = capsys.readouterr().out
    assert 'test split, N=40 pairs' in out and "fitted on the run's train/val split" in out
    for name in ('cube', 'MLP', 'low-rank', 'identity', 'ridge'): assert f"\n{name} " in out, name


def test_val_fraction_zero_trains_without_selection(tmp_path, capsys):
    assert train_cli(['--config', 'tiny', '--out', str(tmp_path), '--quiet', '--set', 'data.val_fraction=0']) == 0
    out = capsys.readouterr().out
    assert 'no validation split: the last step is the model' in out and 'alpha=0.1 (default)' in out


def test_answerless_embeddings_under_a_dialogue_config_say_how_to_ask_for_the_autoencoder(tmp_path, capsys):
    path = tmp_path / 'emb.npy'
    np.save(path, np.random.default_rng(0).standard_normal((50, 384)).astype(np.float32))
    assert train_cli(['--config', 'tiny', '--data', str(path), '--out', str(tmp_path / 'r'), '--quiet']) == 2
    err = capsys.readouterr().err
    assert 'no answers' in err and 'data.kind: autoencoder' in err
    assert train_cli(['--config', 'tiny', '--data', str(path), '--out', str(tmp_path / 'ae'), '--quiet',
                      '--set', 'data.kind=autoencoder', 'model.residual=false']) == 0


def test_seeds_print_mean_sd_and_keep_every_row(tmp_path, capsys):
    assert train_cli(['--config', 'tiny', '--seeds', '0-2', '--out', str(tmp_path), '--quiet']) == 0
    out = capsys.readouterr().out
    for name in ('cube', 'identity', 'ridge', 'MLP', 'low-rank'):
        line = next(l for l in out.splitlines() if l.startswith(name + ' '))
        assert line.count(' ± ') == 4, line
    r = json.loads((tmp_path / 'results.json').read_text())
    assert [p['seed'] for p in r['per_seed']] == [0, 1, 2] and all(len(p['rows']) == 7 for p in r['per_seed'])
    splits = [json.loads((tmp_path / f'seed_{s}' / 'metrics.json').read_text())['data']['split_seed'] for s in range(3)]
    assert splits == [0, 1, 2]
    cube = next(s for s in r['summary'] if s['name'] == 'cube')['recall@1']
    assert cube['values'] == [p['rows'][0]['recall@1'] for p in r['per_seed']]
    assert abs(cube['sd'] - float(np.std(cube['values'], ddof=1))) < 1e-12
    assert parse_seeds('0-2') == [0, 1, 2]
