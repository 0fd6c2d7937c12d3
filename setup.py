"""Build hook: the MRT kernels compiled ahead of time, so a one-off read skips numba's start-up.

Everything else about the package is in pyproject.toml. ``numba.pycc`` compiles the same
kernel sources the JIT runs into ``splinternet.sources.mrt._ahead`` (a C extension that does
not import numba). It is optional: without a C compiler, or with a numba that has dropped
``pycc``, the package still installs and every read runs on the JIT
(``src/splinternet/sources/mrt/compiled.py`` says which runs when).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tempfile
import warnings
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

MRT_SOURCES = Path(__file__).resolve().parent / "src" / "splinternet" / "sources" / "mrt"
AHEAD = "splinternet.sources.mrt._ahead"


def _kernel_modules(*names: str) -> list:
    """The MRT kernel modules, loaded as a package of their own.

    Importing them through ``splinternet`` would run the package's ``__init__`` files, which
    need runtime dependencies the build environment does not have; the kernels need only
    numpy and numba, and import one another relatively.
    """
    package = "_splinternet_mrt_kernels"
    if package not in sys.modules:
        spec = importlib.util.spec_from_loader(package, loader=None, is_package=True)
        module = importlib.util.module_from_spec(spec)
        module.__path__ = [str(MRT_SOURCES)]
        sys.modules[package] = module
    return [importlib.import_module(f"{package}.{name}") for name in names]


def _compile_ahead(output: Path) -> None:
    # a JIT cache of these kernels refers to them as splinternet modules, which cannot be imported here
    with tempfile.TemporaryDirectory(prefix="splinternet-build-") as cache:
        os.environ["NUMBA_CACHE_DIR"] = cache
        _compile_with_numba(output)


def _compile_with_numba(output: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba.pycc is "pending deprecation" (since numba 0.57)
        from numba import types
        from numba.pycc import CC

    compiled, kernels, bgpdump = _kernel_modules("compiled", "kernels", "bgpdump_kernel")

    def arguments(spec: tuple) -> list:
        return [getattr(types, a) if isinstance(a, str) else types.Array(getattr(types, a[0]), a[1], "C", readonly=a[2])
                for a in spec]

    digest = compiled.source_digest()

    def source_digest():  # the sources this module was compiled from
        return digest

    cc = CC(output.name.split(".")[0])
    cc.output_dir = str(output.parent)
    cc.output_file = output.name
    cc.export("parse_mrt", types.none(*arguments(compiled.PARSE_ARGUMENTS)))(kernels.parse_mrt.py_func)
    cc.export("bgpdump_chunk", types.UniTuple(types.int64, 3)(*arguments(compiled.BGPDUMP_ARGUMENTS)))(
        bgpdump.bgpdump_chunk.py_func)
    cc.export("source_digest", types.int64())(source_digest)
    output.parent.mkdir(parents=True, exist_ok=True)
    cc.compile()


class BuildAhead(build_ext):
    """Builds ``_ahead`` with numba.pycc instead of a C compiler run on sources; a failure is a warning."""

    def build_extension(self, ext: Extension) -> None:
        if ext.name != AHEAD:
            super().build_extension(ext)
            return
        try:
            _compile_ahead(Path(self.get_ext_fullpath(ext.name)))
        except Exception as exc:  # optional by design: the JIT runs the same kernels
            warnings.warn(f"MRT kernels not compiled ahead of time ({type(exc).__name__}: {exc}); "
                          "every MRT read will use numba's JIT", stacklevel=1)
            self.extensions.remove(ext)  # nothing to copy or package


setup(ext_modules=[Extension(AHEAD, sources=[])], cmdclass={"build_ext": BuildAhead})
