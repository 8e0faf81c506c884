"""The tutorials are stored with their outputs so they read on GitHub (`make tutorial-outputs`); `nbdev_clean`
resets every execution count, and nbval refuses a cell that has outputs but no count ('Unrun reference cell has
outputs'). Under `--nbval-lax` no output is compared unless a cell asks for it (`# NBVAL_CHECK_OUTPUT`), so the
stored outputs of the other cells are set aside before they run: every cell still runs and its checks must pass."""


def pytest_collection_modifyitems(items):
    for item in items:
        cell, options = getattr(item, 'cell', None), getattr(item, 'options', None)
        if cell is None or options is None or options.get('check'): continue   # a checked cell keeps its reference
        if cell.get('execution_count') is None and cell.get('outputs'): cell['outputs'] = []
