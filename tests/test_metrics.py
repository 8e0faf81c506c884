"""Retrieval metrics on hand-made ranks, shape errors, and the baseline table on a rotation task."""
import json
import pytest
import torch
import torch.nn.functional as F
from embedding_trainer.errors import DataError, IntegrationError
from embedding_trainer.metrics import (recall_at_k, mrr, retrieval_metrics,
                                       baseline_table, format_table)

# Hand-made ranks, ties, duplicate answers and blocked ranking are tested where they are explained, in
# nbs/11_metrics.ipynb; this file keeps the error paths and the baseline table on a task.
T4 = torch.eye(4)
P4 = torch.tensor([[1.0, 0.5, 0.0, 0.0], [0.0, 0.5, 1.0, 0.0], [0.9, 0.8, 0.1, 0.0], [0.3, 0.2, 0.1, 0.0]])


def test_shape_and_value_errors():
    with pytest.raises(IntegrationError) as e:
        retrieval_metrics(torch.zeros(4, 384), torch.zeros(4, 768))
    assert '(4, 384)' in str(e.value) and '(4, 768)' in str(e.value)
    with pytest.raises(IntegrationError, match=r'\(3, 4\)'):
        recall_at_k(P4[:3], T4, 1)
    with pytest.raises(DataError, match='non-finite'):
        mrr(torch.full((4, 4), float('nan')), T4)


def rotation_task(dim=32, n_train=400, n_val=100, n_test=63, noise=0.1, seed=0):
    g = torch.Generator().manual_seed(seed)
    R = torch.linalg.qr(torch.randn(dim, dim, generator=g))[0]
    def split(n):
        x = F.normalize(torch.randn(n, dim, generator=g), dim=-1)
        return x, F.normalize(x @ R + noise * torch.randn(n, dim, generator=g), dim=-1)
    return split(n_train), split(n_val), split(n_test)


def test_baseline_table_rotation():
    (xt, yt), (xv, yv), (xe, ye) = rotation_task()
    model_pred = ye + 0.01 * torch.randn(ye.shape, generator=torch.Generator().manual_seed(1))
    rows = baseline_table(xt, yt, xe, ye, x_val=xv, y_val=yv, model_pred=model_pred, model_name='cube', n_params=3000)
    by = {r['name']: r for r in rows}
    assert [r['name'] for r in rows] == ['cube', 'identity', 'mean answer', 'ridge', 'nearest neighbour']
    assert by['cube']['recall@1'] == 1.0 and by['cube']['params'] == 3000
    assert by['ridge']['recall@1'] == 1.0 and by['ridge']['params'] == 32 * 32 + 32
    assert by['identity']['recall@1'] < 0.1 and by['mean answer']['recall@1'] <= 3 / 63
    assert all(r['n'] == 63 for r in rows)
    assert json.loads(json.dumps(rows)) == rows
    text = format_table(rows)
    assert 'test split, N=63 pairs' in text and text.splitlines()[3].startswith('cube')
    assert max(len(line) for line in text.splitlines()) <= 100
