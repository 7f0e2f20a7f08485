"""Run by a clean-room venv's Python (3.6 and newer): import the plugin's packages and look its
operations up. Usage: python -I -c <this file> REQUEST.json ANSWER.json"""

import importlib
import json
import sys
from pathlib import Path


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


def main():
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    answer = {
        "modules": {name: attempt(name)[1] for name in request["modules"]},
        "functions": {f"{m}:{f}": lookup(m, f) for m, f in request["functions"]},
        "python": "{}.{}".format(*sys.version_info[:2]),
    }
    Path(sys.argv[2]).write_text(json.dumps(answer), encoding="utf-8")


main()
