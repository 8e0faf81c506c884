"""The dashboard in a real JupyterLab in a real browser: Debian's Chromium, driven by Python Playwright."""
import importlib.util, os, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location('screenshot_dashboard', ROOT / 'tools' / 'screenshot_dashboard.py')
shot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shot)

pytestmark = [pytest.mark.browser, pytest.mark.serial]   # a real browser: run alone


def png_size(path:Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:4] == b'\x89PNG'
    return int.from_bytes(data[16:20], 'big'), int.from_bytes(data[20:24], 'big')


@pytest.fixture(scope='module')
def browser_available():
    if not os.access(shot.CHROMIUM, os.X_OK):
        pytest.skip(f"{shot.CHROMIUM} is missing: `make test` installs the Debian package chromium with apt-get "
                    "where it can (as root); install it to run the browser test")
    pytest.importorskip('playwright.sync_api', reason='Python playwright is not installed (dev extra)')


def test_dashboard_trains_and_stops_in_jupyterlab(tmp_path, browser_available):
    t0 = time.perf_counter()
    res = shot.screenshot_dashboard(tmp_path / 'dashboard.png', config='tiny', overrides=['train.max_steps=100000'],
                                    stop_at=12, damage=True, page_png=tmp_path / 'page.png', root=tmp_path / 'lab')
    seconds = time.perf_counter() - t0
    print(f"browser test {seconds:.1f} s: notebook open and run {res['open_and_run_s']:.1f} s, Stop click -> status "
          f"{res['stop_to_status_s']:.2f} s; {res['status']}")
    # Stop acted: the run ended by the user, long before its 100000 steps, and Start can be pressed again
    assert res['status'].startswith('stopped by the user at step') and 12 <= res['last_step'] < 100
    assert res['stop_to_status_s'] < 5 and not res['start_disabled']
    # both panels arrived in the browser as decoded images of their full size
    assert res['image_sizes']['curves'] == [900, 340]
    assert res['image_sizes']['lattice'][0] == 900 and res['image_sizes']['lattice'][1] >= 300
    w, h = png_size(tmp_path / 'dashboard.png')
    assert w >= 900 and h >= 340 + res['image_sizes']['lattice'][1]    # the screenshot holds both panels
    assert png_size(tmp_path / 'page.png') == (1280, 2000)
    # the damage panel: Kill killed a quarter of the 4x4x3 lattice, its view and the answers side by side arrived
    hurt = res['damage']
    assert '12 of 48 cells (25%) dead from the start' in hurt['status'] and hurt['view'][0] == 900
    assert 'damaged cube (12 cells dead)' in hurt['answers'] and 'undamaged cube' in hurt['answers']
    # the brush: a drag along the slice's top row, button held, killed the cells of that row not dead before
    brush = hurt['brush']
    assert len(brush['before']) == 4 and brush['after'] == [True] * 4
    assert f"{12 + brush['before'].count(False)} of 48 cells" in brush['status'], brush
    assert seconds < 90
