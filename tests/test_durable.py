"""Runs that never lose work or get mixed up: Ctrl-C and kill resume, one writer per run folder, and a table of bad
inputs through the command line, each answered by one `[CATEGORY]` line with a remedy and exit code 2."""
import json, os, re, signal, socket, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st
from helpers import one_error, write_pairs_jsonl
from embedding_trainer.checkpoint import load_checkpoint, verify_checkpoint
from embedding_trainer.cli import train_cli, eval_cli, encode_cli
from embedding_trainer.data import read_pairs_jsonl, read_pairs_csv, load_embedding_pairs
from embedding_trainer.errors import EmbeddingTrainerError

ET_TRAIN = [sys.executable, '-c', 'import sys; from embedding_trainer.cli import train_cli; sys.exit(train_cli())']
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1', 'PYTHONUNBUFFERED': '1'}
# the tiny preset on the bundled set, long enough to be interrupted; evaluations rarely (they are the slow part)
TINY = ['--config', 'tiny', '--quiet', '--set', 'train.max_steps=60', 'checkpoint.every_n_steps=5',
        'train.eval_every=30']


def _wait_for(path: Path, proc, timeout=120):
    t = time.time()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t < timeout, f"{path} did not appear"
        time.sleep(0.02)


def _weights(path):
    return load_checkpoint(path, restore_rng=False)['model']


