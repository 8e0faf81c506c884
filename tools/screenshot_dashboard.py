"""Open the training dashboard in JupyterLab in headless Chromium, train briefly, and screenshot it.

    python tools/screenshot_dashboard.py --out docs/dashboard.png      (what `make screenshot` runs)

`tests/test_browser.py` drives the same functions: a JupyterLab server on 127.0.0.1 (free port, token, scratch
root and settings), a notebook that shows `TrainingDashboard`, and Debian's /usr/bin/chromium through Playwright.
"""
from __future__ import annotations
import argparse, contextlib, json, os, re, secrets, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']
LAB_SETTINGS = {   # user settings of an unattended JupyterLab: no news pop-up, every cell rendered
    '@jupyterlab/apputils-extension/notification.jupyterlab-settings': {'fetchNews': 'false', 'checkForUpdates': False},
    '@jupyterlab/notebook-extension/tracker.jupyterlab-settings': {'windowingMode': 'none'},
}
SCREENSHOT_OVERRIDES = ['train.max_steps=120', 'train.eval_every=10',
                        'train.warmup_steps=10']   # on the dialogue preset


def free_port() -> int:
    "A TCP port on 127.0.0.1 that nothing listens on now."
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def write_dashboard_notebook(path:Path, config:str, overrides:list[str]) -> Path:
    "A notebook whose one cell shows `TrainingDashboard(config, overrides)`."
    src = ("from embedding_trainer.widgets import TrainingDashboard\n"
           f"dash = TrainingDashboard({config!r}, overrides={overrides!r})\n"
           "dash")
    nb = {'cells': [{'cell_type': 'code', 'execution_count': None, 'id': 'dashboard', 'metadata': {}, 'outputs': [],
                     'source': src}],
          'metadata': {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}},
          'nbformat': 4, 'nbformat_minor': 5}
    path.write_text(json.dumps(nb, indent=1))
    return path


@contextlib.contextmanager
def jupyter_lab(root:Path, timeout:float=90):
    "Run JupyterLab on 127.0.0.1 with a token, serving `root`; yields `(base_url, token)`."
    port, token = free_port(), secrets.token_hex(16)
    home = Path(tempfile.mkdtemp(prefix='et-lab-'))
    for name, value in LAB_SETTINGS.items():
        f = home / 'settings' / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(home / 'config'), 'JUPYTER_RUNTIME_DIR': str(home / 'runtime'),
           'OMP_NUM_THREADS': '1', 'MPLBACKEND': 'Agg', 'HF_HUB_OFFLINE': '1', 'TOKENIZERS_PARALLELISM': 'false'}
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
           '--ServerApp.port_retries=0', f'--ServerApp.root_dir={root}', f'--IdentityProvider.token={token}',
           f'--LabApp.user_settings_dir={home / "settings"}', f'--LabApp.workspaces_dir={home / "workspaces"}',
           '--LabApp.expose_app_in_browser=True', '--LabApp.extension_manager=readonly',
           '--ServerApp.terminals_enabled=False'] + (['--allow-root'] if os.geteuid() == 0 else [])
    log = open(home / 'server.log', 'w')
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f'http://127.0.0.1:{port}'
    try:
        t0 = time.perf_counter()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code "
                                   f"{proc.returncode}:\n{(home / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f'{base}/api/status?token={token}', timeout=2) as r:
                    if r.status == 200: break
            except OSError: pass
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} "
                                   f"s:\n{(home / 'server.log').read_text()[-3000:]}")
            time.sleep(0.25)
        yield base, token
    finally:
        proc.send_signal(signal.SIGTERM)   # the server shuts its kernels down on SIGTERM
        try: proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill(); proc.wait(timeout=10)
        log.close()


def launch_chromium(playwright):
    "Debian's Chromium, headless, driven by Playwright (no downloaded browser)."
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _text(page, selector:str) -> str:
    return page.eval_on_selector(selector, 'el => el.textContent')


DEAD = "el => el.classList.contains('mod-danger')"   # a dead cell's button on the slice grid


