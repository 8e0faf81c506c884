"The lattice study: `et-study` end to end in worker processes, and the committed results are the command's own."
import json, os, subprocess, sys
from pathlib import Path

import pytest

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
    assert study_blocks(study)['presets'] in (ROOT / 'README.md').read_text()
