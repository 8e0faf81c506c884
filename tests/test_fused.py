"""The fused Triton lattice step against `reference_step` and the eager step: forward and gradients.

Skipped without CUDA. `FUSED_TEST_DEVICE=cpu TRITON_INTERPRET=1 pytest tests/test_fused.py` runs the small
cases through Triton's interpreter on the CPU (slow; the 32^3 case is left out there; Triton 3.6's interpreter needs
numpy < 2.4 — with 2.4 every kernel fails on its first loop, see nbs/errors_log.md).

Tolerances (relative: ||fused - ref|| / ||ref||, per tensor):
- fp32: <= 1e-5 for the step's update, the final state and every gradient (state, clamp, each parameter).
- bf16 (CUDA autocast): both the fused kernel and torch's autocast step are compared with a float64 run;
  the fused error must be <= 3 x torch's own bf16 error + 1e-3, and <= 0.1 outright. (Both paths' bias and
  position gradients land near 3e-2 here: bf16 products summed over many cells and steps. The kernel
  accumulates each layer once in fp32 where torch rounds after every op, so it is mostly closer to float64.)
"""
import copy, os
import pytest
import torch

from embedding_trainer.lattice import Lattice3D, reference_step, update_cells

DEVICE = os.environ.get('FUSED_TEST_DEVICE', 'cuda')
INTERPRET = os.environ.get('TRITON_INTERPRET') == '1'
if DEVICE == 'cuda' and not torch.cuda.is_available():
    pytest.skip("needs a CUDA GPU", allow_module_level=True)
pytest.importorskip('triton')

from embedding_trainer.fused import fused_lattice_steps  # noqa: E402


@pytest.fixture(autouse=True)
def _no_tf32():
    old = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old


def rel(a, b):
    return ((a.double() - b.double()).norm() / b.double().norm().clamp_min(1e-30)).item()


def make(shape, B, S, H, nb, boundary, position='learned', pos_dim=4, seed=0, device=DEVICE):
    torch.manual_seed(seed)
    lat = Lattice3D(shape, S, H, nb, boundary, position=position, pos_dim=pos_dim, update_init=1.0,
                    perception='gather').to(device)
    with torch.no_grad():   # non-zero biases, so that their gradients and the bias column are exercised
        lat.rule.update.bias.normal_(0, 0.1)
        lat.rule.hidden.bias.normal_(0, 0.1)
    state = torch.randn(B, *shape, S, device=device)
    return lat, state


def eager_run(lat, state, clamp, T, masks):
    "What `Lattice3D._steps_on_path` computes: the clamp written onto z = 0, then one step, T times."
    ph = lat.pos_hidden()
    for t in range(T):
        if clamp is not None: state = torch.cat([clamp.unsqueeze(3).to(state.dtype), state[:, :, :, 1:]], dim=3)
        state = update_cells(lat, state, ph, None if masks is None else masks[t])
    return state


def run_and_grads(fn, lat, state, clamp, seed=5):
    "Output and gradients (state, clamp, every parameter) of fn(lat, state, clamp) under a fixed random loss."
    lat.zero_grad(set_to_none=True)
    s = state.detach().clone().requires_grad_()
    c = None if clamp is None else clamp.detach().clone().requires_grad_()
    out = fn(lat, s, c)
    w = torch.randn(out.shape, generator=torch.Generator(device='cpu').manual_seed(seed)).to(out.device, out.dtype)
    (out.float() * w).sum().backward()
    names = ['out', 'state'] + (['clamp'] if c is not None else []) + [n for n, p in lat.named_parameters()]
    vals = [out.detach(), s.grad] + ([c.grad] if c is not None else []) + [p.grad for _, p in lat.named_parameters()]
    return dict(zip(names, vals))


