"""Parallel text (two aligned files, plain or gzip) from the user's side: fixture files written here, the official
validation and test files used as given, the translate preset without its data, and a run on such files."""
import gzip, json, warnings
from pathlib import Path
from unittest.mock import patch
import pytest
from embedding_trainer.config import load_config
from embedding_trainer.data import DATA_ROOT_ENV, SkippedRowsWarning, read_parallel
from embedding_trainer.encoders import HashEncoder
from embedding_trainer.data import load_from_config
from embedding_trainer.errors import ConfigError, DataError
from embedding_trainer.run import prepare_data, run

SPLITS = {'train': 24, 'val': 5, 'test_2016_flickr': 7}   # the Multi30k file names, small


def _side(path: Path, lines, zipped=True):
    "Write one side: a line per sentence, gzip-compressed like Multi30k's files (or plain)."
    text = ''.join(line + '\n' for line in lines)
    if zipped: path.write_bytes(gzip.compress(text.encode('utf-8')))
    else: path.write_text(text, encoding='utf-8')
    return path


def _multi30k_like(folder: Path) -> Path:
    "train/val/test_2016_flickr in en, de and fr, the German of test as plain text (a mix of both forms)."
    folder.mkdir(exist_ok=True)
    for split, n in SPLITS.items():
        _side(folder / f'{split}.en.gz', [f"{split} caption {i} in English." for i in range(n)])
        _side(folder / f'{split}.fr.gz', [f"{split} légende {i} en français." for i in range(n)])
        de = [f"{split} Bildunterschrift {i} auf Deutsch." for i in range(n)]
        if split == 'test_2016_flickr': _side(folder / f'{split}.de', de, zipped=False)
        else: _side(folder / f'{split}.de.gz', de)
    return folder


def _fake_teacher():
    "The translate preset's teacher replaced by the counting stand-in (384-D, as the preset's model expects)."
    return patch('embedding_trainer.data.TEACHERS', {'minilm': lambda progress=True: HashEncoder(384)})


def test_line_count_mismatch_names_both_files_and_counts(tmp_path):
    en = _side(tmp_path / 'train.en.gz', ['One.', 'Two.', 'Three.'])
    de = _side(tmp_path / 'train.de.gz', ['Eins.', 'Zwei.'])
    with pytest.raises(DataError) as e:
        read_parallel(en, de)
    assert str(e.value).startswith('[DATA] train.en.gz has 3 lines but train.de.gz has 2'), str(e.value)
    assert e.value.details['lines'] == [3, 2] and e.value.details['files'] == [str(en), str(de)]
    with pytest.raises(DataError, match='train.en.gz has 3 lines but train.de.gz has 2'):   # with skip as well
        read_parallel(en, de, on_bad_row='skip')


def test_one_sided_empty_lines_error_or_skip(tmp_path):
    en = _side(tmp_path / 'x.en.gz', ['A dog.', '', 'A cat.', '   ', 'A bird.', ''])
    de = _side(tmp_path / 'x.de.gz', ['Ein Hund.', 'Zwei.', 'Eine Katze.', '', '', ''])
    with pytest.raises(DataError) as e:
        read_parallel(en, de)
    assert 'x.en.gz line 2: is empty in x.en.gz but not in x.de.gz' in str(e.value)
    assert (e.value.details['line'], e.value.details['field']) == (2, 'x.en.gz')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        tp = read_parallel(en, de, on_bad_row='skip')
    assert (tp.questions, tp.answers, tp.lines) == (['A dog.', 'A cat.'], ['Ein Hund.', 'Eine Katze.'], [1, 3])
    msgs = [str(w.message) for w in caught if issubclass(w.category, SkippedRowsWarning)]
    assert msgs == ['skipped 2 of 4 rows in x.en.gz: line 2 is empty in x.en.gz but not in x.de.gz, '
                    'line 5 is empty in x.de.gz but not in x.en.gz']   # lines 4 and 6: empty on both sides, no pair


def test_gzip_and_plain_read_the_same(tmp_path):
    lines_en, lines_de = ['A sentence?', 'Street and café.'], ['Ein Satz?', 'Straße und Café.']
    plain = read_parallel(_side(tmp_path / 'p.en', lines_en, False), _side(tmp_path / 'p.de', lines_de, False))
    zipped = read_parallel(_side(tmp_path / 'z.en.gz', lines_en), _side(tmp_path / 'z.de.gz', lines_de))
    assert plain == zipped and zipped.answers == ['Ein Satz?', 'Straße und Café.']


