"""Wheels of two wagons side by side: `python compare.py OURS.wgn THEIRS.wgn` prints the counts,
the packages only one has, and the packages whose versions differ (ours -> theirs)."""

import re
import sys
import zipfile


def wheels(path: str) -> dict[str, str]:
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            base = name.rsplit("/", 1)[-1]
            if "/wheels/" in name and base.endswith(".whl"):
                dist, version = base.split("-")[:2]
                out[re.sub(r"[-_.]+", "-", dist).lower()] = version
    return out


def main() -> None:
    ours, theirs = wheels(sys.argv[1]), wheels(sys.argv[2])
    print(f"ours {len(ours)} wheels, wagon {len(theirs)} wheels")
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    print("only ours:", ", ".join(f"{n} {ours[n]}" for n in only_ours) or "-")
    print("only wagon:", ", ".join(f"{n} {theirs[n]}" for n in only_theirs) or "-")
    diff = [f"{n} {ours[n]}->{theirs[n]}" for n in sorted(set(ours) & set(theirs))
            if ours[n] != theirs[n]]
    print(f"versions differ ({len(diff)}):", ", ".join(diff) or "-")


if __name__ == "__main__":
    main()