# ------------------------------------------------------------------ one step against the per-cell reference
@pytest.mark.parametrize('nb', [6, 26])
@pytest.mark.parametrize('boundary', ['zero', 'periodic'])
def test_step_vs_reference(nb, boundary):
    lat, st = make((5, 4, 3), 3, 8, 16, nb, boundary)
    mask = (torch.rand(3, 5, 4, 3, 1, device=DEVICE) < 0.5).float()
    with torch.no_grad():
        ref = reference_step(lat, st, mask)
        out = fused_lattice_steps(lat, st, None, 1, [mask], bf16=False)
    err = rel(out - st, ref - st)
    print(f"step nb={nb} {boundary}: rel err of the update {err:.2e}")
    assert err <= 1e-5


# ------------------------------------------------------------------ whole runs (clamp, masks) against the eager steps
RUNS = [  # shape, B, S, H, nb, boundary, position, T, clamp, masks
    ((6, 5, 4), 2, 3, 20, 6, 'periodic', 'learned', 4, True, True),
    ((7, 9, 5), 1, 5, 33, 26, 'periodic', 'coords', 3, True, False),
    ((10, 6, 13), 3, 16, 128, 26, 'zero', 'none', 2, False, True),
    ((2, 1, 3), 2, 4, 16, 26, 'periodic', 'learned', 3, True, True),
    ((9, 11, 7), 2, 16, 64, 6, 'zero', 'learned', 3, True, True),
    ((32, 32, 32), 2, 16, 128, 6, 'zero', 'learned', 3, True, True),
    ((32, 32, 32), 1, 16, 128, 26, 'periodic', 'learned', 2, True, True),
]
IDS = [f"{'x'.join(map(str, r[0]))}xB{r[1]}-S{r[2]}H{r[3]}-n{r[4]}-{r[5]}-{r[6]}" for r in RUNS]


def _inputs(r, device=DEVICE):
    shape, B, S, H, nb, boundary, position, T, has_clamp, has_masks = r
    lat, st = make(shape, B, S, H, nb, boundary, position)
    clamp = torch.randn(B, shape[0], shape[1], S, device=device) if has_clamp else None
    masks = [(torch.rand(B, *shape, 1, device=device) < 0.7).float() for _ in range(T)] if has_masks else None
    return lat, st, clamp, masks, T


DX_WAYS = {'products': '0', 'dP': '1'}   # FUSED_W1_DP: dx from dh by products, or gathered from dP (dW1's kernel)


@pytest.mark.parametrize('dx', DX_WAYS)
@pytest.mark.parametrize('r', RUNS, ids=IDS)
def test_run_fp32(r, dx, monkeypatch):
    if INTERPRET and r[0][0] * r[0][1] * r[0][2] * r[1] > 2500: pytest.skip("too large for the interpreter")
    monkeypatch.setenv('FUSED_W1_DP', DX_WAYS[dx])
    lat, st, clamp, masks, T = _inputs(r)
    ref = run_and_grads(lambda l, s, c: eager_run(l, s, c, T, masks), lat, st, clamp)
    got = run_and_grads(lambda l, s, c: fused_lattice_steps(l, s, c, T, masks, bf16=False), lat, st, clamp)
    errs = {k: rel(got[k], ref[k]) for k in ref}
    errs['update'] = rel(got['out'] - st, ref['out'] - st)
    print("fp32", IDS[RUNS.index(r)], ' '.join(f"{k}={v:.1e}" for k, v in errs.items()))
    assert all(v <= 1e-5 for v in errs.values()), errs


BF16_RUNS = [RUNS[5], RUNS[6], RUNS[1], RUNS[4]]


