"""Run by a target's Python (3.6 and newer): compile every module of a wheel, print what does not
compile as JSON lines. Usage: python -I -c <this file> WHEEL"""

import json
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as archive:
    for name in sorted(archive.namelist()):
        if not name.endswith(".py"):
            continue
        try:
            compile(archive.read(name), name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            print(json.dumps({"file": name, "line": line, "error": type(exc).__name__,
                              "message": getattr(exc, "msg", None) or str(exc)}))
