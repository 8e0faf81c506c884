"""Faults: kill -9 at random moments and resume, a NaN batch and a learning-rate spike mid-run, bad input, a full
or read-only checkpoint folder. Each must end in a correct run or in the error class that names the cause."""
import errno, logging, math, multiprocessing as mp, os, random, signal, sys, time
from pathlib import Path
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fault_worker as fw
from embedding_trainer import outputs as writer_module   # atomic_write: where checkpoints are written
from embedding_trainer.checkpoint import latest, load_checkpoint, read_header, verify_checkpoint
from embedding_trainer.config import load_config
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.encoders import HashEncoder
from embedding_trainer.data import load_embedding_pairs, load_from_config, load_pairs
from embedding_trainer.errors import CheckpointError, ConfigError, DataError, IntegrationError
from embedding_trainer.lattice import Lattice3D
from embedding_trainer.callbacks import Callback
from embedding_trainer.trainer import Trainer

KILLS = 20
PAUSE_S = 0.005   # the killed runs pause this long after each step, so a kill lands mid-run


class _Summary:
    "Prints the measured numbers in pytest's closing summary, where `make test` shows them without -s."
    lines = []
    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.section('fault tests')
        for line in self.lines: terminalreporter.write_line(line)

_SUMMARY = _Summary()


@pytest.fixture
def report(request):
    pm = request.config.pluginmanager
    if not pm.is_registered(_SUMMARY): pm.register(_SUMMARY, 'fault-test-summary')
    def add(line):
        print(line)
        _SUMMARY.lines.append(line)
    return add


def step_of(path): return read_header(path)['step'] if path is not None else 0


def same_weights(a:dict, b:dict) -> bool: return list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a)


# ---------------------------------------------------------------------------------------------------- kill -9

def test_kill_9_and_resume(tmp_path, report, monkeypatch):
    "20 SIGKILLs at seeded random moments: no damaged checkpoint, at most one interval lost, the same final weights."
    t0 = time.perf_counter()
    ctx = mp.get_context('forkserver')          # one process imports torch once; each run is a fresh fork of it
    ctx.set_forkserver_preload(['fault_worker', 'pytest'])
    # the fork server finds fault_worker through PYTHONPATH (Python 3.11 does not pass it sys.path)
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join([str(Path(fw.__file__).parent), os.environ.get('PYTHONPATH', '')]))
    p = ctx.Process(target=fw.train, args=(tmp_path / 'straight', tmp_path / 'straight.pt'))
    p.start(); p.join(120)
    assert p.exitcode == 0

    run, shared, rng = tmp_path / 'killed', ctx.Value('i', 0, lock=False), random.Random(20261124)
    lost, early = [], 0
    for kill in range(1, KILLS + 1):
        start = step_of(latest(run))
        shared.value = start
        p = ctx.Process(target=fw.train, args=(run, None, shared, PAUSE_S))
        p.start()
        if rng.random() < 0.2:                   # while it starts, loads and resumes
            early += 1
            time.sleep(rng.uniform(0, 0.05))
        else:                                    # a few steps in, anywhere in a step (computing, pausing, writing)
            target, deadline = start + rng.randint(1, 2 * fw.EVERY), time.monotonic() + 60
            while shared.value < target and p.is_alive() and time.monotonic() < deadline: time.sleep(0.0005)
            time.sleep(rng.uniform(0, 2 * PAUSE_S))
        assert p.is_alive(), f"run {kill} ended (exit code {p.exitcode}) before it was killed"
        done = shared.value
        os.kill(p.pid, signal.SIGKILL)
        p.join(30)
        assert p.exitcode == -signal.SIGKILL
        for f in sorted(run.glob('*.pt')): verify_checkpoint(f)    # raises CheckpointError on any damaged file
        saved = step_of(latest(run))
        lost.append(done - saved)
        assert 0 <= done - saved <= fw.EVERY, f"kill {kill}: {done} steps done, newest checkpoint at step {saved}"

    p = ctx.Process(target=fw.train, args=(run, tmp_path / 'resumed.pt'))
    p.start(); p.join(120)
    assert p.exitcode == 0
    assert same_weights(torch.load(tmp_path / 'straight.pt'), torch.load(tmp_path / 'resumed.pt'))   # best weights
    last = f'step_{fw.STEPS:06d}.pt'
    a = load_checkpoint(tmp_path / 'straight' / last, restore_rng=False)
    b = load_checkpoint(run / last, restore_rng=False)
    assert same_weights(a['model'], b['model'])                                                      # last weights
    assert [r['loss'] for r in a['history']['train']] == [r['loss'] for r in b['history']['train']]  # every step
    report(f"kills={KILLS} ({early} during start-up/resume) max_steps_lost={max(lost)} mean_steps_lost="
           f"{sum(lost) / len(lost):.1f} (checkpoint every {fw.EVERY} steps, {fw.STEPS}-step run); final weights "
           f"equal to an uninterrupted run: True; {time.perf_counter() - t0:.1f} s")