@pytest.mark.skipif(INTERPRET, reason="bf16 tensor cores: CUDA only")
@pytest.mark.parametrize('dx', DX_WAYS)
@pytest.mark.parametrize('r', BF16_RUNS, ids=[IDS[RUNS.index(r)] for r in BF16_RUNS])
def test_run_bf16(r, dx, monkeypatch):
    monkeypatch.setenv('FUSED_W1_DP', DX_WAYS[dx])
    lat, st, clamp, masks, T = _inputs(r)
    lat64 = copy.deepcopy(lat).double()
    ref = run_and_grads(lambda l, s, c: eager_run(l, s, c, T, None if masks is None else [m.double() for m in masks]),
                        lat64, st.double(), None if clamp is None else clamp.double())

    def torch_bf16(l, s, c):
        with torch.autocast('cuda', dtype=torch.bfloat16): return eager_run(l, s, c, T, masks)

    def fused_bf16(l, s, c):
        with torch.autocast('cuda', dtype=torch.bfloat16): return fused_lattice_steps(l, s, c, T, masks)

    tb, fu = run_and_grads(torch_bf16, lat, st, clamp), run_and_grads(fused_bf16, lat, st, clamp)
    assert fu['out'].dtype == torch.float32
    line = []
    for k in ref:
        e_t, e_f = rel(tb[k], ref[k]), rel(fu[k], ref[k])
        if k == 'out': e_t, e_f = rel(tb[k] - st, ref[k] - st.double()), rel(fu[k] - st, ref[k] - st.double())
        line.append(f"{k}: torch {e_t:.1e} fused {e_f:.1e}")
        assert e_f <= min(3 * e_t + 1e-3, 0.1), (k, e_f, e_t)
    print("bf16", IDS[RUNS.index(r)], '; '.join(line))


def bf16_grads_under(monkeypatch, var, values, lat, st, clamp, masks, T):
    "{value: output and gradients of the fused bf16 run} with the environment switch `var` set to each value in turn."
    def fused(l, s, c):
        with torch.autocast('cuda', dtype=torch.bfloat16): return fused_lattice_steps(l, s, c, T, masks)

    got = {}
    for v in values:
        monkeypatch.setenv(var, v)
        got[v] = run_and_grads(fused, lat, st, clamp)
    return got


@pytest.mark.skipif(INTERPRET, reason="bf16 tensor cores: CUDA only (the interpreter truncates fp32 to bf16)")
@pytest.mark.parametrize('r', [RUNS[4], RUNS[1]], ids=[IDS[4], IDS[1]])
def test_bf16_shadow_is_exact(r, monkeypatch):
    """bf16: gathering from the states' bf16 copies (FUSED_SHADOW, the default) gives the same output and gradients,
    bit for bit, as gathering from the fp32 states: the products round the same values the same way."""
    got = bf16_grads_under(monkeypatch, 'FUSED_SHADOW', '01', *_inputs(r))
    differ = [k for k in got['0'] if not torch.equal(got['0'][k], got['1'][k])]
    assert not differ, {k: rel(got['1'][k], got['0'][k]) for k in differ}


def index_id(r): return f"{'x'.join(map(str, r[0]))}xB{r[1]}-S{r[2]}-n{r[4]}-{r[5]}"


INDEX_RUNS = [RUNS[4], RUNS[0], ((5, 7, 3), 5, 16, 33, 26, 'zero', 'none', 2, False, False)] + \
    ([] if INTERPRET else [RUNS[5], RUNS[6]])


@pytest.mark.parametrize('bf16', [True, False], ids=['bf16', 'fp32'])
@pytest.mark.parametrize('r', INDEX_RUNS, ids=index_id)
def test_index_arithmetic_is_exact(r, bf16, monkeypatch):
    """The lattice's sizes compiled in as constants (FUSED_DIMS, the default) against sizes passed at run time: the
    output and every gradient bit for bit (it changes how indices are computed, not what is read)."""
    from embedding_trainer.fused import FusedConfig
    lat, st, clamp, masks, T = _inputs(r)
    got = {}
    for v in '01':
        monkeypatch.setenv('FUSED_DIMS', v)
        assert (FusedConfig(lat, st, bf16).dims != (0, 0, 0)) == (v == '1')
        got[v] = run_and_grads(lambda l, s, c: fused_lattice_steps(l, s, c, T, masks, bf16=bf16), lat, st, clamp)
    differ = [k for k in got['0'] if not torch.equal(got['1'][k], got['0'][k])]
    assert len(got['0']) >= 6 and not differ, {k: rel(got['1'][k], got['0'][k]) for k in differ}


