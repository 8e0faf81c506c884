"""Run the tutorials in a real Jupyter kernel and store their outputs, figures included, so they read on GitHub.

Usage: python tools/tutorial_outputs.py [NOTEBOOK ...]      (default: every notebook of nbs/tutorials; what
`make tutorial-outputs` runs)

Each notebook runs top to bottom on its fast path (`IN_TEST=1`, as `make tutorials` runs it), in its own folder,
with matplotlib's inline backend (figures as PNG at `DPI` dots per inch, so a stored figure stays small), and is
written back in place only when every cell ran: a failing cell leaves the file untouched and the command exits 1.
Then `nbdev_clean` normalises it, exactly as `make check-sync` does, so the stored outputs survive that check.
Consecutive prints to one stream are stored as one output (how they arrive in parts depends on timing). Removed:
interactive widgets and their state (GitHub cannot draw them; the notebook's text says what they show) and this
checkout's absolute path (written repository-relative), so the stored notebook does not depend on where it was run.
"""
import argparse, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / 'nbs' / 'tutorials'
DPI = 80                      # inline figures: a 7×3.4 inch figure is 560×272 pixels
WIDGET = 'application/vnd.jupyter.widget-view+json'
SETUP = f"%config InlineBackend.rc = {{'figure.dpi': {DPI}}}\n%matplotlib inline"


def tidy(nb):
    "Drop widgets and their state, merge consecutive prints to one stream, write paths repository-relative."
    root = str(ROOT)
    def rel(text): return text.replace(root + '/', '').replace(root, '.')
    nb.metadata.pop('widgets', None)                  # the widgets' state (nbdev_clean keeps it)
    for cell in nb.cells:
        kept = []
        for out in cell.get('outputs', []):
            data = out.get('data', {})
            if WIDGET in data: continue               # a widget: GitHub cannot draw it, its text is only its repr
            for key in [k for k in data if k.startswith('text')]: data[key] = rel(data[key])
            if out.get('output_type') == 'stream':
                out['text'] = rel(out['text'])
                last = kept[-1] if kept else {}
                if last.get('output_type') == 'stream' and last['name'] == out['name']:   # how prints arrive in
                    last['text'] += out['text']; continue                                # parts depends on timing
            kept.append(out)
        if 'outputs' in cell: cell['outputs'] = kept


def execute(path:Path, timeout:int=900) -> float:
    "Run notebook `path` in a fresh python3 kernel in its folder and write it back with its outputs; seconds taken."
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    setup = nbformat.v4.new_code_cell(SETUP)
    nb.cells.insert(0, setup)                 # the backend and the figure size, run first, never stored
    env = {k: v for k, v in os.environ.items() if k != 'MPLBACKEND'}   # Agg (the tests') would draw nothing
    env.update(IN_TEST='1', HF_HUB_OFFLINE='1', TOKENIZERS_PARALLELISM='false',
               OMP_NUM_THREADS=env.get('OMP_NUM_THREADS', '1'),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get('PYTHONPATH')])))
    start = time.time()
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3',
                            resources={'metadata': {'path': str(path.parent)}})
    client.execute(env=env)                   # the kernel's environment
    nb.cells.pop(0)
    tidy(nb)
    tmp = path.with_name(path.name + '.tmp')
    nbformat.write(nb, tmp); tmp.replace(path)    # written aside, then renamed: never half a notebook
    subprocess.run([str(Path(sys.executable).parent / 'nbdev_clean'), '--fname', str(path)], check=True, cwd=ROOT)
    return time.time() - start


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to run (default: every notebook of nbs/tutorials)')
    args = p.parse_args(argv)
    paths = [Path(n).resolve() for n in args.notebooks] or sorted(TUTORIALS.glob('*.ipynb'))
    from nbclient.exceptions import CellExecutionError
    for path in paths:
        try: secs = execute(path)
        except CellExecutionError as e:
            print(f"{path.relative_to(ROOT)}: a cell failed, the notebook is left as it was:\n{e}", file=sys.stderr)
            return 1
        size = path.stat().st_size
        print(f"{path.relative_to(ROOT)}: outputs stored ({secs:.0f} s, {size / 1024:.0f} KiB)")
    return 0


if __name__ == '__main__':
    sys.exit(main())