def test_official_val_and_test_files_are_used_as_given(tmp_path):
    root = _multi30k_like(tmp_path / 'raw')
    cfg = load_config('translate', overrides=[f'data.root={root}', 'data.cache_dir=null'])
    with _fake_teacher():
        train, val, test = prepare_data(cfg, progress=False)
    assert (len(train), len(val), len(test)) == (24, 5, 7)
    assert val.questions == [f"val caption {i} in English." for i in range(5)]
    assert val.answers == [f"val Bildunterschrift {i} auf Deutsch." for i in range(5)]
    assert test.questions == [f"test_2016_flickr caption {i} in English." for i in range(7)]
    assert test.answers == [f"test_2016_flickr Bildunterschrift {i} auf Deutsch." for i in range(7)]
    assert sorted(train.questions) == sorted(f"train caption {i} in English." for i in range(24))
    assert (train.source, test.source) == ('train (en->de)', 'test_2016_flickr (en->de)')
    fr = load_config(cfg, overrides=['data.target_lang=fr'])
    with _fake_teacher():
        assert prepare_data(fr, progress=False)[1].answers[0] == 'val légende 0 en français.'


def test_a_validation_file_that_repeats_training_pairs_is_refused(tmp_path):
    root = _multi30k_like(tmp_path / 'raw')
    _side(root / 'val.en.gz', ['train caption 3 in English.', 'new'])
    _side(root / 'val.de.gz', ['train Bildunterschrift 3 auf Deutsch.', 'neu'])
    cfg = load_config('translate', overrides=[f'data.root={root}', 'data.cache_dir=null'])
    with _fake_teacher(), pytest.raises(DataError, match='1 of the 2 pairs of val also appear in the training'):
        prepare_data(cfg, progress=False)


def test_the_data_root_variable_names_the_folder_once(tmp_path, monkeypatch):
    root = _multi30k_like(tmp_path / 'raw')
    monkeypatch.setenv(DATA_ROOT_ENV, str(root))
    monkeypatch.chdir(tmp_path)
    with _fake_teacher():
        pairs = load_from_config(load_config('translate', overrides=['data.cache_dir=null']).data, progress=False)
    assert len(pairs) == 24 and pairs.answers[0] == 'train Bildunterschrift 0 auf Deutsch.'


def test_missing_language_and_missing_files(tmp_path):
    root = _multi30k_like(tmp_path / 'raw')
    cfg = load_config('translate', overrides=[f'data.root={root}', 'data.target_lang=cs'])
    with pytest.raises(DataError) as e:
        load_from_config(cfg.data)
    assert "has no train.cs[.gz]: the languages of 'train' there are de, en, fr" in str(e.value)
    assert 'set data.source_lang and data.target_lang to two of de, en, fr' in e.value.remedy
    (root / 'val.de.gz').unlink()
    missing_de = r'has no val.de\[.gz\]: the languages of .val. there are en, fr'
    with _fake_teacher(), pytest.raises(DataError, match=missing_de):
        prepare_data(load_config('translate', overrides=[f'data.root={root}', 'data.cache_dir=null']), progress=False)
    with pytest.raises(ConfigError, match='parallel text needs both languages'):
        load_config('translate', overrides=['data.target_lang=null'])


def test_translate_preset_without_its_data_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    from embedding_trainer.cli import train_cli
    empty = tmp_path / 'empty'
    empty.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATA_ROOT_ENV, raising=False)
    assert train_cli(['--config', 'translate', '--set', f'data.root={empty}', '--quiet']) == 2
    err = capsys.readouterr().err
    assert err.startswith('et-train: [DATA] parallel text train.en[.gz] and train.de[.gz] not found: '
                          f'{empty} holds no train.* file'), err
    assert ('remedy: Multi30k is not shipped with the package (non-commercial terms): git clone '
            'https://github.com/multi30k/dataset, then export EMBEDDING_TRAINER_DATA=<the clone>/data/task1/raw') in err
    assert 'Traceback' not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ['empty'] and not any(empty.iterdir())   # nothing written


def test_a_translate_run_tests_on_every_test_pair(tmp_path):
    root = _multi30k_like(tmp_path / 'raw')
    cfg = load_config('translate', overrides=[f'data.root={root}', 'data.cache_dir=null', 'train.max_steps=4',
                                              'train.batch_size=8', 'train.warmup_steps=1', 'train.eval_every=2',
                                              'train.device=cpu', f'checkpoint.dir={tmp_path / "run"}'])
    with _fake_teacher():
        res = run(cfg, progress=False, baselines=())
    m = json.loads((tmp_path / 'run' / 'metrics.json').read_text())
    assert (m['n_train'], m['n_val'], m['n_test'], m['steps']) == (24, 5, 7, 4)
    assert [Path(m['data'][k]) for k in ('path', 'val_path', 'test_path')] == \
        [root.resolve() / 'train', root.resolve() / 'val', root.resolve() / 'test_2016_flickr']
    cube = next(r for r in res.rows if r['name'] == 'cube')
    assert cube['n'] == 7 and len(res.ranks['cube']) == 7   # each test question ranked among the 7 test answers
    assert all(1 <= r <= 7 for r in res.ranks['cube'].tolist())
    from embedding_trainer.cli import _report_run
    assert '\nsplit train/val/test = 24/5/7 (val = val, test = test_2016_flickr as given); one seed' in _report_run(res)


