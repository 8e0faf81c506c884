"""The trained cube as a product: a run folder's metrics.csv, et-export (safetensors, card, sentence-transformers,
ONNX), the README's one-liners, et-ask, and what is refused."""
import contextlib, io, json, os, pickle, subprocess, sys
import pytest
import torch
import torch.nn.functional as F
from embedding_trainer.cli import ask_cli, export_cli, train_cli
from embedding_trainer.config import load_config
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.errors import ConfigError
from embedding_trainer.export import from_pretrained, onnx_max_abs_diff
from embedding_trainer.loggers import metric_series, read_metrics
from embedding_trainer.run import run


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    "A tiny run (no learned baselines: seconds) and its export with the teacher's modules and ONNX."
    root = tmp_path_factory.mktemp('product')
    res = run(load_config('tiny', [f'checkpoint.dir={root / "run"}']), progress=False, baselines=())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert export_cli([str(root / 'run'), '--out', str(root / 'export'), '--onnx']) == 0
    return res, root


def test_run_folder_holds_metrics_csv(tiny_run):
    res, root = tiny_run
    rows, hist = read_metrics(root / 'run'), json.loads((root / 'run' / 'history.json').read_text())
    steps, loss = metric_series(rows, 'loss', 'train')
    assert steps == list(range(1, 11)) and loss == [r['loss'] for r in hist['train']]
    assert metric_series(rows, 'recall@1', 'val') == ([5, 10], [e['val_recall@1'] for e in hist['eval']])
    assert (root / 'run' / 'metrics.csv').read_text().splitlines()[0] == 'step,split,metric,value'


def test_readme_one_liners_on_an_export(tiny_run):
    res, root = tiny_run
    exp = root / 'export'
    x = F.normalize(torch.randn(4, 384, generator=torch.Generator().manual_seed(0)), dim=-1)
    cube = from_pretrained(exp)                                          # Python
    assert isinstance(cube, EmbeddingCube) and not cube.training
    with torch.no_grad(): assert torch.equal(cube(x), res.model.eval()(x))
    assert torch.equal(EmbeddingCube.from_pretrained(root / 'run').reshaper.slot_of_dim, cube.reshaper.slot_of_dim)
    from sentence_transformers import SentenceTransformer               # sentence-transformers
    from embedding_trainer.encoders import MiniLMEncoder
    qs = ['How are you?', 'Where is Paris?']
    got = SentenceTransformer(str(exp), device='cpu', trust_remote_code=True).encode(qs, convert_to_tensor=True)
    card = (exp / 'README.md').read_text()
    snippet = next(l for l in card.splitlines() if l.startswith('SentenceTransformer('))   # the card's own line runs
    card_got = eval(snippet.split('#')[0].replace('THIS_FOLDER', str(exp)),
                    {'SentenceTransformer': SentenceTransformer})
    assert qs[0] in snippet and torch.allclose(torch.as_tensor(card_got[0]), got[0], atol=1e-6)
    with torch.no_grad(): want = cube(F.normalize(torch.from_numpy(MiniLMEncoder(progress=False).encode(qs)), dim=-1))
    assert torch.allclose(got, F.normalize(want, dim=-1), atol=1e-5)
    assert onnx_max_abs_diff(exp / 'model.onnx', cube, x) <= 1e-5        # ONNX, fp32
    assert 'sentence-transformers/all-MiniLM-L6-v2' in card and 'identity ' in card and 'train.seed 0' in card


def test_the_classes_load_pretrained_folders_without_the_export_module(tiny_run):
    _, root = tiny_run
    env = dict(os.environ, OMP_NUM_THREADS='1')
    code = "from embedding_trainer.cube import EmbeddingCube; assert hasattr(EmbeddingCube,'from_pretrained')"
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    code = ("import sys, torch; from embedding_trainer.cube import EmbeddingCube\n"
            f"cube = EmbeddingCube.from_pretrained({str(root / 'export')!r})\n"   # the et-export folder, one line
            "assert 'embedding_trainer.export' not in sys.modules and not cube.training\n"
            "print(cube(torch.ones(1, 384)).sum().item())")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    with torch.no_grad(): want = from_pretrained(root / 'export')(torch.ones(1, 384)).sum().item()
    assert float(r.stdout.split()[-1]) == pytest.approx(want, abs=1e-5)


def test_et_ask_prints_the_top_k_with_scores(tiny_run, tmp_path):
    _, root = tiny_run
    corpus = tmp_path / 'answers.jsonl'
    corpus.write_text(''.join(json.dumps({'answer': a}) + '\n' for a in ['I am fine.', 'In France.', 'Blue.']))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert ask_cli(['--model', str(root / 'export'), '--corpus', str(corpus), '-k', '3', '--cache-dir',
                        str(tmp_path / 'cache'), 'How are you?', 'What colour is the sky?']) == 0
    lines = out.getvalue().splitlines()
    assert [l for l in lines if not l.startswith('  ')] == ['How are you?', 'What colour is the sky?']
    scores = [float(l.split()[1]) for l in lines if l.startswith('  ')]
    assert len(scores) == 6 and scores[:3] == sorted(scores[:3], reverse=True) and all(-1 <= s <= 1 for s in scores)


def test_a_pickle_in_place_of_the_weights_is_refused(tiny_run, tmp_path):
    _, root = tiny_run
    bad = tmp_path / 'bad'
    bad.mkdir()
    for name in ('config.yaml', 'README.md'): (bad / name).write_bytes((root / 'export' / name).read_bytes())
    (bad / 'model.safetensors').write_bytes(pickle.dumps({'weights': 1}))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert ask_cli(['--model', str(bad), '--corpus', str(bad / 'README.md'), 'Hi?']) == 2
    assert err.getvalue().startswith('et-ask: [CHECKPOINT]') and 'is not a safetensors file' in err.getvalue()


def test_tensorboard_logger_writes_events(tmp_path):
    pytest.importorskip('tensorboard')
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    cfg = load_config('tiny', [f'checkpoint.dir={tmp_path}', 'train.loggers=[csv, tensorboard]'])
    run(cfg, progress=False, baselines=())
    acc = EventAccumulator(str(tmp_path / 'tensorboard')); acc.Reload()
    assert [e.step for e in acc.Scalars('train/loss')] == list(range(1, 11))
    assert (tmp_path / 'metrics.csv').is_file()


def test_tensorboard_asked_for_but_missing_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'tensorboard', None)    # importlib then finds no such package
    cfg = load_config('tiny', [f'checkpoint.dir={tmp_path}', 'train.loggers=[csv, tensorboard]'])
    with pytest.raises(ConfigError, match=r"pip install 'embedding_trainer\[tensorboard\]'"):
        run(cfg, progress=False, baselines=())
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert train_cli(['--config', 'tiny', '--out', str(tmp_path / 'cli'), '--quiet',
                          '--set', 'train.loggers=[tensorboard]']) == 2
    assert err.getvalue().startswith('et-train: [CONFIG]')
