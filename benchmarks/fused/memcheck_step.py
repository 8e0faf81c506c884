"""One fused training step of the benchmark case (32^3 x 16, T = 32, S 16, H 128, bf16, `model.kernel: triton`), for
`compute-sanitizer --tool memcheck python benchmarks/fused/memcheck_step.py` (the kernels compiled beforehand, with
TRITON_CACHE_DIR shared, keep the sanitized run short)."""
import torch
import torch.nn.functional as F
from embedding_trainer.bench import CASES
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.losses import compute_loss

case = CASES['gpu']
torch.manual_seed(0)
cube = EmbeddingCube(case.model_config(kernel='triton')).cuda()
x = F.normalize(torch.randn(case.batch, cube.config.embedding_dim, device='cuda'), dim=-1)
y = F.normalize(torch.randn(case.batch, cube.config.embedding_dim, device='cuda'), dim=-1)
with torch.autocast('cuda', dtype=torch.bfloat16): pred = cube(x)
loss = compute_loss(pred, y)
loss.backward()
torch.cuda.synchronize()
finite = all(torch.isfinite(p.grad).all().item() for p in cube.parameters() if p.grad is not None)
print(f"one fused training step, {case}: loss {loss.item():.6f}, every gradient finite: {finite}")
