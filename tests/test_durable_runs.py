"""A run folder resumes only the run that was started (its data and settings are fingerprinted), and everything
that can be known before training is refused before the first step: empty splits, a test file of another
dimension, a step larger than the free memory, YAML written twice, empty or exploding configs. Refusals write
nothing; each message names what changed or what is wrong, and the way on."""
import hashlib, json, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest
from helpers import one_error
import torch
from test_durable import ENV
from embedding_trainer.cli import train_cli, eval_cli

FIXTURE = Path(__file__).parent / 'fixtures' / 'run_before_relayer'
# the tiny preset on 40 random 384-D pairs, 4 steps: a whole run with its two baselines in a few seconds
FAST = ['--config', 'tiny', '--quiet', '--set', 'train.max_steps=4', 'train.eval_every=2', 'checkpoint.every_n_steps=0']


def _pairs(path, n=40, seed=0, one_question=False, dim=384):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(1 if one_question else n, dim, generator=g).expand(n, dim).clone()
    torch.save({'questions': q, 'answers': torch.randn(n, dim, generator=g)}, path)
    return path


def _append(path, n=10, seed=1):
    "Add n pairs at the end of an embeddings file, in place (as a user adds rows to a data file)."
    d, g = torch.load(path), torch.Generator().manual_seed(seed)
    torch.save({'questions': torch.cat([d['questions'], torch.randn(n, 384, generator=g)]),
                'answers': torch.cat([d['answers'], torch.randn(n, 384, generator=g)])}, path)


def _files(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob('*') if p.is_file()}


def _refusal(err: str, prog='et-train') -> str:
    return one_error(err, prog)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    "A finished run on a data file of 40 pairs (the file is the test's to change: each test copies the folder)."
    d = tmp_path_factory.mktemp('trained')
    data = _pairs(d / 'pairs.pt')
    assert train_cli(FAST + ['--data', str(data), '--out', str(d / 'run')]) == 0
    return d / 'run', data


def _copy(trained, tmp_path):
    "The trained run and its data in `tmp_path` (the config inside names the data by its absolute path)."
    run, data = trained
    shutil.copytree(run, tmp_path / 'run')
    return tmp_path / 'run', data


def test_the_same_command_resumes_a_finished_run_and_scores_it_as_before(trained, tmp_path, capsys):
    run, data = _copy(trained, tmp_path)
    before = json.loads((run / 'metrics.json').read_text())['test']
    fp = json.loads((run / 'fingerprint.json').read_text())
    assert fp['data']['data.path']['sha256'] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert fp['settings']['train.lr'] == 0.003 and 'checkpoint.dir' not in fp['settings']
    # harmless settings may change: how often to save, the loggers, where the folder is
    assert train_cli(FAST + ['--data', str(data), '--out', str(run), '--set', 'checkpoint.keep_last=2',
                             'train.loggers=[]', 'train.max_hours=5']) == 0
    capsys.readouterr()
    assert [r['mrr'] for r in json.loads((run / 'metrics.json').read_text())['test']] == [r['mrr'] for r in before]


def test_appended_pairs_are_refused_before_anything_is_read_or_written(trained, tmp_path, capsys):
    run, _ = _copy(trained, tmp_path)
    data = tmp_path / 'pairs.pt'
    shutil.copy(trained[1], data)
    # the folder's config names the original file; this command names a copy with the same content: the same data
    assert train_cli(FAST + ['--data', str(data), '--out', str(run)]) == 0
    capsys.readouterr()
    before, sha = _files(run), json.loads((run / 'fingerprint.json').read_text())['data']['data.path']['sha256']
    size = data.stat().st_size
    _append(data)
    assert train_cli(FAST + ['--data', str(data), '--out', str(run)]) == 2
    err = capsys.readouterr().err
    assert _refusal(err) == f"et-train: [CHECKPOINT] {run} holds a run trained on other data or settings than this " \
                            f"command's:"
    assert f"    data.path {data}: its content changed (sha256 {sha[:12]}, {size:,} bytes -> sha256 " in err, err
    assert ("  remedy: start over with --fresh (the earlier run is moved aside, nothing is deleted), give this run "
            f"another --out (checkpoint.dir), or continue that run deliberately with the new data and settings: "
            f"--resume {run / 'step_000004.pt'}") in err
    assert _files(run) == before                                        # nothing read into it, nothing written
    # et-eval will not score the run on a split drawn anew from the changed file either
    assert eval_cli(['--checkpoint', str(run), '--set', f'data.path={data}']) == 2
    err = capsys.readouterr().err
    assert _refusal(err, 'et-eval') == f"et-eval: [DATA] the data of {run} changed since it was trained:"
    # one of the ways on: --fresh moves the earlier run aside and trains on the new file
    assert train_cli(FAST + ['--data', str(data), '--out', str(run), '--fresh']) == 0
    assert json.loads((run / 'metrics.json').read_text())['n_train'] + 12 > 40   # 50 pairs now


