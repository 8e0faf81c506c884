"Small helpers shared by the tests (the tests folder is on sys.path when pytest runs them)."
import json, socket

def free_port() -> int:
    "A TCP port on 127.0.0.1 that nothing listens on now."
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def write_pairs_jsonl(path, pairs):
    "Write (question, answer) pairs as a JSONL file of the project's format; returns the path."
    path.write_text(''.join(json.dumps({'question': q, 'answer': a}) + '\n' for q, a in pairs))
    return path


def one_error(err:str, prog:str, category:str|None=None, words:str='') -> str:
    "Assert that a command's stderr holds one error head `prog: [CATEGORY] …`, a remedy and no traceback; returns it."
    heads = [l for l in err.splitlines() if l.startswith(f'{prog}: [')]
    assert len(heads) == 1 and 'Traceback' not in err and '  remedy: ' in err and words in err, err
    if category: assert heads[0].startswith(f'{prog}: [{category}] '), err
    return heads[0]
