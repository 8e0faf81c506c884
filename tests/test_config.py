"""Configuration: presets, all problems in one error with line numbers, overrides, and fuzzing (only ConfigError)."""
import dataclasses, os, subprocess, sys
from pathlib import Path
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from embedding_trainer.config import (MODEL_TYPES, RULES, SECTIONS, dump_config, list_presets, load_config)
from embedding_trainer.cube import MODEL_RENAMED
from embedding_trainer.errors import ConfigError
from embedding_trainer.settings import RenamedSettingWarning

REPO = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = [(s, f.name) for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)]


def rule_for(section, key): return MODEL_TYPES[key] if section == 'model' else RULES[section][key]


@pytest.mark.parametrize('name', ['dialogue', 'autoencoder', 'tiny', 'translate'])
def test_presets_load_and_round_trip(name):
    assert name in list_presets()
    by_name, by_path = load_config(name), load_config(REPO / 'configs' / f'{name}.yaml')
    assert by_name == by_path
    assert load_config(dump_config(by_name)) == by_name


def test_dialogue_preset_settings():
    c = load_config('dialogue')
    assert (c.model.face, c.model.depth, c.model.state_dim, c.model.hidden_dim, c.model.steps) == \
        ((8, 8), 4, 16, 32, 6)
    assert (c.model.position, c.model.residual, c.train.loss, c.train.batch_size, c.train.lr) == \
        ('learned', True, 'infonce', 64, 3e-3)
    assert c.checkpoint.dir == 'runs/dialogue' and load_config('autoencoder').data.kind == 'autoencoder'
    t = load_config('tiny')
    assert (t.model.face, t.model.values_per_cell, t.model.depth, t.train.max_steps, t.train.eval_every,
            t.checkpoint.dir) == ((4, 4), 24, 3, 10, 5, 'runs/tiny')


def test_loads_from_the_shell_at_repo_root():
    code = "from embedding_trainer.config import load_config; print(load_config('configs/dialogue.yaml').model.face)"
    r = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == '(8, 8)'


THREE_MISTAKES = """\
model:
  face: [8, 8]
  stepz: 8
train:
  lr: -0.001
  epochs: 10
checkpoint:
  keep_last: 0
"""


def test_three_mistakes_one_error_three_lines(tmp_path):
    p = tmp_path / 'run.yaml'
    p.write_text(THREE_MISTAKES)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    err = e.value
    assert len(err.problems) == 3 == len(err.details['problems'])
    assert [(q.key, q.where) for q in err.problems] == [
        ('model.stepz', 'line 3'), ('train.lr', 'line 5'), ('checkpoint.keep_last', 'line 8')]
    text = str(err)
    for needle in ("did you mean 'steps'?", '-0.001', 'a number > 0', 'a whole number >= 1', str(p)):
        assert needle in text


def test_broken_yaml_reports_line_and_column():
    with pytest.raises(ConfigError, match=r"flow sequence that starts at line 3, column 11") as e:
        load_config("train:\n  lr: 0.1\n  epochs: [3\n")
    assert e.value.details['line'] is not None


def test_overrides():
    c = load_config('tiny', ['train.lr=3e-4', 'model.face=[4,4]', 'model.values_per_cell=24', 'checkpoint.resume=auto',
                             'data.path=null'])
    assert (c.train.lr, c.model.face, c.checkpoint.resume, c.data.path) == (3e-4, (4, 4), 'auto', None)
    with pytest.raises(ConfigError, match="did you mean 'lr'"): load_config('tiny', ['train.lrr=1'])
    with pytest.raises(ConfigError, match='section.key=value'): load_config('tiny', ['train.lr'])
    with pytest.raises(ConfigError) as e: load_config('tiny', ['train.lr=-1', 'train.epochs=0'])
    assert sorted(q.where for q in e.value.problems) == ["override 'train.epochs=0'", "override 'train.lr=-1'"]


def test_non_mapping_inputs():
    for src in ['- a\n- b\n', '42\n', {'train': 5}, {'train': [1]}]:
        with pytest.raises(ConfigError, match='mapping'): load_config(src)


def test_light_cone_comes_from_model_config():
    with pytest.raises(ConfigError, match='light cone') as e: load_config({'model': {'depth': 8, 'steps': 3}})
    assert [q.key for q in e.value.problems] == ['model.steps']


def test_ints_for_floats_but_not_bools_for_ints():
    assert load_config({'train': {'lr': 1}}).train.lr == 1.0
    with pytest.raises(ConfigError, match='train.epochs: True'): load_config({'train': {'epochs': True}})