@pytest.mark.parametrize('bf16', [True, False], ids=['bf16', 'fp32'])
@pytest.mark.parametrize('r', INDEX_RUNS[:2], ids=index_id)
def test_one_program_per_tile_is_exact(r, bf16, monkeypatch):
    """The forward's and dx's kernels, whose tiles share no sums, launched with a program per tile (per_sm 0: dx's
    default beside dW1 on CUDA) against one persistent program per multiprocessor walking the tiles: the output and
    every gradient bit for bit."""
    from embedding_trainer.fused import FusedConfig, _num_sms
    lat, st, clamp, masks, T = _inputs(r)
    got = {}
    for v in '10':
        for k in ('FWD', 'DX'): monkeypatch.setenv(f'FUSED_PER_SM_{k}', v)
        L = FusedConfig(lat, st, bf16).launch
        for k in ('fwd', 'dx'):
            assert L[k]['grid'] == (L[k]['n_tiles'] if v == '0' else min(L[k]['n_tiles'], _num_sms(st.device)))
        got[v] = run_and_grads(lambda l, s, c: fused_lattice_steps(l, s, c, T, masks, bf16=bf16), lat, st, clamp)
    differ = [k for k in got['0'] if not torch.equal(got['1'][k], got['0'][k])]
    assert len(got['0']) >= 6 and not differ, {k: rel(got['1'][k], got['0'][k]) for k in differ}


@pytest.mark.skipif(INTERPRET, reason="CUDA only")
def test_deterministic_state_and_all_cells_written():
    "Two runs give the same state bit for bit, and every element is finite."
    lat, st, clamp, masks, T = _inputs(RUNS[4])
    with torch.no_grad():
        a = fused_lattice_steps(lat, st, clamp, T, masks, bf16=False)
        b = fused_lattice_steps(lat, st, clamp, T, masks, bf16=False)
    assert torch.isfinite(a).all() and torch.equal(a, b)


def test_the_lattice_uses_the_kernel_and_trains_as_the_torch_step_does():
    "`kernel='triton'` on a GPU: the fused path; one bf16 training step close to `kernel='torch'`."
    torch.manual_seed(0)
    auto = Lattice3D((9, 7, 5), 16, 64, update_init=1.0, kernel='triton').to(DEVICE)
    ref = copy.deepcopy(auto); ref.kernel = 'torch'
    st, clamp = torch.randn(2, 9, 7, 5, 16, device=DEVICE), torch.randn(2, 9, 7, 16, device=DEVICE)
    assert auto.use_fused(st) and not ref.use_fused(st)
    outs = []
    for lat in (auto, ref):
        with torch.autocast('cuda', dtype=torch.bfloat16):
            out = lat(st, clamp, steps=6)
        out.pow(2).mean().backward()
        outs.append((out.detach(), [p.grad for p in lat.parameters()]))
    (a, ga), (b, gb) = outs
    assert rel(a, b) < 2e-2 and all(rel(x, y) < 5e-2 for x, y in zip(ga, gb))


# ------------------------------------------------------------------ the `scale` preset's shape: S 32, H 128, batch 8192
@pytest.mark.skipif(INTERPRET, reason="CUDA only (too large for the interpreter)")
@pytest.mark.parametrize('precision', ['fp32', 'bf16'])
def test_scale_shape_gradients(precision):
    """8x8x4 x 8192, S = 32 (two K chunks), H = 128, T = 6, clamp, learned positions: the fused and the torch step
    against a float64 run. fp32: fused error <= max(1e-5, 2 x torch's); bf16: <= 3 x torch's + 1e-3 and <= 0.1."""
    r = ((8, 8, 4), 8192, 32, 128, 6, 'zero', 'learned', 6, True, False)
    lat, st, clamp, masks, T = _inputs(r)
    ref = run_and_grads(lambda l, s, c: eager_run(l, s, c, T, None), copy.deepcopy(lat).double(), st.double(),
                        clamp.double())
    ac = torch.autocast('cuda', dtype=torch.bfloat16, enabled=precision == 'bf16')

    def torch_run(l, s, c):
        with ac: return eager_run(l, s, c, T, None)

    def fused_run(l, s, c):
        with ac: return fused_lattice_steps(l, s, c, T, None, bf16=precision == 'bf16')

    tb, fu = run_and_grads(torch_run, lat, st, clamp), run_and_grads(fused_run, lat, st, clamp)
    line = []
    for k in ref:
        a, b, want = tb[k], fu[k], ref[k]
        if k == 'out': a, b, want = a - st, b - st, want - st.double()
        e_t, e_f = rel(a, want), rel(b, want)
        line.append(f"{k}: torch {e_t:.1e} fused {e_f:.1e}")
        limit = max(1e-5, 2 * e_t) if precision == 'fp32' else min(3 * e_t + 1e-3, 0.1)
        assert e_f <= limit, (k, e_f, e_t)
    print(precision, "8x8x4 x 8192 S32 H128:", '; '.join(line))