# ---------------------------------------------------------------------------------------------- faults mid-run

class NaNBatch(Trainer):
    "Poisons one row of the batch of step `at`."
    at = 23
    def _train_step(self, xb, yb):
        if self.step + 1 == self.at: xb = xb.clone(); xb[0, 0] = float('nan')
        return super()._train_step(xb, yb)


class LRSpike(Callback):
    "Multiplies the learning rate of step `at`'s update by 1000 (the schedule resets it at the next step)."
    at = 23
    def on_after_backward(self, trainer, info):
        if trainer.step + 1 == self.at:
            for g in trainer.optimizer.param_groups: g['lr'] *= 1000


def faulty_run(tmp_path, fault, guards=True):
    "A 60-step run with the fault at step 23 (not yet trained)."
    cfg = fw.config(tmp_path / f'{fault}-{guards}', steps=60)
    if not guards: cfg = load_config(cfg, ['guards.enabled=false'])
    cls, cbs = (NaNBatch, []) if fault == 'nan' else (Trainer, [LRSpike()])
    return cls(fw.new_model(cfg), *fw.data(), cfg, callbacks=cbs, progress=False)


def largest_state(tr):
    "The largest final cell-state norm over the training inputs, with the weights of the run's last step."
    cube = fw.new_model(tr.config)
    load_checkpoint(Path(tr.config.checkpoint.dir) / f'step_{tr.step:06d}.pt', cube, restore_rng=False)
    with torch.no_grad(): _, norms = cube.eval()(fw.data()[0][0], record=True)
    return norms[-1].max().item()


@pytest.mark.parametrize('fault', ['nan', 'spike'])
def test_fault_mid_run_is_rolled_back(tmp_path, caplog, fault):
    tr = faulty_run(tmp_path, fault)
    with caplog.at_level(logging.WARNING, logger='embedding_trainer'): tr.fit()
    seen = 23 if fault == 'nan' else 24          # a spike damages step 23's update; step 24's forward shows it
    [ev] = tr.history['events']
    assert (ev['kind'], ev['step'], ev['to_step']) == ('rollback', seen, 20)
    assert ('lattice state is not finite' if fault == 'nan' else 'jumped from') in ev['message']
    assert f"step {seen}: " in caplog.text and 'rolled back to the state of step 20' in caplog.text
    assert [r.get('skipped', False) for r in tr.history['train'][seen - 2:seen + 1]] == [False, True, False]
    assert tr.scheduler.base_lrs == [0.5 * tr.tc.lr] and tr.step == 60
    assert all(torch.isfinite(p).all() for p in tr.model.parameters())
    assert all(math.isfinite(r['loss']) for r in tr.history['train'][seen:])
    state = largest_state(tr)
    unguarded = faulty_run(tmp_path, fault, guards=False)
    if fault == 'nan':   # without the guards the same NaN reaches every weight; the next evaluation refuses them
        with pytest.raises(DataError, match=r'pred has 512 non-finite value\(s\)'): unguarded.fit()
        assert unguarded.step == 30 and not any(torch.isfinite(p).all() for p in unguarded.model.parameters())
    else:                # and the spike leaves a blown-up lattice state behind
        unguarded.fit()
        assert largest_state(unguarded) > 1000 * state, (largest_state(unguarded), state)