def test_old_key_names_load_with_a_one_line_warning(tmp_path):
    old = tmp_path / 'old.yaml'
    old.write_text('model:\n  face: [4, 4, 24]\n  depth: 3\n  checkpoint_every: 2\n  steps: 1\n')
    with pytest.warns(RenamedSettingWarning) as seen:
        with pytest.raises(ConfigError) as e: load_config(old)
    assert [(q.key, q.where) for q in e.value.problems] == [('model.steps', 'line 5')]   # the light cone, still
    with pytest.warns(RenamedSettingWarning) as seen:
        cfg = load_config(old, ['model.steps=2'])
    assert (cfg.model.face, cfg.model.values_per_cell, cfg.model.recompute_every) == ((4, 4), 24, 2)
    assert [str(w.message) for w in seen] == [
        "model.checkpoint_every = 2 is an old setting, read as model.recompute_every = 2: the name said save, the "
        "setting recomputes steps in backward (checkpoint.every_n_steps saves)",
        "model.face = [4, 4, 24] is an old setting, read as model.face = [4, 4], model.values_per_cell = 24: "
        "model.face is the face's X, Y cells and model.values_per_cell its K"]
    assert load_config(dump_config(cfg)) == cfg                      # written back with today's names
    with pytest.warns(RenamedSettingWarning):
        assert load_config('tiny', ['model.checkpoint_every=3']).model.recompute_every == 3
        with pytest.raises(ConfigError) as e:
            load_config('tiny', ['model.checkpoint_every=3', 'model.recompute_every=1'])
    assert [q.key for q in e.value.problems] == ['model.recompute_every'] and 'given twice' in str(e.value)
    with pytest.warns(RenamedSettingWarning):   # an old-form override replaces what a preset says the new way
        cfg = load_config('dialogue', ['model.face=[4, 4, 24]', 'model.checkpoint_every=2'])
        with pytest.raises(ConfigError, match='given twice'):   # two overrides: both ways, in either order
            load_config('dialogue', ['model.values_per_cell=24', 'model.face=[4, 4, 24]'])
    assert (cfg.model.face, cfg.model.values_per_cell, cfg.model.recompute_every) == ((4, 4), 24, 2)


def test_the_settings_reference_is_read_from_the_fields():
    from embedding_trainer.config import settings_reference
    assert (REPO / 'docs' / 'settings.md').read_text() == f"# Settings\n\n{settings_reference()}\n"
    assert '| `model.values_per_cell` | `6` | a whole number >= 1, at most 4096 |' in settings_reference()


# ---- fuzzing: whatever goes in, the only exception is ConfigError --------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=12), st.sampled_from(['auto', 'cpu', 'cuda:1', 'adamw', 'cosine', '3e-4', '']))
values = st.recursive(scalars,
                      lambda inner: (st.lists(inner, max_size=4)
                                     | st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                      max_leaves=8)


def only_config_errors(fn):
    try: return fn()
    except ConfigError as e: return e


@FUZZ
@given(st.sampled_from(FIELDS), values)
def test_fuzz_field_values(field, value):
    section, key = field
    if section == 'model' and any(d.old == key and d.upgrade(value) is not None for d in MODEL_RENAMED): return
    out = only_config_errors(lambda: load_config({section: {key: value}}))   # (an old form is read, not refused)
    if not rule_for(section, key).ok(value):   # a value its own field rejects is reported under its key
        assert isinstance(out, ConfigError) and f'{section}.{key}' in str(out)


@FUZZ
@given(st.sampled_from(list(SECTIONS)), st.text(min_size=1, max_size=15), scalars)
def test_fuzz_unknown_keys(section, key, value):
    if key in {f.name for f in dataclasses.fields(SECTIONS[section])}: return
    out = only_config_errors(lambda: load_config({section: {key: value}}))
    assert isinstance(out, ConfigError) and f'{section}.{key}' in str(out)


@FUZZ
@given(st.sampled_from(FIELDS), st.sampled_from([-1, -0.5, 0, -10**30, float('nan'), float('-inf'), 10**400]))
def test_fuzz_out_of_range_numbers(field, value):
    section, key = field
    out = only_config_errors(lambda: load_config({section: {key: value}}))
    # the model's ranges live in ModelConfig.problems(): every model field rejects a negative number or NaN
    must_fail = (value != value or value < 0) if section == 'model' else not rule_for(section, key).ok(value)
    if must_fail: assert isinstance(out, ConfigError) and any(q.key == f'{section}.{key}' for q in out.problems)


PRESET_TEXT = (REPO / 'configs' / 'dialogue.yaml').read_text()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(PRESET_TEXT)), st.integers(0, 3),
                          st.text(alphabet=' :-[]{}\n\t#&*!|>\'"%@`,?0123456789abcxyz', max_size=4)), max_size=4))
def test_fuzz_broken_yaml(edits):
    text = PRESET_TEXT
    for pos, cut, ins in edits: text = text[:pos] + ins + text[pos + cut:]
    only_config_errors(lambda: load_config(text))


@FUZZ
@given(st.text(max_size=80))
def test_fuzz_any_string(text):
    only_config_errors(lambda: load_config(text))


@FUZZ
@given(st.dictionaries(st.one_of(st.sampled_from(list(SECTIONS)), st.text(max_size=8), st.integers()),
                       st.one_of(values, st.dictionaries(st.sampled_from([k for _, k in FIELDS]) | st.text(max_size=6),
                                                         values, max_size=5)), max_size=5))
def test_fuzz_nested_dicts(raw):
    only_config_errors(lambda: load_config(raw))


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=20),
                          st.builds(lambda f, v: f'{f[0]}.{f[1]}={v}', st.sampled_from(FIELDS), st.text(max_size=10))),
                max_size=4))
def test_fuzz_overrides(overrides):
    only_config_errors(lambda: load_config('tiny', overrides))


def test_every_format_the_data_module_reads_is_a_valid_data_format():
    from embedding_trainer.data import FORMATS
    from embedding_trainer.config import load_config
    for fmt in ('auto',) + FORMATS:
        langs = ['data.source_lang=en', 'data.target_lang=de'] if fmt == 'parallel' else []   # its two files
        assert load_config(None, overrides=[f'data.format={fmt}', *langs]).data.format == fmt
