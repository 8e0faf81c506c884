"""What the user owns is never overwritten, and every command is as tidy as et-train: the table of bad inputs grows
by refused outputs, interrupted and failed exports, damaged weights, Ctrl-C and closed pipes in every command."""
import errno, json, os, shutil, stat, subprocess, sys
from pathlib import Path
import pytest
import torch
from helpers import one_error, write_pairs_jsonl
from test_durable import ENV
from embedding_trainer.cli import train_cli, eval_cli, encode_cli, export_cli, ask_cli
from embedding_trainer.commands import console
from embedding_trainer.study import study_cli
from embedding_trainer.data import load_embedding_pairs
from embedding_trainer.export import from_pretrained
from embedding_trainer.outputs import MARKER, folder_kind
from embedding_trainer.runtime import log

TINY = ['--config', 'tiny', '--quiet', '--set', 'train.max_steps=10', 'checkpoint.every_n_steps=5',
        'train.eval_every=5']


def _tree(folder: Path) -> dict:
    "Every file under `folder` with its bytes (the teacher's cache aside)."
    return {p: p.read_bytes() for p in sorted(folder.rglob('*')) if p.is_file() and 'cache' not in p.parts}


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    "A tiny run, its export, and the files of a user who works beside them (written under the usual umask 022)."
    umask = os.umask(0o022)
    d = tmp_path_factory.mktemp('files')
    f = {'run': d / 'run', 'export': d / 'export', 'cache': d / 'cache'}
    assert train_cli(TINY + ['--out', str(f['run'])]) == 0
    assert export_cli([str(f['run']), '--out', str(f['export']), '--no-sentence-transformers']) == 0
    f['mine'] = d / 'mine'; f['mine'].mkdir()
    (f['mine'] / 'README.md').write_text('# my notes\n'); (f['mine'] / 'config.yaml').write_text('# mine\nmodel: {}\n')
    f['good'] = write_pairs_jsonl(d / 'good.jsonl', [(f"Question {i}?", f"Answer {i}.") for i in range(12)])
    f['a_file'] = d / 'a_file'; f['a_file'].write_text('x')
    f['no_best'] = d / 'no_best'; shutil.copytree(f['run'], f['no_best']); (f['no_best'] / 'best.pt').unlink()
    f['flipped'] = d / 'flipped'; shutil.copytree(f['export'], f['flipped'])
    w = bytearray((f['flipped'] / 'model.safetensors').read_bytes()); w[-7] ^= 0x01
    (f['flipped'] / 'model.safetensors').write_bytes(bytes(w))
    f['bad_item'] = d / 'pairs.json'
    f['bad_item'].write_text(json.dumps([{'question': 'a?', 'answer': 'A.'}, ['b?', 'B.']], indent=1))
    f['answers'] = d / 'answers.txt'; f['answers'].write_text('Hello.\nGoodbye.\n')
    f['latin1'] = d / 'latin1.txt'; f['latin1'].write_bytes('Très bien.\n'.encode('latin-1'))
    f['no_column'] = d / 'replies.csv'; f['no_column'].write_text('question,reply\nhi?,Hello.\n')
    f['existing_pt'] = d / 'existing.pt'; f['existing_pt'].write_bytes(b'my own file')
    yield f
    os.umask(umask)


