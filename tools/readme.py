"""README.md from its source, nbs/index.ipynb (settings.ini's `readme_nb`): the notebook's markdown cells, joined.

nbdev's own `nbdev_readme` needs Quarto, which is not installable here; this writes the same text without it.
`python tools/readme.py` rewrites README.md; `--check` exits 1 (saying so) when README.md is not what the
notebook says. Both fail when the README's notebook map misses a notebook of nbs/ (or links one that is gone), or
when the README grows past `MAX_LINES` (it is the way in; detail belongs in docs/ and RESULTS.md).
The study's numbers on the pages that quote it (RESULTS.md, the README's source) come from the studies' JSON
(docs/results/study/study.json, docs/results/translate/study.json): `python tools/readme.py` refreshes those blocks
first, `--check` fails when one differs.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def render(nb_path: Path) -> str:
    "The markdown cells of the notebook, separated by blank lines, ending in one newline."
    cells = json.loads(nb_path.read_text())['cells']
    parts = [''.join(c['source']).strip('\n') for c in cells if c['cell_type'] == 'markdown']
    return '\n\n'.join(p for p in parts if p) + '\n'


MAX_LINES = 150


def map_problems(text:str, root:Path=ROOT) -> list[str]:
    "The notebooks under root/nbs (tutorials too) that `text` does not link, and the notebooks it links that are gone."
    linked = set(re.findall(r'\]\((nbs/[^)\s]+\.ipynb)\)', text))
    have = {p.relative_to(root).as_posix() for p in (root / 'nbs').rglob('*.ipynb')
            if not any(part.startswith(('_', '.')) for part in p.relative_to(root).parts)} - {'nbs/index.ipynb'}
    return ([f"{n}: missing from the README's notebook map (nbs/index.ipynb)" for n in sorted(have - linked)] +
            [f"{n}: linked from the README, but there is no such notebook" for n in sorted(linked - have)])


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
    problems, n_lines = map_problems(text), text.count('\n')
    if n_lines > MAX_LINES:
        problems.append(f"README.md has {n_lines} lines, more than {MAX_LINES}: it is the way in; move detail to a "
                        "page of docs/ or to RESULTS.md and link it")
    if '--check' in argv and out.read_text() != text:
        problems.append("README.md differs from nbs/index.ipynb (its source): edit the notebook, then run "
                        "`python tools/readme.py`")
    elif '--check' not in argv: out.write_text(text)
    for p in problems: print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
