"""Where the benchmark scripts here write their results: a file that did not exist before the run, rewritten whole
(atomically: an interrupted write leaves the previous version, never a part) after every unit of work."""
import json, sys
from pathlib import Path
from embedding_trainer.outputs import atomic_write

def results_saver(path, out:dict):
    "A function that writes `out` as JSON to `path`; refuses (exit 2) a `path` that already exists."
    path = Path(path)
    if path.exists():
        print(f"{path} exists: these scripts write only new files (nothing of it was touched); "
              "name another --out or move that file away", file=sys.stderr)
        sys.exit(2)
    return lambda: atomic_write(path, json.dumps(out, indent=1, default=str).encode())
