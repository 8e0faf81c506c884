"""README.md from its source, nbs/index.ipynb (settings.ini's `readme_nb`): the notebook's markdown cells, joined.

nbdev's own `nbdev_readme` needs Quarto, which is not installable here; this writes the same text without it.
`python tools/readme.py` rewrites README.md; `--check` exits 1 (saying so) when README.md is not what the notebook says.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def render(nb_path: Path) -> str:
    "The markdown cells of the notebook, separated by blank lines, ending in one newline."
    cells = json.loads(nb_path.read_text())['cells']
    parts = [''.join(c['source']).strip('\n') for c in cells if c['cell_type'] == 'markdown']
    return '\n\n'.join(p for p in parts if p) + '\n'


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
