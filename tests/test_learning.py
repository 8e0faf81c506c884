"""Proof that the lattice learns: tasks the identity cannot solve, solved only through the lattice."""
import time
import torch
import torch.nn.functional as F
from embedding_trainer.cube import EmbeddingCube

SMALL = dict(embedding_dim=32, face=(4, 4), values_per_cell=2, depth=3, state_dim=16, hidden_dim=32, steps=6,
             neighbourhood=6)


def unit(n, dim, gen):
    return F.normalize(torch.randn(n, dim, generator=gen), dim=-1)


def make_task(kind, seed=0, n_train=4096, n_test=512, dim=32):
    "Train/test pairs: 'rotation' y = normalize(x @ R) for a fixed random orthogonal R, or 'autoencoder' y = x."
    gen = torch.Generator().manual_seed(seed)
    x_train, x_test = unit(n_train, dim, gen), unit(n_test, dim, gen)
    if kind == 'autoencoder': return (x_train, x_train), (x_test, x_test)
    R = torch.linalg.qr(torch.randn(dim, dim, generator=gen))[0]
    return (x_train, F.normalize(x_train @ R, dim=-1)), (x_test, F.normalize(x_test @ R, dim=-1))


def train_cube(cube, train, steps, lr=1e-2, batch=64, seed=0):
    "Plain Adam on 1 - cosine; minibatches drawn from the fixed training set."
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(cube.parameters(), lr=lr)
    x, y = train
    cube.train()
    for _ in range(steps):
        idx = torch.randint(0, len(x), (batch,), generator=gen)
        loss = 1 - F.cosine_similarity(cube(x[idx]), y[idx]).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    return cube.eval()


def held_out_cosine(cube, test):
    with torch.no_grad(): return F.cosine_similarity(cube(test[0]), test[1]).mean().item()


def test_every_lattice_parameter_gets_a_gradient():
    torch.manual_seed(0)
    cube = EmbeddingCube(**SMALL, fire_rate=0.5)
    (train, _) = make_task('rotation', n_train=64, n_test=1)
    (1 - F.cosine_similarity(cube(train[0]), train[1]).mean()).backward()
    names = [n for n, _ in cube.named_parameters()]
    assert any(n.startswith('lattice.rule') for n in names) and 'lattice.pos' in names
    silent = [n for n, p in cube.named_parameters() if p.grad is None or p.grad.abs().sum().item() == 0]
    assert silent == []


def test_rotation_is_learned_through_the_lattice():
    torch.manual_seed(0)
    train, test = make_task('rotation', seed=0)
    identity = F.cosine_similarity(test[0], test[1]).mean().item()
    cube = EmbeddingCube(**SMALL)
    untrained = held_out_cosine(cube, test)
    t0 = time.perf_counter()
    trained = held_out_cosine(train_cube(cube, train, steps=400), test)
    print(f"rotation D=32: identity {identity:.3f}, untrained cube {untrained:.3f}, trained cube {trained:.3f} "
          f"({time.perf_counter() - t0:.1f} s, {cube.n_params} params)")
    assert abs(identity) < 0.15          # the identity cannot solve it
    assert trained >= identity + 0.5     # the trained lattice does
    assert trained >= untrained + 0.5    # and it is the training that did it


def test_autoencoder_reaches_095():
    torch.manual_seed(0)
    train, test = make_task('autoencoder', seed=1)
    cube = EmbeddingCube(**SMALL)
    trained = held_out_cosine(train_cube(cube, train, steps=400), test)
    print(f"autoencoder D=32: trained cube held-out cosine {trained:.4f}")
    assert trained >= 0.95
