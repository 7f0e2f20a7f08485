"""A stand-in for the GitHub CLI, for running release-site.yml's scripts without GitHub: it answers
the `gh release` calls they make from a folder of releases (`<root>/<tag>/<asset>`, and
`<root>/order` naming the tags newest first, as `gh release list` gives them) and logs each call
(one JSON list a line) so a test sees what was fetched; FAKE_GH_FAIL="view download" makes
those calls fail as GitHub does when it is down. `--jq` goes through the real jq, as gh's
own filter does, with its raw output. Anything else fails, naming itself."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _options(args: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Positional arguments, and each --option's values (every option here takes one)."""
    positional, options = [], {}
    rest = iter(args)
    for arg in rest:
        if arg == "--exclude-drafts":
            continue
        if arg.startswith("--"):
            options.setdefault(arg[2:], []).append(next(rest))
        else:
            positional.append(arg)
    return positional, options


def _print(data: object, options: dict[str, list[str]]) -> None:
    text = json.dumps(data)
    if "jq" in options:
        text = subprocess.run(["jq", "-r", options["jq"][0]], input=text, capture_output=True,
                              text=True, check=True).stdout
    sys.stdout.write(text)


def main(argv: list[str]) -> int:
    root, log = Path(os.environ["FAKE_GH_RELEASES"]), Path(os.environ["FAKE_GH_LOG"])
    with log.open("a") as out:
        out.write(json.dumps(argv) + "\n")
    if not os.environ.get("GH_TOKEN") or not os.environ.get("GH_REPO"):
        sys.stderr.write("fake gh: GH_TOKEN and GH_REPO must be set, as on GitHub\n")
        return 4
    tags = (root / "order").read_text().split()
    (command, *rest), options = _options(argv[1:])
    if argv[:1] != ["release"]:
        command = "unsupported"
    if command == "list":
        _print([{"tagName": tag} for tag in tags[:int(options["limit"][0])]], options)
        return 0
    if command not in ("view", "download"):
        sys.stderr.write(f"fake gh: {argv} is not supported\n")
        return 2
    if command in os.environ.get("FAKE_GH_FAIL", "").split():
        sys.stderr.write("HTTP 502: Bad Gateway\n")
        return 1
    if rest[0] not in tags:
        sys.stderr.write("release not found\n")
        return 1
    assets = sorted(p.name for p in (root / rest[0]).iterdir())
    if command == "view":
        _print({"assets": [{"name": name} for name in assets]}, options)
        return 0
    chosen = [a for a in assets if any(fnmatch.fnmatch(a, p) for p in options["pattern"])]
    if not chosen:
        sys.stderr.write("no assets match the file pattern\n")
        return 1
    dest = Path(options["dir"][0])
    dest.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        shutil.copyfile(root / rest[0] / name, dest / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