A = ['--model', '{run}', '--corpus', '{answers}', '--cache-dir', '{cache}']   # et-ask on the tiny run
CASES = [   # (id, command, arguments, category, words the message must hold)
    ('encode: output is the input', 'encode', ['--input', '{good}', '--output', '{good}'], 'CONFIG',
     'would replace the input'),
    ('encode: output exists', 'encode', ['--input', '{good}', '--output', '{existing_pt}'], 'CONFIG',
     'exists; nothing was written'),
    ('encode: a suffix et-train cannot read', 'encode', ['--input', '{good}', '--output', '{mine}/x.txt'], 'CONFIG',
     'et-encode writes .pt, .pth, .npz, .npy files'),
    ('encode: empty output', 'encode', ['--input', '{good}', '--output', ''], 'CONFIG', '--output is empty'),
    ('export: empty --out', 'export', ['{run}', '--out', ''], 'CONFIG', '--out is empty'),
    ("export: into a user's folder", 'export', ['{run}', '--out', '{mine}'], 'CONFIG',
     'it holds files embedding_trainer did not write (README.md, config.yaml)'),
    ('export: --out is a file', 'export', ['{run}', '--out', '{a_file}'], 'CONFIG', 'is a file, not a folder'),
    ('export: --out is the run', 'export', ['{run}', '--out', '{run}'], 'CONFIG', 'would replace the input'),
    ('export: into a run folder', 'export', ['{export}', '--out', '{run}'], 'CONFIG',
     'it is a run folder of embedding_trainer'),
    ('export: best.pt deleted', 'export', ['{no_best}', '--out', '{mine}/e'], 'CHECKPOINT', '(its best.pt)'),
    ('export: a flipped byte', 'export', ['{flipped}', '--out', '{mine}/e'], 'CHECKPOINT',
     'do not match the SHA-256 stored with them'),
    ("train: into a user's folder", 'train', TINY + ['--out', '{mine}'], 'CONFIG',
     'it holds files embedding_trainer did not write (README.md, config.yaml)'),
    ("train: --fresh in a user's folder", 'train', TINY + ['--out', '{mine}', '--fresh'], 'CONFIG',
     'will not write a run folder into'),
    ("train: seeds into a user's folder", 'train', TINY + ['--out', '{mine}', '--seeds', '0-1'], 'CONFIG',
     'will not write a seeds folder into'),
    ('train: --out is an export', 'train', TINY + ['--out', '{export}'], 'CONFIG', 'it is an export of embedding'),
    ('train: data from a pipe or device', 'train', TINY + ['--data', '/dev/null'], 'DATA',
     'is not a regular file (a pipe, a device or a socket)'),
    ('train: a .json array with a bad item', 'train', TINY + ['--data', '{bad_item}'], 'DATA', 'pairs.json item 2'),
    ('eval: an export folder', 'eval', ['--checkpoint', '{export}'], 'CHECKPOINT',
     'is an exported model, not a run folder'),
    ('ask: k of 0', 'ask', A + ['-k', '0', 'Hi?'], 'CONFIG', '-k 0: at least one answer'),
    ('ask: negative k', 'ask', A + ['-k', '-3', 'Hi?'], 'CONFIG', '-k -3: at least one answer'),
    ('ask: empty question', 'ask', A + ['  '], 'DATA', 'question 1 is empty'),
    ('ask: a corpus not UTF-8', 'ask', ['--model', '{run}', '--corpus', '{latin1}', '--cache-dir', '{cache}', 'Hi?'],
     'DATA', 'latin1.txt is not UTF-8 text (byte 2)'),
    ('ask: a CSV without the column', 'ask', ['--model', '{run}', '--corpus', '{no_column}', '--cache-dir', '{cache}',
                                             'Hi?'], 'DATA', "the header has no column 'answer' or 'text'"),
    ('ask: --cache-dir is a file', 'ask', ['--model', '{run}', '--corpus', '{answers}', '--cache-dir', '{a_file}',
                                          'Hi?'], 'CONFIG', 'is a file'),
    ('ask: damaged weights', 'ask', ['--model', '{flipped}', '--corpus', '{answers}', 'Hi?'], 'CHECKPOINT',
     'do not match the SHA-256'),
    ("study: into a user's folder", 'study', ['--quick', '--out', '{mine}'], 'CONFIG',
     'will not write a study folder into'),
]
CLIS = {'train': train_cli, 'eval': eval_cli, 'encode': encode_cli, 'export': export_cli, 'ask': ask_cli,
        'study': study_cli}


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_bad_output_or_input(files, capsys, case):
    name, command, args, category, words = case
    args = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    root = files['run'].parent
    before, names = _tree(root), sorted(p.name for p in root.iterdir())
    code = CLIS[command](args)
    err = capsys.readouterr().err
    assert code == 2, (code, err)
    one_error(err, f'et-{command}', category, words)
    assert _tree(root) == before                                     # not one byte of any file changed
    assert sorted(p.name for p in root.iterdir()) == names           # and nothing new beside them