def brush_top_row(page, ms:int) -> dict:
    "Drag the mouse along the top row of the slice grid, button held: the brush kills every cell of that row."
    row = page.locator('.et-slice button')
    n = int(page.eval_on_selector('.et-slice', 'el => getComputedStyle(el).gridTemplateColumns.split(" ").length'))
    before = [row.nth(i).evaluate(DEAD) for i in range(n)]
    boxes = [row.nth(i).bounding_box() for i in range(n)]
    dead = int(re.match(r'\d+', _text(page, '.et-damage-status').strip()).group()) + before.count(False)
    view = page.eval_on_selector('.et-damage-view', 'el => el.src')
    centre = lambda b: (b['x'] + b['width'] / 2, b['y'] + b['height'] / 2)
    page.mouse.move(*centre(boxes[0]))
    page.mouse.down()
    for b in boxes[1:]: page.mouse.move(*centre(b), steps=4)
    page.mouse.up()
    page.wait_for_function(f"""() => Array.from(document.querySelectorAll('.et-slice button')).slice(0, {n})
        .every(b => b.classList.contains('mod-danger'))
        && document.querySelector('.et-damage-status').textContent.trim().startsWith('{dead} of ')
        && document.querySelector('.et-damage-view').src !== {json.dumps(view)}""", timeout=ms)   # redrawn
    page.locator('.et-dashboard button', has_text='Compare answers').click()       # the answers of this damage
    page.wait_for_function(f"() => document.querySelector('.et-damage-answers').textContent"
                           f".includes('damaged cube ({dead} cells dead)')", timeout=ms)
    return {'before': before, 'after': [row.nth(i).evaluate(DEAD) for i in range(n)], 'dead': dead,
            'status': _text(page, '.et-damage-status').strip()}


def run_dashboard(page,                   # a Playwright page
                  base:str, token:str,    # the JupyterLab server
                  notebook:str,           # the notebook's name in the server's root
                  stop_at:int|None=None,  # click Stop once the progress line shows this step; None: let the run finish
                  ask:str|None=None,      # then type this question into the try-it box and ask the cube
                  damage:bool=False,      # then kill the panel's default cells, compare the answers, brush a row
                  timeout:float=90) -> dict:
    "Open the notebook, run all cells, click Start, then Stop (or wait for the end); returns timings and texts."
    ms = int(timeout * 1000)
    t0 = time.perf_counter()
    page.goto(f'{base}/lab/tree/{notebook}?token={token}&reset')
    page.wait_for_function('() => window.jupyterapp !== undefined', timeout=ms)
    # run the cells only once the notebook's kernel has started and is idle (else the request can get lost)
    page.wait_for_function('''() => { const w = window.jupyterapp.shell.currentWidget;
        return w && w.sessionContext && w.sessionContext.session?.kernel?.status === 'idle'; }''', timeout=ms)
    page.evaluate('''async () => { const app = window.jupyterapp;   // give the notebook the whole width
        if (!app.shell.leftCollapsed) await app.commands.execute('application:toggle-left-area');
        await app.commands.execute('notebook:run-all-cells'); }''')
    start = page.locator('.et-dashboard button', has_text='Start')
    start.wait_for(timeout=ms)
    t_shown = time.perf_counter()
    start.click()
    step_re = r'step (\d+)/'
    if stop_at is not None:
        page.wait_for_function(f"""() => {{ const el = document.querySelector('.et-progress');
            const m = el && el.textContent.match(/step (\\d+)\\//); return m && +m[1] >= {int(stop_at)}; }}""",
                timeout=ms)
        t_click = time.perf_counter()
        page.locator('.et-dashboard button', has_text='Stop').click()
        page.wait_for_function("() => document.querySelector('.et-status').textContent.includes('stopped by the user')",
                               timeout=ms)
        stop_s = time.perf_counter() - t_click
    else:
        page.wait_for_function("() => /^(finished|error)/.test("
                               "document.querySelector('.et-status').textContent.trim())",
                               timeout=ms)
        stop_s = None
    # both images carry a decoded PNG once the last redraw has arrived
    page.wait_for_function("() => ['.et-curves', '.et-lattice'].every(s => document.querySelector(s).naturalWidth > 0)",
                           timeout=ms)
    if ask:
        page.locator('.et-dashboard input[placeholder="type a question"]').fill(ask)
        page.locator('.et-dashboard button', has_text='Ask the cube').click()
        page.wait_for_selector('.et-answers table', timeout=ms)
    hurt = None
    if damage:   # the panel's Kill (a random quarter of the cells, dead), its lattice view, the answers side by side
        page.locator('.et-dashboard .et-kill').click()
        page.wait_for_function("() => document.querySelector('.et-damage-view').naturalWidth === 900", timeout=ms)
        page.locator('.et-dashboard button', has_text='Compare answers').click()
        page.wait_for_selector('.et-damage-answers table', timeout=ms)
        hurt = {'status': _text(page, '.et-damage-status').strip(), 'answers': _text(page, '.et-damage-answers'),
                'view': page.eval_on_selector('.et-damage-view', 'el => [el.naturalWidth, el.naturalHeight]')}
        hurt['brush'] = brush_top_row(page, ms)
    sizes = {s: page.eval_on_selector(f'.et-{s}', 'el => [el.naturalWidth, el.naturalHeight]') for s in ('curves',
                                                                                                         'lattice')}
    progress = _text(page, '.et-progress')
    return {'status': _text(page, '.et-status').strip(), 'progress': progress, 'image_sizes': sizes,
            'last_step': int(re.search(step_re, progress).group(1)), 'stop_to_status_s': stop_s,
            'open_and_run_s': t_shown - t0, 'total_s': time.perf_counter() - t0,
            'start_disabled': start.is_disabled(), 'answers': _text(page, '.et-answers'), 'damage': hurt}