def test_changed_settings_are_refused_and_a_deliberate_resume_is_recorded(trained, tmp_path, capsys):
    run, data = _copy(trained, tmp_path)
    before = _files(run)
    assert train_cli(FAST + ['--data', str(data), '--out', str(run), '--set', 'train.lr=0.1', 'data.split_seed=2']) == 2
    err = capsys.readouterr().err
    assert '    data.split_seed: 0 -> 2\n    train.lr: 0.003 -> 0.1\n' in err, err
    assert _files(run) == before and 'lr: 0.003' in (run / 'config.yaml').read_text()   # not re-recorded
    # --resume PATH goes on deliberately: one warning line, and the record keeps the change and its step
    ck = run / 'step_000004.pt'
    assert train_cli(FAST + ['--data', str(data), '--out', str(run), '--set', 'train.lr=0.1', 'train.max_steps=6',
                             '--resume', str(ck)]) == 0
    err = capsys.readouterr().err
    assert (f"et-train: warning: resuming {ck} (step 4) deliberately with changed data or settings: train.max_steps: 4 "
            f"-> 6; train.lr: 0.003 -> 0.1; fingerprint.json records the change") in err, err
    fp = json.loads((run / 'fingerprint.json').read_text())
    assert fp['changes'] == [{'step': 4, 'from': str(ck), 'changed': ['train.max_steps: 4 -> 6',
                                                                      'train.lr: 0.003 -> 0.1']}]
    assert fp['settings']['train.lr'] == 0.1 and (run / 'step_000006.pt').exists()


def test_a_run_folder_without_a_fingerprint_still_resumes_and_gets_one(tmp_path, capsys):
    run = tmp_path / 'run'; run.mkdir()
    (run / 'step_000005.pt').write_bytes((FIXTURE / 'step_000005.pt').read_bytes())
    # (its config says resume: false, as the old run folder's own config.yaml did; the command resumes it)
    assert train_cli(['--config', str(FIXTURE / 'config.yaml'), '--quiet', '--out', str(run),
                      '--set', 'checkpoint.resume=auto']) == 0
    err = capsys.readouterr().err
    note = [l for l in err.splitlines() if 'fingerprint' in l]
    assert note == [f"et-train: warning: {run} has no fingerprint.json (written by an earlier version): resuming it, "
                    "and recording this command's data and settings as its fingerprint now"], err
    assert json.loads((run / 'fingerprint.json').read_text())['data']['data.path']['bundled'] == 'qa_pairs'
    assert json.loads((run / 'history.json').read_text())['train'][0]['step'] == 1     # the old history goes on
    assert json.loads((run / 'metrics.json').read_text())['steps'] == 10


@pytest.mark.serial   # timed: run alone, not beside another test worker
def test_the_alias_bomb_is_refused_in_under_a_second(tmp_path, capsys):
    rows = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]'] + [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
                                                   for p, c in zip('abcdefgh', 'bcdefghi')]
    (tmp_path / 'bomb.yaml').write_text('\n'.join(rows + ['model:', '  face: *i']) + '\n')   # 9**9 values
    t = time.perf_counter()
    assert train_cli(['--config', str(tmp_path / 'bomb.yaml'), '--out', str(tmp_path / 'run')]) == 2
    assert time.perf_counter() - t < 1.0
    assert 'bomb.yaml expands to more than 100,000 values through its aliases' in _refusal(capsys.readouterr().err)
    assert not (tmp_path / 'run').exists()


