"""Run chosen units of the translation study (`et-study --parts translate*`) in one round of parallel workers.

A unit is one entry of `translate_study()` at one seed (the cube, the residual MLP and the low-rank adapter). A GPU
call is limited in time, so a call runs one round: at most as many units as workers, each row appended to
`<out>/rows.jsonl` as soon as its unit ends (what finished survives a kill). Units already in `--skip` are left out.

  python scripts/translate_units.py run --embeddings EMB --out OUT/tr --jobs 20 --match 'N 29k$' [--seeds 0-4]
  python scripts/translate_units.py merge OUT/tr/rows.jsonl docs/results/translate/rows.jsonl

Then `et-study --parts translate,translate-lever,translate-repl --no-run --pages .` summarises the merged rows.
"""
import argparse, dataclasses, json, re, sys, tempfile
from pathlib import Path
from embedding_trainer.study import TRANSLATE_PARTS, translate_study, run_study, read_rows, entry_config
from embedding_trainer.run import parse_seeds, prepare_data

def chosen(match:str, seeds, skip=None, limit=None, extra=()) -> list:
    "The entries whose name matches `match` (a regex), each with its seeds not in `skip`; `limit` units at most."
    done = read_rows(Path(skip)) if skip else {}
    out, n = [], 0
    for e in translate_study(seeds, TRANSLATE_PARTS):
        if not re.search(match, e.name): continue
        e = dataclasses.replace(e, overrides=[*e.overrides, *extra])   # extra overrides change the key: own rows
        todo = tuple(s for s in e.seeds if (e.key, s) not in done)[:None if limit is None else max(0, limit - n)]
        if todo: out.append(dataclasses.replace(e, seeds=todo)); n += len(todo)
    return out

def check_data(entries:list, embeddings) -> int:
    "Load and check each entry's data here, before a worker starts: a data error ends the call before any training."
    seen = set()
    for e in entries:
        with tempfile.TemporaryDirectory() as tmp: cfg = entry_config(e, e.seeds[0], tmp, embeddings)
        key = json.dumps(cfg.to_dict()['data'], sort_keys=True)
        if key not in seen: seen.add(key); prepare_data(cfg, progress=False)
    return len(seen)

def merge(src:Path, dst:Path) -> int:
    "Append to `dst` the rows of `src` whose (key, seed) it lacks; the number appended."
    have, new = read_rows(dst), read_rows(src)
    add = [r for k, r in new.items() if k not in have]
    with dst.open('a') as f:
        for r in add: f.write(json.dumps(r) + '\n')
    return len(add)

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run', help='run the chosen units in one round')
    r.add_argument('--embeddings', required=True, help='folder of float16 embedding files (write_embeddings)')
    r.add_argument('--out', required=True, help='new folder: rows.jsonl, study.json, figures')
    r.add_argument('--match', required=True, help="regex on the entry names, e.g. 'N 29k$' or '^7k layout'")
    r.add_argument('--seeds', default='0-4', help='seeds (lever entries take the first three)')
    r.add_argument('--skip', default=None, help='a rows.jsonl whose units are not run again')
    r.add_argument('--limit', type=int, default=None, help='at most this many units')
    r.add_argument('--jobs', type=int, default=None, help='workers (default: one per unit)')
    r.add_argument('--set', nargs='*', default=[], help='more overrides for every entry (a dry run: own keys)')
    r.add_argument('--list', action='store_true', help='only list the units')
    m = sub.add_parser('merge', help='append the new rows of one rows.jsonl to another')
    m.add_argument('src'); m.add_argument('dst')
    a = p.parse_args(argv)
    if a.cmd == 'merge':
        print(f"{merge(Path(a.src), Path(a.dst))} row(s) appended to {a.dst}")
        return 0
    entries = chosen(a.match, parse_seeds(a.seeds), a.skip, a.limit, a.set)
    units = sum(len(e.seeds) for e in entries)
    for e in entries: print(f"{e.name}: seeds {', '.join(map(str, e.seeds))}")
    print(f"{units} unit(s)")
    if a.list or not units: return 0
    print(f"the data of {check_data(entries, a.embeddings)} setting(s) loaded and checked")
    run_study(entries, a.out, a.jobs or units, report=lambda s: print(s, flush=True), embeddings=a.embeddings)
    return 0

if __name__ == '__main__': sys.exit(main())
