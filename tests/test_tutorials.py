"""The teaching notebooks: stored clean with their outputs, keeping their contract; `make tutorials` runs them."""
import json
from pathlib import Path
import pytest

TUTORIALS = sorted((Path(__file__).parent.parent / 'nbs' / 'tutorials').glob('*.ipynb'))


def cells(path):
    return json.loads(path.read_text(encoding='utf-8'))['cells']


def test_there_are_seven_tutorials():
    assert [p.stem[:2] for p in TUTORIALS] == ['01', '02', '03', '04', '05', '06', '07']


@pytest.mark.parametrize('path', TUTORIALS, ids=lambda p: p.stem)
def test_stored_with_their_outputs_and_figures(path):
    "Written by `make tutorial-outputs`: a reader on GitHub sees what each cell printed and drew; clean otherwise."
    code = [c for c in cells(path) if c['cell_type'] == 'code']
    outputs = [o for c in code for o in c['outputs']]
    assert code and all(c['execution_count'] is None for c in code)              # nbdev_clean's form
    assert sum(bool(c['outputs']) for c in code) >= len(code) // 2                 # run, not a stray output
    assert any('image/png' in o.get('data', {}) for o in outputs)                   # its figures are there
    text = json.dumps(outputs)
    assert str(Path(__file__).resolve().parents[1]) not in text and 'application/vnd.jupyter.widget' not in text


@pytest.mark.parametrize('path', TUTORIALS, ids=lambda p: p.stem)
def test_exports_nothing_and_has_a_fast_path(path):
    source = '\n'.join(''.join(c['source']) for c in cells(path))
    assert '#| default_exp' not in source and '#| export' not in source   # nbdev_export must not touch them
    assert "FAST = bool(os.environ.get('IN_TEST'))" in source            # the path both test runners take
    assert '%matplotlib inline' in source                                # figures show even with MPLBACKEND=Agg


@pytest.mark.parametrize('path', TUTORIALS, ids=lambda p: p.stem)
def test_exercises_are_checked(path):
    cs = cells(path)
    src = [''.join(c['source']) for c in cs]
    answers = [i for i, s in enumerate(src) if s.startswith('answer_1 = ...')]
    hidden = [i for i, s in enumerate(src) if s.startswith('#| hide') and 'solution_1' in s]
    checks = [i for i, s in enumerate(src) if 'answer_or_solution(answer_1, solution_1)' in s]
    assert len(answers) == len(hidden) == len(checks) == 1
    assert answers[0] < hidden[0] < checks[0]            # answer cell, then the hidden solutions, then the check
    assert 'assert ' in src[checks[0]] or 'test_eq(' in src[checks[0]]   # a check that can fail


@pytest.mark.parametrize('path', TUTORIALS, ids=lambda p: p.stem)
def test_solutions_are_collapsed_in_jupyterlab(path):
    "The hidden-solutions cell opens collapsed (JupyterLab's `jupyter.source_hidden`), so it is not read by accident."
    hidden = [c for c in cells(path) if ''.join(c['source']).startswith('#| hide\n# Hidden solutions')]
    assert len(hidden) == 1 and hidden[0]['metadata'] == {'jupyter': {'source_hidden': True}}
