"""Run by a clean-room venv's Python (3.6 and newer): import the plugin's packages, look its
operations up, and load every extension module under the given roots with RTLD_NOW.
Usage: python -I -c <this file> REQUEST.json ANSWER.json"""

import ctypes
import importlib
import importlib.machinery
import json
import os
import re
import sys
from pathlib import Path

# Another interpreter's tag before a bare .so/.pyd: a file this Python would never import.
OTHER_TAG = re.compile(r"\.(cpython-|cp\d|pypy|abi\d)[^.]*$")


def failure(error, message, missing=None):
    return {"ok": False, "error": error, "message": message[:300], "missing": missing}


def attempt(module):
    try:
        return importlib.import_module(module), {"ok": True}
    except BaseException as exc:  # noqa: BLE001 - plugin code may raise anything, even SystemExit
        missing = exc.name if isinstance(exc, ImportError) else None
        return None, failure(type(exc).__name__, str(exc), missing)


def lookup(module, function):
    found, result = attempt(module)
    if found is None:
        return result
    if not hasattr(found, function):
        return failure("AttributeError", f"module {module!r} has no attribute {function!r}")
    if not callable(getattr(found, function)):
        return failure("TypeError", f"{module}.{function} is not callable")
    return result


def extensions(roots):
    """Every file under `roots` that this Python could import as an extension module, loaded
    with every symbol bound at once: None for each that loads, else why not."""
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)
    mode = getattr(os, "RTLD_NOW", 0)  # absent on Windows, which binds every symbol at load
    found = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                suffix = next((s for s in suffixes if name.endswith(s)), None)
                if suffix is None or (suffix in (".so", ".pyd")
                                      and OTHER_TAG.search(name[: -len(suffix)])):
                    continue
                path = Path(folder) / name
                shown = path.relative_to(root).as_posix()
                try:
                    ctypes.CDLL(str(path), mode=mode)
                    found[shown] = None
                except OSError as exc:
                    said = str(exc).replace(str(path) + ": ", "", 1)  # dlerror names it first
                    found[shown] = said.replace(str(path), shown)[:300]
    return found


def main():
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    answer = {
        "modules": {name: attempt(name)[1] for name in request["modules"]},
        "functions": {f"{m}:{f}": lookup(m, f) for m, f in request["functions"]},
        "python": "{}.{}".format(*sys.version_info[:2]),
        "extensions": extensions(request.get("extensions", [])),
    }
    Path(sys.argv[2]).write_text(json.dumps(answer), encoding="utf-8")


main()