# ---------------------------------------------------------------------------------------------------- bad input

def save_pairs(path, x, y):
    torch.save({'questions': x, 'answers': y}, path)
    return path


def small_cube(dim=16): return EmbeddingCube(embedding_dim=dim, face=(4, 4), values_per_cell=2, depth=3, steps=2)


def test_wrong_dimension_embeddings(tmp_path):
    f = save_pairs(tmp_path / 'pairs.pt', torch.randn(40, 16), torch.randn(40, 16))
    with pytest.raises(DataError, match='pairs.pt holds 16-D embeddings, but 32-D are expected'):
        load_embedding_pairs(f, dim=32)
    cfg = load_config({'model': {'embedding_dim': 32, 'face': [4, 4, 2], 'depth': 3, 'steps': 2},
                       'data': {'path': str(f)}, 'checkpoint': {'dir': str(tmp_path / 'run')}})
    pairs = load_from_config(cfg.data)          # the config cannot know the file's size; the trainer checks it
    with pytest.raises(IntegrationError, match=r'the training embeddings have 16 values per row, but the model '
                                               r'expects 32 \(model.embedding_dim\)'):
        Trainer(EmbeddingCube(cfg), pairs, None, cfg, progress=False)


def test_nan_embeddings(tmp_path):
    x, y = torch.randn(40, 16), torch.randn(40, 16)
    x[3, 5] = float('nan')
    with pytest.raises(DataError, match=r"pairs.pt row 3: has NaN or inf in 'questions'"):
        load_embedding_pairs(save_pairs(tmp_path / 'pairs.pt', x, y))
    with pytest.raises(DataError, match=r'row 3 of the training inputs \(x\) has NaN or inf \(1 such rows\)'):
        Trainer(small_cube(), (x, y), progress=False)
    y[7, 0] = float('inf')
    with pytest.raises(DataError, match=r'row 7 of the validation targets \(y\) has NaN or inf'):
        Trainer(small_cube(), (torch.randn(40, 16), torch.randn(40, 16)), (torch.randn(40, 16), y), progress=False)


def test_empty_datasets(tmp_path):
    (tmp_path / 'empty.jsonl').write_text('')
    with pytest.raises(DataError, match='empty.jsonl has no usable pairs'):
        load_pairs(tmp_path / 'empty.jsonl', encoder=HashEncoder(16), cache_dir=False)
    with pytest.raises(DataError, match='empty.pt has no usable pairs'):
        load_embedding_pairs(save_pairs(tmp_path / 'empty.pt', torch.zeros(0, 16), torch.zeros(0, 16)))
    with pytest.raises(DataError, match=r'the training set is empty \(0 pairs\)'):
        Trainer(small_cube(), (torch.zeros(0, 16), torch.zeros(0, 16)), progress=False)


def test_dataset_smaller_than_the_batch(tmp_path):
    cfg = fw.config(tmp_path / 'run', steps=6)   # batch 32
    x, y = fw.data()[0]
    tr = Trainer(fw.new_model(cfg), (x[:10], y[:10]), None, cfg, progress=False)
    with pytest.warns(UserWarning, match='train.batch_size = 32 is larger than the 10 training pairs: every step uses '
                                         'all 10'):
        tr.fit()
    assert tr.step == 6 and tr.epoch == 5     # one step per epoch
    with pytest.raises(DataError, match='the training set has 1 pair'):
        Trainer(fw.new_model(cfg), (x[:1], y[:1]), None, cfg, progress=False)


