"The lattice study: `et-study` end to end in worker processes, and the committed results are the command's own."
import json, os, subprocess, sys
from pathlib import Path

import pytest
from embedding_trainer.errors import ConfigError

from embedding_trainer.study import default_study, read_rows, study_blocks, PAGES, page_update

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / 'docs' / 'results' / 'study'
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'MPLBACKEND': 'Agg', 'HF_HUB_OFFLINE': '1'}


def et_study(*args, cwd):
    return subprocess.run([sys.executable, '-c', 'import sys; from embedding_trainer.study import study_cli; '
                           'sys.exit(study_cli())', *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=300)


def test_quick_study_in_two_workers_and_resume(tmp_path):
    out = tmp_path / 'study'
    p = et_study('--quick', '--jobs', '2', '--out', str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert '0 unit(s) on disk, 3 to run on 2 worker(s)' in p.stderr
    assert sorted(f.name for f in out.iterdir()) == ['.embedding_trainer', 'rows.jsonl', 'study.json', 'study.png']
    rows = read_rows(out / 'rows.jsonl')
    assert len(rows) == 3 and {r['seed'] for r in rows.values()} == {0}
    study = json.loads((out / 'study.json').read_text())
    assert [e['name'] for e in study['entries']] == ['lattice 5.5k', 'preset 7.0k', 'global context G=4']
    # every parameter count is the model's: mixing r=2 adds 2*384*2, the global context 4*32
    params = {e['name']: e['params'] for e in study['entries']}
    assert params['preset 7.0k'] - params['lattice 5.5k'] == 2 * 384 * 2
    assert params['global context G=4'] - params['lattice 5.5k'] == 4 * 32
    assert '| lattice 5.5k | 5,510 | 1 |' in p.stdout
    before = (out / 'rows.jsonl').read_text()
    again = et_study('--quick', '--jobs', '2', '--out', str(out), cwd=tmp_path)
    assert again.returncode == 0 and '3 unit(s) on disk, 0 to run' in again.stderr
    assert (out / 'rows.jsonl').read_text() == before                 # nothing rerun, nothing lost


def test_bad_jobs_is_one_clear_error(tmp_path):
    p = et_study('--quick', '--jobs', '0', '--out', str(tmp_path / 's'), cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.startswith('et-study: [CONFIG]') and 'Traceback' not in p.stderr
    assert not (tmp_path / 's').exists()


@pytest.mark.skipif(not (STUDY / 'study.json').exists(), reason='no committed study')
def test_committed_study_is_the_commands_output():
    study = json.loads((STUDY / 'study.json').read_text())
    rows = read_rows(STUDY / 'rows.jsonl')
    entries = {e['key']: e for e in study['entries']}
    assert study['missing'] == []
    wanted = default_study(parts=study['parts'])                        # the study's parts, every entry
    assert sorted(entries) == sorted(e.key for e in wanted) and set(study['parts']) >= {'size', 'lever'}
    for e in wanted:
        got = entries[e.key]
        assert got['seeds'] == [0, 1, 2, 3, 4]                          # 5 seeds each
        for per in got['per_seed']:                                       # per-seed rows are the units' rows
            assert per['rows'] == rows[(e.key, per['seed'])]['rows']
        for row in got['summary']:                                        # and the summary is their mean
            if row['mrr'] is None: continue
            vals = [next(r for r in p['rows'] if r['name'] == row['name'])['mrr'] for p in got['per_seed']]
            assert abs(row['mrr']['mean'] - sum(vals) / len(vals)) < 1e-12
    for rel in PAGES:                                                     # the pages quote exactly this JSON
        assert page_update(ROOT, rel, study) is None, rel
    assert study_blocks(study)['presets'] in (ROOT / 'RESULTS.md').read_text()   # the 5-seed tables: RESULTS.md


# ---- the translation study (Multi30k), on a tiny parallel corpus written here and a stand-in teacher

from embedding_trainer.study import (Entry, run_study, write_embeddings, translate_markdown, translate_lead,  # noqa: E402
                                     translate_study, T_LEVERS, TRANSLATE_PARTS)
from embedding_trainer.encoders import HashEncoder  # noqa: E402
from embedding_trainer.adapters import adapter_params  # noqa: E402

TINY = ['model.depth=2', 'model.state_dim=4', 'model.hidden_dim=8', 'model.steps=1', 'train.max_steps=6',
        'train.warmup_steps=2', 'train.batch_size=16', 'train.eval_every=3', 'train.precision=fp32']


def tiny_corpus(root):
    "A parallel corpus in Multi30k's layout: 60 train, 12 val, 12 test lines in en, de and fr."
    for split, n in (('train', 60), ('val', 12), ('test_2016_flickr', 12)):
        for lang in ('en', 'de', 'fr'):
            (root / f"{split}.{lang}").write_text(''.join(f"{lang} caption {split} {i}\n" for i in range(n)))
    return root


def test_translate_study_tiny(tmp_path):
    emb = tmp_path / 'emb'
    files = write_embeddings(emb, ('de', 'fr'), {'fr': 40}, [f'data.root={tiny_corpus(tmp_path)}'], HashEncoder(384))
    assert sorted(f.name for f in files) == sorted(['en-de.train.npz', 'en-de.val.npz', 'en-de.test.npz',
                                                    'en-fr.train-40.npz', 'en-fr.val.npz', 'en-fr.test.npz'])
    mine = tmp_path / 'mine'; mine.mkdir(); (mine / 'notes.txt').write_bytes(b'my own file')   # a user's folder
    with pytest.raises(ConfigError, match='folder'):
        write_embeddings(mine, ('de',), None, [f'data.root={tmp_path / "raw"}'], HashEncoder(384))
    assert [p.name for p in mine.iterdir()] == ['notes.txt'] and (mine / 'notes.txt').read_bytes() == b'my own file'
    meta = lambda size, n, pair='en-de', **kw: {'size': size, 'n': n, 'pair': pair, **kw}   # noqa: E731
    entries = [Entry('translate', '7k, N 10k', ['model.mix_rank=2', 'data.max_pairs=30', *TINY], (0, 1), 'translate',
                     meta('7k', '10k')),
               Entry('translate', '30k, N 10k', ['model.mix_rank=32', 'data.max_pairs=30', *TINY], (0, 1),
                     'translate', meta('30k', '10k')),
               Entry('translate', '7k no residual path', ['model.mix_rank=2', 'model.residual=false',
                     'data.max_pairs=30', *TINY], (0, 1), 'translate-lever', meta('7k', '10k', lever='no residual')),
               Entry('translate', 'EN→FR 30k, N 10k', ['model.mix_rank=32', 'data.target_lang=fr',
                     'data.max_pairs=40', *TINY], (0, 1), 'translate-repl', meta('30k', '10k', 'en-fr'))]
    study = run_study(entries, tmp_path / 'out', jobs=1, report=lambda m: None, embeddings=emb)
    assert study['missing'] == [] and sorted(f.name for f in (tmp_path / 'out').iterdir()) == \
        ['.embedding_trainer', 'recall_vs_flops.png', 'recall_vs_params.png', 'rows.jsonl', 'study.json']
    e = study['entries'][0]
    by = {r['name']: r for r in e['summary']}
    # the cube: rule 28*8+8 + 4*8 + update 8*4+4, positions 8*8*2*4, inject 6*4+4, readout 4*6+6, mixing 2*384*2
    assert by['cube']['params'] == 232 + 32 + 36 + 512 + 28 + 30 + 1536 == 2406
    assert by['MLP']['params'] == adapter_params('mlp', 384, 3)                 # h = 3: the closest to 2,406
    assert by['cube']['n'] == 2 * 12                                            # every official test pair, 2 seeds
    # FLOPs per example from the architecture: T x cells x rule, inject + readout, the rank-2 mixing; MLP 4·D·h
    assert e['flops'] == {'cube': 1 * 128 * (2 * 28 * 8 + 2 * 8 * 4) + 2 * 2 * 384 * 4 + 4 * 384 * 2,
                          'MLP': 4 * 384 * 3, 'low-rank': 4 * 384 * 3}
    assert all(s in (3, 6) for s in e['best_step']['cube'])                     # kept on validation every 3 steps
    rows = [json.loads(line) for line in (tmp_path / 'out' / 'rows.jsonl').read_text().splitlines()]
    assert rows[0]['n_train'] == 30 and [s for s, _ in rows[0]['curves']['cube']] == [3, 6]
    assert next(r for r in rows if r['name'].startswith('EN→FR'))['n_train'] == 40
    ends = e['curve_end']['cube']                                               # the curves' ends, over seeds
    curves = [r['curves']['cube'] for r in rows if r['key'] == entries[0].key]
    assert ends['last'] == sum(c[-1][1] for c in curves) / 2 and ends['steps'] == 6
    assert ends['best'] == sum(max(v for _, v in c) for c in curves) / 2
    assert '**Convergence**' in translate_markdown(study)
    md = translate_markdown(study)
    assert '**EN→DE, N_train 10k: quality vs size**' in md and '**Levers at 7k' in md and '**Replication' in md
    assert md.count('| 7k, N 10k | 2 |') == 2                                  # its size table and its levers table
    assert f"{by['cube']['recall@1']['mean']:.3f}" in md and 'Moonshot at N 10k' in md
    assert translate_lead(study).count('\n| ') == 3                            # header, rule and two sizes
    again = run_study(entries, tmp_path / 'out', jobs=1, report=lambda m: None, embeddings=emb, run_missing=False)
    assert again == study                                                       # summarised again, nothing rerun
    more = [*entries[:1], Entry('translate', '7k layout', ['model.order=correlation', 'data.max_pairs=30', *TINY],
                                (0, 1), 'translate-lever', meta('7k', '10k', lever='layout'))]
    (tmp_path / 'out' / 'rows.jsonl').open('a').write('{"torn')                 # a torn last line is ignored
    part = run_study(more, tmp_path / 'out', jobs=1, report=lambda m: None, embeddings=emb, run_missing=False)
    assert [len(x['seeds']) for x in part['entries']] == [2]
    assert part['missing'] == ['translate / 7k layout: 0 of 2 seeds']


def test_translate_entries_and_refusals(tmp_path):
    entries = translate_study()
    assert [e.part for e in entries].count('translate-lever') == sum(len(v) for v in T_LEVERS.values())
    assert {e.part for e in entries} == set(TRANSLATE_PARTS)
    p = et_study('--parts', 'translate,size', '--out', str(tmp_path / 's'), cwd=tmp_path)
    assert p.returncode == 2 and 'the parts are' in p.stderr and not (tmp_path / 's').exists()
    (tmp_path / 'emb').mkdir()
    p = et_study('--parts', 'translate-repl', '--embeddings', str(tmp_path / 'emb'), '--jobs', '1',
                 '--out', str(tmp_path / 's'), cwd=tmp_path)
    assert p.returncode == 2 and 'has no embeddings of en-fr with 10000 training pairs' in p.stderr


TRANSLATE = ROOT / 'docs' / 'results' / 'translate'


@pytest.mark.skipif(not (TRANSLATE / 'study.json').exists(), reason='no committed translation study')
def test_committed_translation_study_is_the_commands_output():
    study = json.loads((TRANSLATE / 'study.json').read_text())
    rows = read_rows(TRANSLATE / 'rows.jsonl')
    wanted = {e.key: e for e in translate_study(parts=TRANSLATE_PARTS)}
    for got in study['entries']:
        e = wanted[got['key']]
        assert got['seeds'] == sorted(s for s in e.seeds if (e.key, s) in rows)
        for per in got['per_seed']:
            assert per['rows'] == rows[(e.key, per['seed'])]['rows']
    for rel in PAGES:
        assert page_update(ROOT, rel, study) is None, rel
    assert study_blocks(study)['translate-lead'] in (ROOT / 'README.md').read_text()
