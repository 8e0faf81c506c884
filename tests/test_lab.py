"`make lab`: JupyterLab starts on the notebooks (as root too), and its kernels do not inherit the tests' Agg backend."
import json, os, signal, subprocess, time, urllib.request
from pathlib import Path
import pytest
from helpers import free_port

ROOT = Path(__file__).resolve().parents[1]

def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, json.loads(r.read())

def test_make_lab_serves_the_notebooks(tmp_path):
    if not (ROOT / '.venv' / '.installed').exists():
        pytest.skip('the project venv (.venv, made by `make install`) is missing: `make lab` would first install it')
    port, token = free_port(), 'labtest'
    env = dict(os.environ, MPLBACKEND='Agg', JUPYTER_RUNTIME_DIR=str(tmp_path / 'runtime'))
    proc = subprocess.Popen(['make', '-s', 'lab', f'LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port} '
                             f'--ServerApp.token={token} --ServerApp.port_retries=0'],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline, status = time.time() + 90, None
        while time.time() < deadline and proc.poll() is None:
            try:
                status, listing = _get(f'http://127.0.0.1:{port}/api/contents/tutorials?token={token}')
                break
            except OSError:
                time.sleep(0.5)
        if status is None:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            out = proc.communicate(timeout=20)[0][-3000:]
            pytest.fail(f'`make lab` did not serve on port {port} (exit {proc.poll()}):\n' + out)
        names = {c['name'] for c in listing['content']}
        assert status == 200 and '01_signals_in_a_lattice.ipynb' in names, names
        servers = [json.loads(p.read_text()) for p in (tmp_path / 'runtime').glob('jpserver-*.json')]
        assert [s['port'] for s in servers] == [port]
        environ = Path(f"/proc/{servers[0]['pid']}/environ").read_bytes().split(b'\0')
        assert not any(v.startswith(b'MPLBACKEND=') for v in environ), \
            'the lab server (and so its kernels) got MPLBACKEND'
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
