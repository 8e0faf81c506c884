"""The committed robustness results (docs/results/robust and its translate subfolder) are the command's output."""
import json
from pathlib import Path
import pytest
from embedding_trainer.outputs import read_rows_jsonl
from embedding_trainer.robust import summarize_robust, robust_markdown, FRACTIONS

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / 'docs' / 'results' / 'robust', ROOT / 'docs' / 'results' / 'robust' / 'translate']


@pytest.mark.parametrize('folder', FOLDERS, ids=['bundled+synthetic', 'translate'])
def test_committed_robustness_is_the_commands_output(folder):
    rows = read_rows_jsonl(folder / 'rows.jsonl', lambda r: (r['data'], r['seed']))
    stored = json.loads((folder / 'robust.json').read_text())
    summary = json.loads(json.dumps(summarize_robust(list(rows.values()))))   # as written: tuples become lists
    assert summary == stored                                                  # the summary is the rows' summary
    assert (folder / 'robust.md').read_text() == robust_markdown(stored) + '\n'
    for name, s in stored['sets'].items():                                    # >= 3 seeds, every share, every model
        assert len(s['seeds']) >= 3 and sorted(s['params']) == sorted(
            f"{m}/{t}" for m in ('cube', 'MLP', 'low-rank') for t in ('plain', 'damage'))
        cube = [c for c in stored['curves'] if (c['data'], c['model'], c['trained'], c['kind'], c['pattern'])
                == (name, 'cube', 'plain', 'dead', 'random')]
        assert sorted(c['fraction'] for c in cube) == list(FRACTIONS)
    assert (folder / 'robust.png').read_bytes()[:4] == b'\x89PNG'