def _fit_scale(kernel, seed=0):
    "The `scale` preset trained 300 steps on this GPU with `model.kernel` = kernel: (trainer, samples/s)."
    import statistics, tempfile
    from embedding_trainer.config import load_config
    from embedding_trainer.prepare import prepare_data
    from embedding_trainer.trainer import train_model
    cfg = load_config('scale', overrides=[f'checkpoint.dir={tempfile.mkdtemp()}', 'checkpoint.keep_best=false',
                                          f'model.kernel={kernel}', f'train.seed={seed}'])
    train, val, _ = prepare_data(cfg, progress=False)
    _, trainer = train_model(cfg, train, val, progress=False)
    rates = [r['samples_per_s'] for r in trainer.history['train'] if r['step'] > 20 and 'samples_per_s' in r]
    return trainer, statistics.median(rates)


@pytest.mark.skipif(INTERPRET or DEVICE != 'cuda', reason="trains the scale preset on a GPU")
def test_scale_trains_like_torch():
    "300 steps of `scale` (bf16, same seed) with each kernel: validation cosine within 0.02, no more rollbacks."
    out = {}
    for kernel in ('torch', 'triton'):
        trainer, rate = _fit_scale(kernel)
        rollbacks = [e['step'] for e in trainer.history.get('events', []) if e['kind'] == 'rollback']
        out[kernel] = (trainer.history['eval'][-1]['val_cosine'], rollbacks, rate)
        print(f"scale, model.kernel {kernel}: final val cosine {out[kernel][0]:.4f}, rollbacks at steps {rollbacks}, "
              f"{rate:.0f} samples/s")
    assert abs(out['triton'][0] - out['torch'][0]) <= 0.02, out
    assert len(out['triton'][1]) <= len(out['torch'][1]), out


@pytest.mark.skipif(INTERPRET, reason="bf16 tensor cores: CUDA only")
def test_hidden_bias_gradient_ways(monkeypatch):
    """bf16 at the `scale` preset's shape (8x8x4 x 8192, S 32, H 128, T 6): the ways FUSED_B1_FP32 names of summing
    the hidden bias's gradient. 1 (fp32 dh in registers), 2 (fp32 dh per tile, atomics), 3 (bf16 dh plus its
    rounding error) and 4 (fp32 dh's sum by linearity) agree within 1e-5 (measured on an H200: 4.7e-7 and 1.1e-6 for
    2 and 3; 0, the sum of bf16-rounded dh, is 8.1e-4 away: the others are not it); every other gradient is bitwise
    the same under each (dh itself does not change); two runs of the default give bitwise equal gradients."""
    r = ((8, 8, 4), 8192, 32, 128, 6, 'zero', 'learned', 6, True, False)
    got = bf16_grads_under(monkeypatch, 'FUSED_B1_FP32', '01234', *_inputs(r))
    monkeypatch.delenv('FUSED_B1_FP32')
    again = [bf16_grads_under(monkeypatch, 'FUSED_SHADOW', '1', *_inputs(r))['1'] for _ in range(2)]
    b1 = 'rule.hidden.bias'
    print("hidden bias gradient, relative to way 1:", ', '.join(f"way {w} {rel(got[w][b1], got['1'][b1]):.1e}"
                                                                 for w in '0234'))
    for way in '0234':
        assert all(torch.equal(got[way][k], got['1'][k]) for k in got['1'] if k != b1), way
    near = [rel(got[w][b1], got['1'][b1]) for w in '234']
    assert max(near) <= 1e-5 and rel(got['0'][b1], got['1'][b1]) > 10 * max(near)
    assert all(torch.equal(again[0][k], again[1][k]) for k in again[0])