def screenshot_dashboard(out:Path,                        # PNG of the dashboard to write
                         config:str='dialogue',            # preset the notebook opens
                         overrides=SCREENSHOT_OVERRIDES,   # its overrides (the run folder goes into `root`)
                         stop_at:int|None=None,            # click Stop at this step; None: let the run finish
                         ask:str|None=None,                # a question for the try-it box after the run
                         damage:bool=False,                # then kill cells in the damage panel, compare answers
                         page_png:Path|None=None,          # also save the whole browser page here
                         root:Path|None=None,              # the server's root folder (default: a new temp folder)
                         height:int=2000,                  # the browser window's height (the dashboard must fit)
                         timeout:float=90) -> dict:        # seconds each wait in the browser may take
    "Train in JupyterLab in Chromium, write the dashboard's screenshot to `out`; returns what `run_dashboard` saw."
    from playwright.sync_api import sync_playwright
    root = Path(root or tempfile.mkdtemp(prefix='et-dashboard-'))
    root.mkdir(parents=True, exist_ok=True)
    write_dashboard_notebook(root / 'dashboard.ipynb', config, list(overrides) + [f'checkpoint.dir={root / "run"}'])
    with jupyter_lab(root) as (base, token), sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={'width': 1280, 'height': height})
            res = run_dashboard(page, base, token, 'dashboard.ipynb', stop_at=stop_at, ask=ask, damage=damage,
                                timeout=timeout)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.locator('.et-dashboard').screenshot(path=str(out))
            if page_png is not None: page.screenshot(path=str(page_png))
        finally: browser.close()
    return res


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default='docs/dashboard.png', help='PNG to write')
    ap.add_argument('--timeout', type=float, default=90, help='seconds each wait in the browser may take (the run of '
                    '120 steps and its baselines must end within it; more on a loaded machine)')
    args = ap.parse_args()
    res = screenshot_dashboard(Path(args.out), ask='How do I keep bread fresh?', damage=True, height=3600,
                               timeout=args.timeout)
    print(f"{args.out}: {res['status']} ({res['total_s']:.0f} s in the browser)")