def test_et_encode_float16_parallel_once_and_et_train_reads_it(tmp_path, monkeypatch, capsys):
    import torch
    from embedding_trainer.cli import encode_cli
    from embedding_trainer.data import load_pairs
    root = _multi30k_like(tmp_path / 'raw')
    monkeypatch.setenv(DATA_ROOT_ENV, str(root))
    monkeypatch.setenv('EMBEDDING_TRAINER_CACHE', str(tmp_path / 'cache'))
    teachers = []
    def teacher(progress=True):
        teachers.append(HashEncoder(384)); return teachers[-1]
    monkeypatch.setattr('embedding_trainer.data.MiniLMEncoder', teacher)
    for split in SPLITS:
        assert encode_cli(['--input', split, '--source-lang', 'en', '--target-lang', 'de', '--dtype', 'float16',
                           '--output', str(tmp_path / f'{split}.pt')]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"encoded 24 pairs (384-D, float16) to {tmp_path / 'train.pt'}"
    assert [t.n_encoded for t in teachers] == [48, 10, 14]        # every sentence once: 2 x (24 + 5 + 7)
    assert encode_cli(['--input', 'val', '--source-lang', 'en', '--target-lang', 'de',
                       '--output', str(tmp_path / 'val32.pt')]) == 0
    assert teachers[-1].n_encoded == 0                                # again: all from the cache
    saved = torch.load(tmp_path / 'train.pt', weights_only=True)
    assert (saved['questions'].dtype, saved['answers'].shape) == (torch.float16, (24, 384))
    half, full = load_pairs(tmp_path / 'val.pt'), load_pairs(tmp_path / 'val32.pt')
    assert half.x.dtype == torch.float32 and half.questions == full.questions
    assert (half.x - full.x).abs().max() < 1e-3 and (half.y - full.y).abs().max() < 1e-3
    files = [f'data.{k}={tmp_path / f"{s}.pt"}' for k, s in zip(('path', 'val_path', 'test_path'), SPLITS)]
    short = ['train.max_steps=2', 'train.batch_size=8', 'train.warmup_steps=1', 'train.eval_every=1']
    cfg = load_config('translate', overrides=[*files, *short, f'checkpoint.dir={tmp_path / "run"}'])
    res = run(cfg, progress=False, baselines=())
    assert res.splits == (24, 5, 7) and len(teachers) == 4       # the .pt files: no teacher built


def test_a_finished_translate_run_is_not_resumed_on_changed_parallel_files(tmp_path):
    "The run folder's fingerprint holds both sides of the prefixes: a pair added to train (or val) is refused."
    from embedding_trainer.errors import CheckpointError
    root = _multi30k_like(tmp_path / 'raw')
    over = [f'data.root={root}', 'data.cache_dir=null', 'train.max_steps=2', 'train.batch_size=8',
            'train.warmup_steps=1', 'train.eval_every=2', 'train.device=cpu', f'checkpoint.dir={tmp_path / "run"}']
    with _fake_teacher():
        run(load_config('translate', overrides=over), progress=False, baselines=())
    before = {p.name: p.read_bytes() for p in (tmp_path / 'run').iterdir() if p.is_file()}
    fp = json.loads((tmp_path / 'run' / 'fingerprint.json').read_text())['data']
    assert [len(fp[k]['sha256']) for k in ('data.path', 'data.val_path', 'data.test_path')] == [64, 64, 64]
    for lang, line in (('en', 'one more caption.'), ('de', 'noch eine Bildunterschrift.')):
        old = gzip.decompress((root / f'val.{lang}.gz').read_bytes()).decode()
        _side(root / f'val.{lang}.gz', old.splitlines() + [line])
    with _fake_teacher(), pytest.raises(CheckpointError, match=r"data\.val_path \S+/val: its content changed"):
        run(load_config('translate', overrides=over), progress=False, baselines=())
    assert {p.name: p.read_bytes() for p in (tmp_path / 'run').iterdir() if p.is_file()} == before