@pytest.mark.serial   # signals at fixed delays into an import: where they land depends on the load
def test_ctrl_c_while_the_command_still_imports_is_one_line(tmp_path):
    beside = Path(sys.executable).parent / 'et-train'   # the console script of this environment (make test's .venv)
    script = str(beside) if beside.is_file() else shutil.which('et-train')
    if script is None: pytest.skip('the et-train console script is not installed')
    for delay in (0.5, 1.5):
        proc = subprocess.Popen([script, '--config', 'tiny', '--quiet', '--out', str(tmp_path / 'run')],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (-signal.SIGINT, 130) and 'Traceback' not in err, (proc.returncode, err)
        assert not err or err.splitlines()[-1].startswith('et-train: interrupted'), err   # (nothing: before python)


# ---- the bad-input table, continued: what can be known before the first step ---------------------------------------

@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp('inputs')
    f = {'pairs40': _pairs(d / 'pairs40.pt'), 'two': _pairs(d / 'two.pt', n=2), 'dim16': _pairs(d / 'd16.pt', dim=16),
         'one_question': _pairs(d / 'oneq.pt', one_question=True)}
    for name, text in (('dup_section', 'train:\n  lr: 0.1\nmodel:\n  depth: 3\ntrain:\n  epochs: 2\n'),
                       ('dup_key', 'train:\n  lr: 0.1\n  epochs: 3\n  lr: 0.2\n'),
                       ('empty', ''), ('comments', '# to be written\n\n# later\n')):
        f[name] = d / f'{name}.yaml'; f[name].write_text(text)
    return f


T = ['--config', 'tiny', '--quiet', '--data', '{pairs40}']
CASES = [   # (id, arguments, category, words the message must hold)
    ('a section written twice', ['--config', '{dup_section}'], 'CONFIG',
     "dup_section.yaml: 'train' is written twice, at line 1 and line 5"),
    ('a key written twice', ['--config', '{dup_key}'], 'CONFIG', "'train.lr' is written twice, at line 2 and line 4"),
    ('an empty config', ['--config', '{empty}'], 'CONFIG',
     'empty.yaml holds no settings (it is empty, or only comments)'),
    ('a config of comments only', ['--config', '{comments}'], 'CONFIG', 'remedy: start from a preset: --config '),
    ('two pairs: no test pair', ['--config', 'tiny', '--quiet', '--data', '{two}'], 'DATA',
     'the test split is empty: 2 pairs at data.test_fraction = 0.15 give round(2 x 0.15) = 0 test pairs'),
    ('test_fraction 0', T + ['--set', 'data.test_fraction=0'], 'CONFIG',
     'data.test_fraction is 0 and there is no data.test_path: this run would have no test split'),
    ('fractions lowered until the test split is empty', T + ['--set', 'data.test_fraction=0.01'], 'DATA',
     'the test split is empty: 40 pairs at data.test_fraction = 0.01 give round(40 x 0.01) = 0 test pairs'),
    ('an empty validation split', T + ['--set', 'data.val_fraction=0.01'], 'DATA',
     'the validation split is empty: 40 pairs at data.val_fraction = 0.01'),
    ('40 pairs of one question', ['--config', 'tiny', '--quiet', '--data', '{one_question}'], 'DATA',
     "40 pairs leave nothing to train on: they all share one question, and the split keeps each question's pairs "
     "together"),
    ('a test file of another dimension', T + ['--test-data', '{dim16}'], 'INTEGRATION',
     'the test file {dim16} holds 16-D embeddings, the training data ({pairs40}) 384-D'),
    ('a step larger than any free memory', T + ['--set', 'model.depth=1000', 'model.steps=999', 'model.state_dim=64',
                                                'model.hidden_dim=256'], 'MEMORY',
     'GB for a training step (estimate_memory: a batch of 28 on the 4x4x1000 lattice, model.steps = 999), more than '
     'the '),
]


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_refused_before_the_first_step(inputs, tmp_path, capsys, case):
    name, args, category, words = case
    fill = lambda s: s.format(**{k: str(v) for k, v in inputs.items()})
    t = time.perf_counter()
    assert train_cli([fill(a) for a in args] + ['--out', str(tmp_path / 'run')]) == 2
    head = _refusal(err := capsys.readouterr().err)
    assert head.startswith(f'et-train: [{category}] ') and fill(words) in err, err
    assert time.perf_counter() - t < 30
    assert not list((tmp_path / 'run').rglob('*'))          # nothing written (the folder may exist, empty)
