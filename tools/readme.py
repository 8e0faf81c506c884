"""README.md from its source, nbs/index.ipynb (settings.ini's `readme_nb`): the notebook's markdown cells, joined.

nbdev's own `nbdev_readme` needs Quarto, which is not installable here; this writes the same text without it.
`python tools/readme.py` rewrites README.md; `--check` exits 1 (saying so) when README.md is not what the
notebook says.
The study's numbers on the pages that quote it (RESULTS.md, the README's source) come from the studies' JSON
(docs/results/study/study.json, docs/results/translate/study.json): `python tools/readme.py` refreshes those blocks
first, `--check` fails when one differs.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def render(nb_path: Path) -> str:
    "The markdown cells of the notebook, separated by blank lines, ending in one newline."
    cells = json.loads(nb_path.read_text())['cells']
    parts = [''.join(c['source']).strip('\n') for c in cells if c['cell_type'] == 'markdown']
    return '\n\n'.join(p for p in parts if p) + '\n'


STUDIES = [ROOT / 'docs' / 'results' / name / 'study.json' for name in ('study', 'translate')]


def main(argv=None) -> int:
    from embedding_trainer.study import PAGES, page_update, refresh_pages
    argv = sys.argv[1:] if argv is None else argv
    for path in STUDIES:
        study = json.loads(path.read_text())
        if '--check' in argv:
            stale = [rel for rel in PAGES if page_update(ROOT, rel, study) is not None]
            if stale:
                print(f"{', '.join(stale)}: the study's numbers differ from {path.relative_to(ROOT)}; run "
                      "`python tools/readme.py` to refresh them")
                return 1
        else: refresh_pages(study, ROOT)
    text, out = render(ROOT / 'nbs' / 'index.ipynb'), ROOT / 'README.md'
    if '--check' in argv:
        if out.read_text() != text:
            print("README.md differs from nbs/index.ipynb (its source): edit the notebook, then run "
                  "`python tools/readme.py`")
            return 1
        return 0
    out.write_text(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
