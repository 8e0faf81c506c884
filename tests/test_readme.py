"""The README is generated from nbs/index.ipynb by tools/readme.py; its check (in `make check-sync`) also holds the
README to a front door's length and its notebook map to the notebooks that exist."""
import importlib.util, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('readme_tool', ROOT / 'tools' / 'readme.py')
readme = importlib.util.module_from_spec(spec); spec.loader.exec_module(readme)


def test_the_map_names_every_notebook_and_no_other(tmp_path):
    (tmp_path / 'nbs' / 'tutorials').mkdir(parents=True); (tmp_path / 'nbs' / '_scratch').mkdir()
    for rel in ('00_a', '01_b', 'index', 'tutorials/01_t', '_scratch/x'):   # a folder starting with _ is not source
        (tmp_path / 'nbs' / f'{rel}.ipynb').write_text('{}')
    text = '| layer | [00_a](nbs/00_a.ipynb) · [gone](nbs/02_gone.ipynb) · [01 t](nbs/tutorials/01_t.ipynb) |'
    assert readme.map_problems(text, tmp_path) == [
        "nbs/01_b.ipynb: missing from the README's notebook map (nbs/index.ipynb)",
        'nbs/02_gone.ipynb: linked from the README, but there is no such notebook']
    assert readme.map_problems(text.replace('02_gone', '01_b'), tmp_path) == []


def test_the_readme_is_a_front_door():
    text = readme.render(ROOT / 'nbs' / 'index.ipynb')
    assert text == (ROOT / 'README.md').read_text()
    assert text.count('\n') <= readme.MAX_LINES == 150
    assert readme.map_problems(text) == []
    commands = {line.split('`')[1].split()[0] for line in text.splitlines() if line.startswith('| `et-')}
    scripts = {s.split('=')[0] for s in next(line for line in (ROOT / 'settings.ini').read_text().splitlines()
                                               if line.startswith('console_scripts')).split('=', 1)[1].split()}
    assert commands == scripts and len(scripts) == 7                # the table lists every command, no other
    nb = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())
    assert all(c['cell_type'] == 'markdown' for c in nb['cells'])   # nothing to run: the README is the notebook's text
