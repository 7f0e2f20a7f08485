"""Small sdists with a C extension, written by the tests themselves (no build tool needed)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

PLAIN_C = """
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
"""

# getrandom() arrived in glibc 2.25, so this extension cannot meet a manylinux2014 (2.17) floor.
GETRANDOM_C = """
#include <Python.h>
#include <sys/random.h>
static PyObject *answer(PyObject *self, PyObject *args) {
    unsigned char b; getrandom(&b, 1, 0); return PyLong_FromLong(42);
}
"""

MODULE_C = """
static PyMethodDef methods[] = {{{{"answer", answer, METH_NOARGS, "42"}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef mod = {{PyModuleDef_HEAD_INIT, "{module}", NULL, -1, methods}};
PyMODINIT_FUNC PyInit_{module}(void) {{ return PyModule_Create(&mod); }}
"""


def write_c_sdist(dest: Path, name: str, version: str, body: str = PLAIN_C) -> Path:
    """`name-version.tar.gz` with one C module named like the package (dashes → underscores);
    a C++ one when `body` includes a C++ header."""
    module = name.replace("-", "_")
    source = module + (".cpp" if "#include <string>" in body else ".c")
    return write_sdist(dest, name, version, {
        "setup.py": "from setuptools import setup, Extension\n"
        f"setup(name={name!r}, version={version!r},"
        f" ext_modules=[Extension({module!r}, [{source!r}])])\n",
        source: body + MODULE_C.format(module=module),
    })


def write_sdist(dest: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """`name-version.tar.gz` with `files` and a setuptools build; its PKG-INFO (Metadata 2.1)
    leaves the dependencies to setup.py, so a resolver must build the metadata."""
    base = f"{name.replace('-', '_')}-{version}"
    files = {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n',
        **files,
    }
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for rel, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"{base}/{rel}")
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


# One source, several modules: TWIN names each. Long enough to compile (many functions the optimiser
# must keep) that two compilers writing its one object file overlap, as pycryptodome's blowfish.c.
TWIN_C = """
#include <Python.h>
#define CAT(a, b) a##b
#define INIT(name) CAT(PyInit_, name)
#define TEXT(name) #name
#define NAME(name) TEXT(name)
{padding}
static PyObject *side(PyObject *self, PyObject *args) {{ return PyUnicode_FromString(NAME(TWIN)); }}
static PyMethodDef methods[] = {{{{"side", side, METH_NOARGS, "which"}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef mod = {{PyModuleDef_HEAD_INIT, NAME(TWIN), NULL, -1, methods}};
PyMODINIT_FUNC INIT(TWIN)(void) {{ return PyModule_Create(&mod); }}
"""
PAD = """
unsigned long CAT(pad{n}_, TWIN)(unsigned long x) {{
    for (int i = 0; i < {n} + 7; i++) {{ x = x * 6364136223846793005UL + (x >> (i % 13)); }}
    return x ^ {n};
}}"""


TWINS = ("left", "right", "up", "down")


def write_twin_sdist(dest: Path, name: str, version: str, pads: int = 300) -> Path:
    """`name-version.tar.gz` whose one C file builds an extension `<module>.<side>` for each of
    TWINS (`-DTWIN=<side>`): all compile to the same object file (two jobs at a time clash
    on it twice per build)."""
    module = name.replace("-", "_")
    body = TWIN_C.format(padding="".join(PAD.format(n=n) for n in range(pads)))
    twins = ", ".join(
        f"Extension('{module}.{side}', ['src/twins.c'], define_macros=[('TWIN', '{side}')])"
        for side in TWINS)
    return write_sdist(dest, name, version, {
        "setup.py": "from setuptools import setup, Extension\n"
        f"setup(name={name!r}, version={version!r}, packages=[{module!r}],"
        f" ext_modules=[{twins}])\n",
        f"{module}/__init__.py": "",
        "src/twins.c": body,
    })
# std::to_string returns a C++11 std::string, whose symbols carry GLIBCXX_3.4.21: newer than the
# 3.4.19 a manylinux2014 floor allows, so auditwheel refuses it for "too-recent versioned symbols".
CXX11_STRING_CPP = """
#include <Python.h>
#include <string>
static PyObject *answer(PyObject *self, PyObject *args) {
    std::string text = std::to_string(42); return PyLong_FromLong(std::stol(text));
}
"""



STEPS = ("a", "b", "c", "d")
RECORD_STEP = '''"""One build step: its start and end noted in $STEPS_LOG, half a second apart."""
import os, sys, time
with open(os.environ["STEPS_LOG"], "a") as log:
    log.write("start\\n")
time.sleep(0.5)
with open(os.environ["STEPS_LOG"], "a") as log:
    log.write("end\\n")
open(sys.argv[1], "w").close()
'''


def write_meson_steps_sdist(dest: Path, name: str, version: str) -> Path:
    """A meson-python sdist whose build runs four independent steps, each noting when it runs
    in $STEPS_LOG: steps that overlapped ran in parallel."""
    module = name.replace("-", "_")
    steps = ", ".join(repr(step) for step in STEPS)
    return write_sdist(dest, name, version, {
        "pyproject.toml": '[build-system]\nrequires = ["meson-python"]\n'
        f'build-backend = "mesonpy"\n\n[project]\nname = "{name}"\nversion = "{version}"\n',
        "meson.build": f"project('{module}', version: '{version}')\n"
        "py = import('python').find_installation()\n"
        f"py.install_sources('{module}/__init__.py', subdir: '{module}')\n"
        f"foreach step : [{steps}]\n"
        "  custom_target('step-' + step, output: step + '.txt', build_by_default: true,\n"
        "                command: [py, files('record_step.py'), '@OUTPUT@'])\n"
        "endforeach\n",
        "record_step.py": RECORD_STEP,
        f"{module}/__init__.py": "",
    })
