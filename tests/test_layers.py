"""The package's layers: no import circle, no import hidden in a function, no module reaching for another's private
names, at most 11 floors, notebooks numbered in dependency order."""
import ast, json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / 'embedding_trainer'


def _package_imports(path: Path) -> tuple[set, list]:
    "The package modules `path` imports at module level, and `(line, module)` of every import inside a function."
    tree = ast.parse(path.read_text())
    top, hidden = set(), []

    def targets(node):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1: return [node.module or '']
            if (node.module or '').startswith('embedding_trainer.'): return [node.module.split('.', 1)[1]]
            if node.module == 'embedding_trainer': return [a.name for a in node.names]
        if isinstance(node, ast.Import):
            return [a.name.split('.', 1)[1] for a in node.names if a.name.startswith('embedding_trainer.')]
        return []

    for node in tree.body:
        for t in targets(node): top.add(t.split('.')[0])
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                for t in targets(node): hidden.append((node.lineno, t))
    return top - {''}, hidden


def _graph(hidden_too:bool=False) -> dict:
    "module -> the package modules it imports (with `hidden_too`, also those imported inside functions)."
    out = {}
    for p in PKG.glob('*.py'):
        if p.stem.startswith('_'): continue
        top, hidden = _package_imports(p)
        out[p.stem] = top | ({m.split('.')[0] for _, m in hidden} if hidden_too else set())
    return out


def test_no_import_circle():
    graph, seen, stack, circles = _graph(hidden_too=True), set(), [], []

    def visit(m):
        if m in stack: circles.append(stack[stack.index(m):] + [m]); return
        if m in seen: return
        seen.add(m); stack.append(m)
        for d in sorted(graph.get(m, ())): visit(d)
        stack.pop()

    for m in sorted(graph): visit(m)
    assert circles == [], f"import circles: {circles}"
    assert {'trainer', 'guards', 'memory', 'callbacks', 'checkpoint'} <= set(graph)


def test_no_package_import_inside_a_function():
    hidden = {p.stem: _package_imports(p)[1] for p in PKG.glob('*.py') if not p.stem.startswith('_')}
    assert {m: h for m, h in hidden.items() if h} == {}


def test_the_runtime_package_never_imports_the_notebook_tools():
    for p in PKG.glob('*.py'):
        tree = ast.parse(p.read_text())
        names = {a.name.split('.')[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or '').split('.')[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom) and not n.level}
        assert not names & {'fastcore', 'nbdev', 'execnb'}, (p.name, names & {'fastcore', 'nbdev', 'execnb'})


def _private_imports(path: Path) -> list[tuple[int, str, str]]:
    "`(line, module, name)` of every underscore name `path` imports from another module of the package."
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom): continue
        if node.level == 1 or (node.module or '').startswith('embedding_trainer'):
            mod = (node.module or '').split('.')[-1]
            out += [(node.lineno, mod, a.name) for a in node.names if a.name.startswith('_')]
    return out


def test_no_module_imports_another_modules_private_name():
    found = {p.stem: _private_imports(p) for p in PKG.glob('*.py') if not p.stem.startswith('_')}
    assert {m: f for m, f in found.items() if f} == {}, "a private name is that module's own: make it public or move it"


def _longest_chain(graph: dict) -> list:
    "The longest import chain of the module-level import graph, highest module first (its length: the floor count)."
    memo = {}

    def chain(m):
        if m not in memo:
            memo[m] = [m] + max((chain(d) for d in sorted(graph[m]) if d in graph), key=len, default=[])
        return memo[m]

    return max((chain(m) for m in sorted(graph)), key=len)


def test_the_longest_import_chain_has_at_most_11_floors():
    graph = _graph()
    assert _longest_chain({'a': {'b'}, 'b': {'c'}, 'c': set(), 'd': {'c'}}) == ['a', 'b', 'c']
    longest = _longest_chain(graph)
    assert len(longest) <= 11, f"{len(longest)} floors: {' -> '.join(longest)}"
    print(f"{len(longest)} floors: {' -> '.join(longest)}")


def _notebook_modules() -> list[tuple[str, str]]:
    "(notebook, module) in the notebooks' order, for every notebook that exports a module."
    out = []
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            m = re.search(r'^#\|\s*default_exp\s+(\w+)', ''.join(cell['source']), re.M)
            if m: out.append((nb.name, m.group(1))); break
    return out


def test_notebooks_are_numbered_in_dependency_order():
    order = _notebook_modules()
    position = {mod: i for i, (_, mod) in enumerate(order)}
    graph = _graph()
    assert set(position) == set(graph), (set(position) ^ set(graph))
    later = [(nb, mod, dep) for nb, mod in order for dep in graph[mod] if position[dep] > position[mod]]
    assert later == [], f"a notebook's module imports a module of a later notebook: {later}"
    names = [m for _, m in order]
    core = ['errors', 'runtime', 'reshaper', 'perception', 'lattice', 'cube', 'trainer', 'run', 'cli']
    assert [m for m in names if m in core] == core    # the spine of the package, lowest first


def test_the_trainer_class_body_is_the_loop():
    "`fit`, the loop, the step and `evaluate` are written in `class Trainer` itself, so an editor's outline shows them."
    tree = ast.parse((PKG / 'trainer.py').read_text())
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == 'Trainer').body
    assert {'fit', '_loop', '_train_step', 'evaluate'} <= {f.name for f in body if isinstance(f, ast.FunctionDef)}


ATTACHED = r'^[A-Z]\w*\.\w+(, *[A-Z]\w*\.\w+)* *= *(\\\s*$|_\w+)'   # `Cls.name = _fn` (or a continued line)


def test_every_method_is_found_by_its_name():
    "Methods added in later cells keep their names: `def save_checkpoint` is in the code, no `Cls.x = _y` remains."
    text = {p.name: p.read_text() for p in PKG.glob('*.py')}
    assert re.search(r'^def save_checkpoint\(self:Trainer', text['trainer.py'], re.M)
    attached = [(n, line) for n, t in text.items() for line in t.splitlines()
                if re.match(ATTACHED, line)]
    assert attached == []
    from embedding_trainer.trainer import Trainer
    assert Trainer.save_checkpoint.__name__ == 'save_checkpoint' and Trainer.fit.__qualname__ == 'Trainer.fit'


# A module or a cell a reader can hold in mind: Triton kernels are excepted, since a kernel is one jit function whose
# body cannot be split into calls (the fused module is kernels and their launch code).
KERNEL_MODULES = {'fused'}
MAX_MODULE_LINES, MAX_CELL_LINES = 450, 60


def test_no_module_over_450_lines():
    sizes = {p.stem: len(p.read_text().splitlines()) for p in PKG.glob('*.py') if not p.stem.startswith('_')}
    assert {m: n for m, n in sizes.items() if n > MAX_MODULE_LINES and m not in KERNEL_MODULES} == {}
    assert len(sizes) > 30 and KERNEL_MODULES <= set(sizes)


def test_no_exported_cell_over_60_lines():
    long = []
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            src = ''.join(cell['source'])
            if cell['cell_type'] != 'code' or not re.match(r'#\|\s*export', src): continue
            kernel = re.search(r'^@(_jit|triton\.jit)', src, re.M)
            if len(src.splitlines()) > MAX_CELL_LINES and not kernel: long.append((nb.name, src.splitlines()[1][:60]))
    assert long == []