@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM])
def test_a_signal_saves_the_step_exits_128_plus_n_and_the_same_command_goes_on(tmp_path, sig):
    run = tmp_path / 'run'
    cmd = ET_TRAIN + TINY + ['--out', str(run)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    _wait_for(run / 'step_000005.pt', proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, err
    lines = [l for l in err.splitlines() if l.startswith('et-train:') and not l.startswith('et-train: warning:')]
    assert len(lines) == 1 and 'Traceback' not in err, err   # (the tiny lattice's light-cone warning aside)
    m = re.fullmatch(r"et-train: interrupted at step (\d+); saved (\S+); run the same command to go on", lines[0])
    assert m, lines[0]
    step, saved = int(m.group(1)), Path(m.group(2))
    assert 5 <= step < 60 and saved == run / f'step_{step:06d}.pt'
    assert verify_checkpoint(saved)['step'] == step and not (run / '.lock').exists()
    if sig == signal.SIGTERM: return   # the resume below is the same for both signals
    # the same command, again: it resumes at that step and ends where an uninterrupted run ends, weight for weight
    assert train_cli(TINY + ['--out', str(run)]) == 0
    assert train_cli(TINY + ['--out', str(tmp_path / 'straight')]) == 0
    a, b = _weights(run / 'step_000060.pt'), _weights(tmp_path / 'straight' / 'step_000060.pt')
    assert all(torch.equal(a[k], b[k]) for k in a)
    events = json.loads((run / 'history.json').read_text())
    assert [r['step'] for r in events['train']] == list(range(1, 61))   # the resumed history is one run's


def test_one_writer_per_run_folder(tmp_path, capsys):
    run = tmp_path / 'run'
    long_run = ['train.max_steps=100000', 'checkpoint.every_n_steps=5', 'train.eval_every=1000']
    first = subprocess.Popen(ET_TRAIN + ['--config', 'tiny', '--quiet', '--out', str(run), '--set', *long_run],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        _wait_for(run / 'step_000005.pt', first)
        holder = json.loads((run / '.lock').read_text())
        assert (holder['pid'], holder['host']) == (first.pid, socket.gethostname())
        before = {p.name: p.read_bytes() for p in run.glob('step_*.pt')}
        assert train_cli(TINY + ['--out', str(run)]) == 2     # the second writer is refused before it writes
        err = capsys.readouterr().err
        assert f"is being written by another run (process {first.pid} on {socket.gethostname()}" in err
        assert 'remedy:' in err and 'Traceback' not in err
        assert not (run / 'config.yaml').exists()             # nothing of the second run landed in the folder
        for name, data in before.items():                     # and the first run's files are untouched
            if (run / name).exists(): assert (run / name).read_bytes() == data
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=120)
    assert first.returncode == 143 and not (run / '.lock').exists()
    (run / '.lock').write_text(json.dumps({'pid': first.pid, 'host': socket.gethostname(), 'since': 'x'}))
    # a lock left by a writer that is gone is taken over (--fresh: this command's settings are not the first run's)
    assert train_cli(TINY + ['--out', str(run), '--set', 'train.max_steps=2', '--fresh']) == 0
    assert 'taking over a lock left behind (process' in capsys.readouterr().err


def test_a_run_too_long_for_its_budget_is_refused_at_once_with_an_estimate(tmp_path, capsys):
    t = time.perf_counter()
    assert train_cli(['--config', 'dialogue', '--quiet', '--out', str(tmp_path / 'r'),
                      '--set', 'model.steps=1000000000']) == 2
    err = capsys.readouterr().err
    assert re.search(r"this run would take at least [\d.e+,]+ hours \(\d+ steps of at least [\d.e+,]+ s\), more than "
                     r"train\.max_hours = 24", err), err
    assert time.perf_counter() - t < 20 and not list((tmp_path / 'r').glob('*.pt'))


def test_fresh_moves_the_earlier_run_aside(tmp_path, capsys):
    run = tmp_path / 'run'
    assert train_cli(TINY + ['--out', str(run), '--set', 'train.max_steps=5']) == 0
    assert train_cli(TINY + ['--out', str(run), '--set', 'train.max_steps=5', '--fresh']) == 0
    out = capsys.readouterr().out
    moved = [p for p in tmp_path.iterdir() if p.name.startswith('run.before-')]
    assert len(moved) == 1 and f"moved the earlier run folder aside to {moved[0]}" in out
    assert (moved[0] / 'step_000005.pt').exists() and (run / 'step_000005.pt').exists()


# ---- the table of bad inputs ---------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def files(tmp_path_factory):
    "Bad (and a few good) files of every kind the commands read, made once."
    d = tmp_path_factory.mktemp('inputs')
    f = {'dir': d / 'a_folder'}
    f['dir'].mkdir()
    f['yaml_broken'] = d / 'broken.yaml'; f['yaml_broken'].write_text('model:\n  steps: [1, 2\n')
    f['yaml_list'] = d / 'list.yaml'; f['yaml_list'].write_text('- a\n- b\n')
    f['yaml_tab'] = d / 'tab.yaml'; f['yaml_tab'].write_text('model:\n\tsteps: 2\n')
    f['empty'] = d / 'empty.jsonl'; f['empty'].write_text('\n\n')
    f['badjson'] = d / 'bad.jsonl'; f['badjson'].write_text('{"question": "a?", "answer": "A."}\n{not json}\n')
    f['noanswer'] = d / 'noanswer.jsonl'; f['noanswer'].write_text('{"question": "a?"}\n')
    f['notobj'] = d / 'list.jsonl'; f['notobj'].write_text('["a?", "A."]\n')
    f['blank'] = d / 'blank.jsonl'; f['blank'].write_text('{"question": "a?", "answer": "   "}\n')
    f['txt'] = d / 'pairs.txt'; f['txt'].write_text('question,answer\n')
    f['csv_cols'] = d / 'cols.csv'; f['csv_cols'].write_text('q,a\nx,y\n')
    f['csv_short'] = d / 'short.csv'; f['csv_short'].write_text('question,answer\nonly a question\n')
    f['binary'] = d / 'binary.jsonl'; f['binary'].write_bytes(bytes(range(256)) * 4)
    q = torch.randn(8, 384)
    f['nan_pt'] = d / 'nan.pt'; a = q.clone(); a[2, 3] = float('nan')
    torch.save({'questions': q, 'answers': a}, f['nan_pt'])
    f['dim16'] = d / 'dim16.pt'
    torch.save({'questions': torch.randn(20, 16), 'answers': torch.randn(20, 16)}, f['dim16'])
    f['one_array'] = d / 'one.npy'; np.save(f['one_array'], np.random.rand(20, 384).astype(np.float32))
    f['strings_npy'] = d / 'strings.npy'; np.save(f['strings_npy'], np.array(['a', 'b']))
    f['pt_garbage'] = d / 'garbage.pt'; f['pt_garbage'].write_bytes(b'\x00\x01 not a torch file')
    f['text_ckpt'] = d / 'text.pt'; f['text_ckpt'].write_text('hello')
    f['plain_ckpt'] = d / 'plain.pt'; torch.save({'w': torch.zeros(3)}, f['plain_ckpt'])
    f['a_file'] = d / 'a_file'; f['a_file'].write_text('x')
    f['good'] = write_pairs_jsonl(d / 'good.jsonl', [(f"Question {i}?", f"Answer {i}.") for i in range(30)])
    f['run'] = d / 'run'   # a real run folder, for et-eval and a damaged copy of its checkpoint
    assert train_cli(['--config', 'tiny', '--quiet', '--out', str(f['run']), '--set', 'train.max_steps=2']) == 0
    data = (f['run'] / 'best.pt').read_bytes()
    f['cut_ckpt'] = d / 'cut.pt'; f['cut_ckpt'].write_bytes(data[:-50])
    f['locked'] = d / 'locked'; f['locked'].mkdir()   # held by a live process (this test's parent) on this host
    (f['locked'] / '.lock').write_text(json.dumps({'pid': os.getppid(), 'host': socket.gethostname(), 'since': 'x'}))
    return f


T = ['--config', 'tiny', '--quiet']   # et-train's fast settings for the cases below
CASES = [   # (id, command, arguments (with {key} for the files above), category[, words the message must hold])
    ('unknown preset', 'train', ['--config', 'nope'], 'CONFIG'),
    ('missing yaml file', 'train', ['--config', 'nope.yaml'], 'CONFIG', 'config file not found: nope.yaml'),
    ('missing yaml in another folder', 'train', ['--config', '/no/such/dir/tiny.yaml'], 'CONFIG', 'config file not '
                                                                                                  'found'),
    ('config is a folder', 'train', ['--config', '{dir}'], 'CONFIG', 'is a directory, not a config file'),
    ('broken yaml', 'train', ['--config', '{yaml_broken}'], 'CONFIG'),
    ('yaml list at the top', 'train', ['--config', '{yaml_list}'], 'CONFIG'),
    ('yaml with a tab', 'train', ['--config', '{yaml_tab}'], 'CONFIG'),
    ('negative lr', 'train', T + ['--set', 'train.lr=-1'], 'CONFIG'),
    ('lr not a number', 'train', T + ['--set', 'train.lr=abc'], 'CONFIG'),
    ('light cone', 'train', T + ['--set', 'model.steps=1'], 'CONFIG'),
    ('unknown loss', 'train', T + ['--set', 'train.loss=hinge'], 'CONFIG'),
    ('unknown section', 'train', T + ['--set', 'nosuch.key=1'], 'CONFIG'),
    ('unknown key', 'train', T + ['--set', 'train.learning_rate=1'], 'CONFIG'),
    ('override without =', 'train', T + ['--set', 'train.lr'], 'CONFIG'),
    ('face of one size', 'train', T + ['--set', 'model.face=[4]'], 'CONFIG'),
    ('fractions leave nothing', 'train', T + ['--set', 'data.val_fraction=0.9', 'data.test_fraction=0.2'], 'CONFIG'),
    ('batch of zero', 'train', T + ['--set', 'train.batch_size=0'], 'CONFIG'),
    ('unknown device', 'train', T + ['--set', 'train.device=tpu'], 'CONFIG'),
    ('unknown precision', 'train', T + ['--set', 'train.precision=fp8'], 'CONFIG'),
    ('unknown format', 'train', T + ['--set', 'data.format=xml'], 'CONFIG'),
    ('unknown teacher', 'train', T + ['--set', 'data.teacher=bert'], 'CONFIG'),
    ('keep no checkpoint', 'train', T + ['--set', 'checkpoint.keep_last=0'], 'CONFIG'),
    ('unknown model kind', 'train', T + ['--set', 'model.kind=transformer'], 'CONFIG'),
    ('no time budget', 'train', T + ['--set', 'train.max_hours=0'], 'CONFIG'),
    ('a face no machine holds', 'train', T + ['--set', 'model.face=[100000,100000]', 'model.values_per_cell=1'],
     'CONFIG', 'larger than any'),
    ('a lattice of 67M cells', 'train', T + ['--set', 'model.face=[4096,4096]', 'model.values_per_cell=1',
                                             'model.depth=4', 'model.steps=4'],
     'CONFIG', 'cells, more than'),
    ('a hidden layer of 100k', 'train', T + ['--set', 'model.hidden_dim=100000'], 'CONFIG', 'larger than any'),
    ('a billion lattice steps', 'train', T + ['--set', 'model.steps=1000000000'], 'CONFIG', 'this run would take at '
                                                                                            'least'),
    ('empty --out', 'train', T + ['--out', ''], 'CONFIG', '--out is empty'),
    ('seeds not numbers', 'train', T + ['--seeds', 'abc'], 'CONFIG'),
    ('seeds backwards', 'train', T + ['--seeds', '5-2'], 'CONFIG'),
    ('missing data file', 'train', T + ['--data', '/no/such/pairs.jsonl'], 'DATA'),
    ('data is a folder', 'train', T + ['--data', '{dir}'], 'DATA', 'is a directory, not a data file'),
    ('empty data file', 'train', T + ['--data', '{empty}'], 'DATA'),
    ('broken JSON line', 'train', T + ['--data', '{badjson}'], 'DATA'),
    ('missing answer', 'train', T + ['--data', '{noanswer}'], 'DATA'),
    ('row not an object', 'train', T + ['--data', '{notobj}'], 'DATA'),
    ('blank answer', 'train', T + ['--data', '{blank}'], 'DATA'),
    ('unknown suffix', 'train', T + ['--data', '{txt}'], 'DATA'),
    ('csv without the columns', 'train', T + ['--data', '{csv_cols}'], 'DATA'),
    ('csv row too short', 'train', T + ['--data', '{csv_short}'], 'DATA'),
    ('binary bytes as JSONL', 'train', T + ['--data', '{binary}'], 'DATA'),
    ('NaN in the embeddings', 'train', T + ['--data', '{nan_pt}'], 'DATA'),
    ('one array for a dialogue', 'train', T + ['--data', '{one_array}'], 'DATA'),
    ('strings in a .npy', 'train', T + ['--data', '{strings_npy}'], 'DATA'),
    ('garbage .pt', 'train', T + ['--data', '{pt_garbage}'], 'DATA'),
    ('16-D embeddings for a 384-D model', 'train', T + ['--data', '{dim16}'], 'INTEGRATION'),
    ('missing test file', 'train', T + ['--test-data', '/no/such/test.jsonl'], 'DATA'),
    ('resume from a missing file', 'train', T + ['--resume', '/no/such/step.pt', '--out', '{dir}/r1'], 'CHECKPOINT'),
    ('resume from a text file', 'train', T + ['--resume', '{text_ckpt}', '--out', '{dir}/r2'], 'CHECKPOINT',
     'is not an embedding_trainer checkpoint'),
    ('resume from a plain torch file', 'train', T + ['--resume', '{plain_ckpt}', '--out', '{dir}/r3'], 'CHECKPOINT',
     'is not an embedding_trainer checkpoint'),
    ('resume from a cut checkpoint', 'train', T + ['--resume', '{cut_ckpt}', '--out', '{dir}/r4'], 'CHECKPOINT'),
    ('run folder under a file', 'train', T + ['--out', '{a_file}/run'], 'CHECKPOINT'),
    ('run folder is a file', 'train', T + ['--out', '{a_file}'], 'CHECKPOINT'),
    ('run folder held by a live run', 'train', T + ['--out', '{locked}'], 'CHECKPOINT', 'is being written by another '
                                                                                        'run'),
    ('eval: missing folder', 'eval', ['--checkpoint', '/no/such/run'], 'CHECKPOINT'),
    ('eval: empty folder', 'eval', ['--checkpoint', '{dir}'], 'CHECKPOINT'),
    ('eval: a text file', 'eval', ['--checkpoint', '{text_ckpt}'], 'CHECKPOINT'),
    ('eval: a plain torch file', 'eval', ['--checkpoint', '{plain_ckpt}'], 'CHECKPOINT', 'is not an embedding_trainer '
                                                                                         'checkpoint'),
    ('eval: a cut checkpoint', 'eval', ['--checkpoint', '{cut_ckpt}'], 'CHECKPOINT'),
    ('eval: missing data', 'eval', ['--checkpoint', '{run}', '--data', '/no/such.jsonl'], 'DATA'),
    ('eval: broken data', 'eval', ['--checkpoint', '{run}', '--data', '{badjson}'], 'DATA'),
    ('eval: unknown override', 'eval', ['--checkpoint', '{run}', '--set', 'train.nope=1'], 'CONFIG'),
    ('encode: missing input', 'encode', ['--input', '/no/such.jsonl', '--output', '{dir}/x.pt'], 'DATA'),
    ('encode: broken input', 'encode', ['--input', '{badjson}', '--output', '{dir}/x.pt'], 'DATA'),
    ('encode: unknown suffix', 'encode', ['--input', '{txt}', '--output', '{dir}/x.pt'], 'DATA'),
    ('encode: output folder missing', 'encode', ['--input', '{good}', '--output', '/no/such/dir/x.pt'], 'DATA',
     'does not exist'),
    ('encode: output is a folder', 'encode', ['--input', '{good}', '--output', '{dir}'], 'DATA', 'it is a folder'),
]
CLIS = {'train': train_cli, 'eval': eval_cli, 'encode': encode_cli}


def test_the_table_has_at_least_50_cases():
    assert len(CASES) >= 50 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_bad_input(files, tmp_path, capsys, case):
    name, command, args, category, words = (case + ('',))[:5]
    args = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    if command == 'train' and '--out' not in args: args += ['--out', str(tmp_path / 'run')]
    run_before = {p: p.read_bytes() for p in files['run'].rglob('*') if p.is_file()}
    code = CLIS[command](args)
    err = capsys.readouterr().err
    assert code == 2, (code, err)
    one_error(err, f'et-{command}', category, words)
    assert not list((tmp_path / 'run').glob('*.pt'))                       # nothing written for a refused run
    assert {p: p.read_bytes() for p in files['run'].rglob('*') if p.is_file()} == run_before   # nothing damaged


# ---- fuzzing the readers: random bytes and random JSON give the project's errors only --------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_fuzz_readers_with_random_bytes(tmp_path, blob):
    for name, read in (('x.jsonl', read_pairs_jsonl), ('x.csv', read_pairs_csv), ('x.pt', load_embedding_pairs),
                       ('x.npy', load_embedding_pairs), ('x.npz', load_embedding_pairs)):
        p = tmp_path / name
        p.write_bytes(blob)
        try: read(p)
        except EmbeddingTrainerError: pass


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(JSON | st.fixed_dictionaries({'question': JSON, 'answer': JSON}), min_size=1, max_size=4))
def test_fuzz_jsonl_reader_with_random_json(tmp_path, rows):
    p = tmp_path / 'x.jsonl'
    p.write_text(''.join(json.dumps(r) + '\n' for r in rows))
    for on_bad_row in ('error', 'skip'):
        try: read_pairs_jsonl(p, on_bad_row=on_bad_row)
        except EmbeddingTrainerError: pass