def test_zero_length_lattice_axis():
    with pytest.raises(ConfigError, match=r'model.face: \(4, 0\) must be two whole numbers >= 1'):
        load_config('tiny', ['model.face=[4,0]', 'model.values_per_cell=24'])
    with pytest.raises(ConfigError, match='model.depth: 0 must be a whole number >= 1'):
        EmbeddingCube(embedding_dim=16, face=(4, 4), values_per_cell=1, depth=0, steps=2)
    with pytest.raises(IntegrationError, match=r'shape \(4, 0, 3\) must be three sizes >= 1'):
        Lattice3D((4, 0, 3), 8, 16)


# ------------------------------------------------------------------------------------------- full or read-only disk

class FailingDisk:
    "Checkpoint writes fail with `err` at `where` ('mkstemp': creating the file, 'fsync': flushing it) after `after`"
    def __init__(self, monkeypatch, err, where, after=None):
        self.err, self.after, self.step = err, after, 0
        owner = writer_module.tempfile if where == "mkstemp" else writer_module.os
        real = getattr(owner, where)
        def failing(*a, **k):
            if self.after is None or self.step > self.after: raise OSError(self.err, os.strerror(self.err))
            return real(*a, **k)
        monkeypatch.setattr(owner, where, failing)

    def callback(self):
        disk = self
        class Clock(Callback):
            def on_step(self, trainer, rec): disk.step = rec['step']
        return Clock()


def straight_weights(tmp_path, steps):
    cfg = fw.config(tmp_path / 'straight', steps=steps)
    tr = Trainer(fw.new_model(cfg), fw.data()[0], None, cfg, progress=False)
    tr.fit()
    return tr.model.state_dict()


def test_disk_full_mid_run_keeps_training(tmp_path, monkeypatch):
    "The disk fills after step 9: the run trains on to step 20, then says the final checkpoint failed; nothing is lost."
    reference = straight_weights(tmp_path, 20)
    cfg = fw.config(tmp_path / 'run', steps=20)
    disk = FailingDisk(monkeypatch, errno.ENOSPC, 'fsync', after=9)
    tr = Trainer(fw.new_model(cfg), fw.data()[0], None, cfg, callbacks=[disk.callback()], progress=False)
    with pytest.raises(CheckpointError, match='the final checkpoint of step 20 could not be written') as e:
        tr.fit()
    assert 'No space left on device' in e.value.cause and "trainer.save_checkpoint(dir=" in e.value.remedy
    assert [ev['step'] for ev in tr.history['events'] if ev['kind'] == 'checkpoint'] == [12, 16, 20]
    assert tr.step == 20 and same_weights(tr.model.state_dict(), reference)      # it trained on, exactly
    assert sorted(p.name for p in (tmp_path / 'run').glob('*.pt')) == ['step_000004.pt', 'step_000008.pt']
    for p in (tmp_path / 'run').glob('*.pt'): verify_checkpoint(p)
    monkeypatch.undo()
    saved = tr.save_checkpoint(dir=tmp_path / 'elsewhere')
    assert same_weights(load_checkpoint(saved, restore_rng=False)['model'], reference)


def test_read_only_folder_stops_at_the_first_checkpoint(tmp_path, monkeypatch):
    "A folder that cannot be written stops the run at once; the state saved elsewhere resumes to the same weights."
    reference = straight_weights(tmp_path, 12)
    cfg = fw.config(tmp_path / 'readonly', steps=12)
    FailingDisk(monkeypatch, errno.EROFS, 'mkstemp')
    tr = Trainer(fw.new_model(cfg), fw.data()[0], None, cfg, progress=False)
    with pytest.raises(CheckpointError, match=r'the first checkpoint of this run \(step 4\) could not be written') as e:
        tr.fit()
    assert 'Read-only file system' in e.value.cause and tr.step == 4 and tr.stop_reason.startswith('error')
    monkeypatch.undo()
    saved = step_of(tr.save_checkpoint(dir=tmp_path / 'elsewhere'))
    again = load_config(cfg, [f'checkpoint.dir={tmp_path / "elsewhere"}'])
    tr2 = Trainer(fw.new_model(again), fw.data()[0], None, again, progress=False)
    tr2.fit()
    assert (saved, tr2.step) == (4, 12) and same_weights(tr2.model.state_dict(), reference)