def test_a_run_folder_is_marked_and_its_files_have_the_users_umask(files):
    run = files['run']
    assert folder_kind(run) == 'run folder' and folder_kind(files['export']) == 'export'
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in list(run.iterdir()) + list(files['export'].iterdir())
             if p.is_file()}
    assert modes and set(modes.values()) == {0o644}, modes           # under umask 022, not mkstemp's 0o600
    # the same command again resumes in its own folder; an export into an earlier export replaces it whole
    assert export_cli([str(run), '--out', str(files['export']), '--no-sentence-transformers']) == 0
    assert sorted(p.name for p in files['export'].iterdir()) == [MARKER, 'README.md', 'config.json', 'config.yaml',
                                                                 'metrics.json',
                                                                  'model.safetensors']


def test_overwrite_writes_over_the_same_names_only(files, tmp_path, capsys):
    mine = tmp_path / 'mine'; shutil.copytree(files['mine'], mine); (mine / 'notes.txt').write_text('keep')
    assert export_cli([str(files['run']), '--out', str(mine), '--no-sentence-transformers', '--overwrite']) == 0
    assert (mine / 'notes.txt').read_text() == 'keep' and 'library_name: embedding_trainer' in (mine / 'README.md'
                                                                                                ).read_text()
    assert not (mine / MARKER).exists()                              # still the user's folder, not the package's
    with torch.no_grad():
        x = torch.nn.functional.normalize(torch.randn(3, 384), dim=-1)
        assert torch.equal(from_pretrained(mine)(x), from_pretrained(files['run'])(x))


SIGINT_IN = """import signal, sys
import embedding_trainer.export as export
def ctrl_c(model, path, *a, **k):
    open(path, 'wb').write(b'half an onnx file'); signal.raise_signal(signal.SIGINT)
export.export_onnx = ctrl_c
from embedding_trainer.cli import export_cli
sys.exit(export_cli(sys.argv[1:]))"""


def test_ctrl_c_during_the_onnx_step_leaves_nothing(files, tmp_path):
    for out in (tmp_path / 'new_export', files['export']):          # a new folder, and an earlier export
        before = _tree(out) if out.exists() else None
        p = subprocess.run([sys.executable, '-c', SIGINT_IN, str(files['run']), '--out', str(out), '--onnx',
                            '--no-sentence-transformers'], capture_output=True, text=True, env=ENV, timeout=120)
        assert p.returncode == 130, p.stderr
        assert p.stderr.strip().splitlines()[-1] == 'et-export: interrupted; no file was left half-written', p.stderr
        assert 'Traceback' not in p.stderr
        assert (_tree(out) == before) if before is not None else not out.exists()
        assert not [q for q in out.parent.iterdir() if '.partial-' in q.name or '.old-' in q.name]


def test_a_full_disk_during_export_names_the_file_and_leaves_nothing(files, tmp_path, monkeypatch, capsys):
    import embedding_trainer.export as export
    def full(folder, cfg):
        raise OSError(errno.ENOSPC, 'No space left on device', str(Path(folder) / '0_Transformer' / 'model.bin'))
    monkeypatch.setattr(export, 'write_sentence_transformers', full)
    out = tmp_path / 'exp'
    assert export_cli([str(files['run']), '--out', str(out)]) == 2
    err = capsys.readouterr().err
    assert f"could not write {out / '0_Transformer' / 'model.bin'}: the disk is full; nothing of the export " \
           f"was kept ({out} was not created)" in err, err
    assert 'free disk space' in err and 'in memory' not in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == []


def test_encoded_files_of_every_suffix_read_back(files, tmp_path):
    got = {}
    for suffix in ('.pt', '.npz', '.npy'):
        out = tmp_path / f'pairs{suffix}'
        assert encode_cli(['--input', str(files['good']), '--output', str(out)]) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        got[suffix] = load_embedding_pairs(out)
    assert all(torch.equal(got['.pt'].x, g.x) and torch.equal(got['.pt'].y, g.y) for g in got.values())
    assert got['.npz'].questions == got['.pt'].questions == [f"Question {i}?" for i in range(12)]
    assert encode_cli(['--input', str(files['good']), '--output', str(tmp_path / 'pairs.pt'), '--overwrite']) == 0
    assert torch.equal(load_embedding_pairs(tmp_path / 'pairs.pt').x, got['.pt'].x)


