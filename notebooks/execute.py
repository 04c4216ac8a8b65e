"""Executes notebooks headless with nbclient: execute.py OUT_DIR NOTEBOOK...

Writes each executed copy to OUT_DIR (also a partial one when a cell fails) and exits 1 on the first failing
cell, printing its source and output: tslab sends a cell's error text (compile or runtime) on stderr, not in
the error reply, so nbconvert alone would report an empty "<Error>".
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def text(v):
    return ''.join(v) if isinstance(v, list) else (v or '')


def run(path, out_dir):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name='tslab',
                            resources={'metadata': {'path': os.path.dirname(os.path.abspath(path))}})
    start = time.time()
    failed = None
    try:
        client.execute()
    except CellExecutionError:
        executed = [c for c in nb.cells if c.cell_type == 'code' and c.get('execution_count') is not None]
        failed = executed[-1] if executed else None
    out = os.path.join(out_dir, os.path.basename(path))
    nbformat.write(nb, out)
    if failed is not None:
        streams = ''.join(text(o.get('text')) for o in failed.outputs if o.output_type == 'stream')
        print(f'notebooks: {path} failed in cell {nb.cells.index(failed)}:\n{failed.source}\n---\n{streams}',
              file=sys.stderr)
        return False
    print(f'notebooks: {path} ok in {time.time() - start:.1f} s -> {out}', file=sys.stderr)
    return True


if __name__ == '__main__':
    os.makedirs(sys.argv[1], exist_ok=True)
    sys.exit(0 if all(run(p, sys.argv[1]) for p in sys.argv[2:]) else 1)