# ------------------------------------------------------------------ CUDA graphs over the T-step loops (training)
@pytest.mark.skipif(INTERPRET, reason="CUDA graphs: CUDA only")
@pytest.mark.parametrize('bf16', [True, False], ids=['bf16', 'fp32'])
def test_cuda_graphs_are_bit_for_bit(bf16, monkeypatch):
    """The T-step loops replayed from CUDA graphs give the step-by-step launches' output and every gradient bit for
    bit: on the call that captures them, on a replay, and after the parameters change in place (as the optimizer
    changes them); so does dW1's kernel on a second stream (FUSED_W1_SIDE), launched and graphed."""
    from embedding_trainer import fused
    lat, st, clamp, masks, T = _inputs(RUNS[4] if bf16 else RUNS[0])

    def run(graphs):
        monkeypatch.setenv('FUSED_GRAPHS', graphs)
        with torch.autocast('cuda', dtype=torch.bfloat16, enabled=bf16):
            return run_and_grads(lambda l, s, c: fused_lattice_steps(l, s, c, T, masks, bf16=bf16), lat, st, clamp)

    monkeypatch.setenv('FUSED_W1_SIDE', '0')
    runs = [run(g) for g in '011']
    with torch.no_grad():
        for p in lat.parameters(): p.mul_(1.1)
    runs += [run(g) for g in '01']
    monkeypatch.setenv('FUSED_W1_SIDE', '1')   # dW1's kernel on a second stream, launched and graphed
    runs += [run(g) for g in '011']
    entries = [e for e in fused._GRAPHS.values() if e.model() is lat.rule.hidden.weight]
    assert len(entries) == 2 and all(e.fwd is not None and e.bwd and e.failed is None for e in entries)
    for want, got in [(runs[0], runs[1]), (runs[0], runs[2]), (runs[3], runs[4])] + [(runs[3], r) for r in runs[5:]]:
        assert all(torch.equal(want[k], got[k]) for k in want), [k for k in want if not torch.equal(want[k], got[k])]
    assert not torch.equal(runs[0]['out'], runs[3]['out'])   # (the update was seen)


@pytest.mark.skipif(INTERPRET, reason="CUDA graphs: CUDA only")
def test_cuda_graphs_lend_the_saved_states(monkeypatch):
    """Two forwards before their backward: the second runs step by step (the graph's buffers are lent to the first's
    backward) and the gradients are the step-by-step launches' bit for bit; a second backward through a kept graph,
    after another forward replayed into its buffers, stops with an error instead of using the later states."""
    from embedding_trainer.errors import TrainingError
    lat, st, clamp, masks, T = _inputs(RUNS[4])

    def two(graphs):
        monkeypatch.setenv('FUSED_GRAPHS', graphs)
        lat.zero_grad(set_to_none=True)
        a = fused_lattice_steps(lat, st, clamp, T, masks, bf16=False)
        b = fused_lattice_steps(lat, st * 0.5, clamp, T, masks, bf16=False)
        (a.square().mean() + b.mean()).backward()
        return [p.grad.clone() for p in lat.parameters()]

    want, _, got = two('0'), two('1'), two('1')
    assert all(torch.equal(x, y) for x, y in zip(want, got))
    a = fused_lattice_steps(lat, st, clamp, T, masks, bf16=False)
    a.sum().backward(retain_graph=True)
    fused_lattice_steps(lat, st * 0.5, clamp, T, masks, bf16=False).sum().backward()
    with pytest.raises(TrainingError, match='overwritten'):
        a.sum().backward()