def test_logged_warnings_carry_the_command_prefix(capsys):
    with console('et-train'): log.warning('step 7: checkpoint not written\n(disk full)'); log.info('resumed')
    log.warning('outside a command')
    err = capsys.readouterr().err.splitlines()
    assert err == ['et-train: warning: step 7: checkpoint not written; (disk full)', 'resumed', 'outside a command']


# ---- Ctrl-C and a closed pipe in every command, as separate processes (started together: a few seconds) ------------

ENTRY = {'et-train': 'embedding_trainer.cli:train_cli', 'et-eval': 'embedding_trainer.cli:eval_cli',
         'et-encode': 'embedding_trainer.cli:encode_cli', 'et-export': 'embedding_trainer.cli:export_cli',
         'et-ask': 'embedding_trainer.cli:ask_cli', 'et-study': 'embedding_trainer.study:study_cli',
         'et-bench': 'embedding_trainer.bench:bench_cli'}
# one process per command (imports are the slow part): `--help` into a closed pipe, then Ctrl-C while it works
HELP_THEN_CTRL_C = """import argparse, importlib, signal, sys
mod, fn = sys.argv[1].split(':')
entry = getattr(importlib.import_module(mod), fn)
try: entry(['--help'])
except SystemExit as e: help_exit = e.code
parse = argparse.ArgumentParser.parse_args
def parse_then_ctrl_c(self, *a, **k):
    ns = parse(self, *a, **k); signal.raise_signal(signal.SIGINT); return ns
argparse.ArgumentParser.parse_args = parse_then_ctrl_c
code = entry(sys.argv[2:])
print(f"help exit {help_exit}", file=sys.stderr)
sys.exit(code)"""


def _args(prog, files, tmp):
    return {'et-train': TINY + ['--out', str(tmp / 'r')], 'et-eval': ['--checkpoint', str(files['run'])],
            'et-encode': ['--input', str(files['good']), '--output', str(tmp / 'x.pt')],
            'et-export': [str(files['run']), '--out', str(tmp / 'e')],
            'et-ask': ['--model', str(files['run']), '--corpus', str(files['answers']), 'Hi?'],
            'et-study': ['--quick', '--out', str(tmp / 's')], 'et-bench': ['--quick']}[prog]


def test_ctrl_c_and_a_closed_pipe_in_every_command(files, tmp_path):
    procs = {prog: subprocess.Popen([sys.executable, '-c', HELP_THEN_CTRL_C, ENTRY[prog],
                                     *_args(prog, files, tmp_path)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) for prog in ENTRY}
    procs['et-eval | head'] = subprocess.Popen([sys.executable, '-c', 'import sys; from embedding_trainer.cli import '
                                                'eval_cli; sys.exit(eval_cli())', '--checkpoint', str(files['run'])],
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    for p in procs.values(): p.stdout.close()                         # the reader has gone, as `| head` does
    for prog, p in procs.items():
        err = p.stderr.read().decode(); p.wait(timeout=240)
        if prog == 'et-eval | head':                                  # its table met the closed pipe: quiet, 141
            assert (p.returncode, err) == (141, ''), (prog, p.returncode, err); continue
        lines = [l for l in err.splitlines() if not l.startswith(f'{prog}: warning:')]
        assert p.returncode == 130 and 'Traceback' not in err, (prog, p.returncode, err)
        assert lines[0] in (f'{prog}: interrupted; no file was left half-written',
                            'et-train: interrupted before training started; nothing was saved'), (prog, err)
        assert lines[1:] == ['help exit 0'], (prog, err)              # the help into the closed pipe: not a word
    assert sorted(p.name for p in tmp_path.iterdir()) == []          # and nothing was written
