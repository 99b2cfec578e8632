"""Build the Lambda artifact for template.yaml: Python 3.13 on arm64, precompiled.

``make build`` writes ``build/skill.zip``; ``sam build`` runs the same recipe through the
Makefile's ``build-SkillFunction`` target (``--dir $(ARTIFACTS_DIR)``), so the two cannot drift.

Why each step is the way it is:

* Runtime dependencies come from ``lambda/requirements.txt`` as wheels for the *target*
  (``manylinux2014_aarch64``, CPython 3.13, binary wheels only), never for this machine, so a
  compiled wheel (charset-normalizer ships one) matches Lambda's Graviton CPU and Python.
* The lock is installed as it is, ``--require-hashes --no-deps``: every wheel must match a hash
  in ``lambda/requirements.txt`` (``make lock`` writes it), and nothing outside it comes in.
* boto3, botocore, s3transfer and jmespath are left out of the lock although the DynamoDB
  persistence adapter asks for them, and removed should anything else bring them: the Lambda
  Python runtime provides them, and botocore alone would add more than ten megabytes.
* What ships is what you see: the ``lambda/`` tree as it is (``lambda_function.py`` and the
  ``muscle_guide`` package with its data), with no deny list; the simulator, the CLI and the
  web-service host live in their own packages outside it. No tests (not even those some wheels
  carry), no caches.
* ``.pyc`` files are compiled by a Python 3.13 interpreter (pyenv has one here), because Lambda's
  code directory is read-only: without them every cold start compiles the ASK SDK again, more
  than twice as slow. They use the *unchecked-hash* invalidation mode: timestamp pycs compare
  the source's mtime, which zip round trips and ``sam build`` copies do not preserve exactly, so
  Python would silently ignore them; unchecked-hash pycs are trusted as long as they exist, which
  is right for an artifact that never changes after it is built (and they make it reproducible).
* What is compiled: every module that a cold start and the sample events in ``events/`` import
  (traced by running them through the staged artifact under Python 3.13), plus all first-party
  code and the DynamoDB adapter (only imported where a table is configured). The rest of
  ask-sdk-model, ~450 generated classes no request here touches, stays source-only: compiling it
  would push the zip past the 3.5 MB budget for no cold-start gain.
* The zip is reproducible: sorted entries, fixed timestamps and permissions.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAMBDA_DIR = ROOT / "lambda"
REQUIREMENTS = LAMBDA_DIR / "requirements.txt"
EVENTS_DIR = ROOT / "events"
DEFAULT_OUT = ROOT / "build" / "skill.zip"
DEFAULT_STAGING = ROOT / "build" / "package"

TARGET_PYTHON = (3, 13)
PIP_PLATFORM = "manylinux2014_aarch64"
#: The budget from the deployment issue; the zip Lambda receives must stay below it.
MAX_ZIP_BYTES = 3_500_000

#: Distributions the Lambda Python runtime provides; they are never bundled.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
#: First-party packages that live outside ``lambda/`` (the simulator with the CLI, and the web
#: service host): shipped code must never import them, as they are not in the artifact.
OUTSIDE_PACKAGES = ("muscle_guide_simulator", "muscle_guide_webservice")
#: Test suites some wheels ship inside their package (certifi does).
TEST_DIRS = ("tests", "test")
#: Packages compiled in full although the trace does not import them (only with a table).
ALWAYS_COMPILE = ("lambda_function", "muscle_guide", "ask_sdk_dynamodb")
#: Files inside *.dist-info that only pip's own bookkeeping uses.
PIP_BOOKKEEPING = ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
#: A fixed timestamp for every zip entry (the earliest a zip can hold), for reproducible builds.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    """The artifact cannot be built as specified; the message says what to do."""


@dataclass(frozen=True)
class Precompiled:
    """What the Python 3.13 pass did."""

    python: str
    version: str
    traced: int
    compiled: int


# --------------------------------------------------------------------------- interpreter


def _python_version(executable: str) -> tuple[int, int] | None:
    try:
        done = subprocess.run(
            [executable, "-I", "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    parts = done.stdout.split()
    return (int(parts[0]), int(parts[1])) if len(parts) == 2 else None


def _pyenv_roots() -> Iterator[Path]:
    if os.environ.get("PYENV_ROOT"):
        yield Path(os.environ["PYENV_ROOT"])
    pyenv = shutil.which("pyenv")
    if pyenv:
        done = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            yield Path(done.stdout.strip())
    yield Path.home() / ".pyenv"


def python_candidates(version: tuple[int, int] = TARGET_PYTHON) -> Iterator[str]:
    """Where a matching interpreter may live, most explicit first.

    ``LAMBDA_PYTHON`` wins; then ``python3.13`` on PATH, pyenv's versions (newest patch first),
    and the usual system locations.
    """
    dotted = f"{version[0]}.{version[1]}"
    if os.environ.get("LAMBDA_PYTHON"):
        yield os.environ["LAMBDA_PYTHON"]
    if sys.version_info[:2] == version:
        yield sys.executable
    on_path = shutil.which(f"python{dotted}")
    if on_path:
        yield on_path
    for root in _pyenv_roots():
        found = glob.glob(str(root / "versions" / f"{dotted}*" / "bin" / "python3"))
        yield from sorted(found, key=_natural_key, reverse=True)
    for prefix in ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin"):
        yield f"{prefix}/python{dotted}"


def _natural_key(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in text.replace("/", ".").split(".")]


def find_python(version: tuple[int, int] = TARGET_PYTHON) -> str | None:
    """The first interpreter that really is ``version`` (pyenv shims can lie), or None."""
    seen: set[str] = set()
    for candidate in python_candidates(version):
        if candidate in seen or not Path(candidate).exists():
            continue
        seen.add(candidate)
        if _python_version(candidate) == version:
            return candidate
    return None


# --------------------------------------------------------------------------- staging


def _clean(directory: Path) -> None:
    """Empty ``directory``, refusing anything that could hold more than build output."""
    directory = directory.resolve()
    inside_project = directory.is_relative_to(ROOT)
    allowed = (ROOT / "build", ROOT / ".aws-sam")
    if (
        directory in (ROOT, Path.home(), Path(directory.anchor))
        or ROOT.is_relative_to(directory)
        or (directory / ".git").exists()
        or (inside_project and not any(directory.is_relative_to(a) for a in allowed))
    ):
        raise BuildError(f"refusing to empty {directory}: not a build output folder")
    directory.mkdir(parents=True, exist_ok=True)
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def install_dependencies(dest: Path, requirements: Path = REQUIREMENTS) -> None:
    """Install the pinned runtime dependencies as target-platform wheels into ``dest``."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--target",
        str(dest),
        "--platform",
        PIP_PLATFORM,
        "--python-version",
        ".".join(map(str, TARGET_PYTHON)),
        "--implementation",
        "cp",
        "--only-binary=:all:",
        "--require-hashes",
        "--no-deps",
        "--no-compile",
        "--disable-pip-version-check",
        "--quiet",
        "-r",
        str(requirements),
    ]
    env = dict(os.environ, PIP_ROOT_USER_ACTION="ignore")
    done = subprocess.run(command, env=env, check=False)
    if done.returncode != 0:
        raise BuildError(f"pip could not install {requirements.name} for {PIP_PLATFORM}")


def _dist_name(dist_info: Path) -> str:
    return dist_info.name.split("-", 1)[0].lower().replace("_", "-")


def remove_runtime_provided(dest: Path) -> list[str]:
    """Delete the distributions Lambda provides, file by file from their RECORD."""
    removed = []
    for dist_info in sorted(dest.glob("*.dist-info")):
        if _dist_name(dist_info) not in RUNTIME_PROVIDED:
            continue
        record = dist_info / "RECORD"
        for line in record.read_text(encoding="utf-8").splitlines() if record.exists() else []:
            path = dest / line.split(",", 1)[0]
            if path.is_file():
                path.unlink()
        shutil.rmtree(dist_info)
        removed.append(_dist_name(dist_info))
    for name in RUNTIME_PROVIDED:  # whatever a RECORD missed, and empty package folders
        for leftover in (dest / name, dest / name.replace("-", "_")):
            if leftover.is_dir():
                shutil.rmtree(leftover)
    return removed


def trim_install(dest: Path) -> None:
    """Drop console scripts, bundled test suites, stray caches and pip's bookkeeping.

    METADATA and licence files stay: they are how the artifact credits what it redistributes.
    """
    shutil.rmtree(dest / "bin", ignore_errors=True)
    for package in dest.iterdir():
        for name in TEST_DIRS:
            if package.is_dir() and (package / name).is_dir():
                shutil.rmtree(package / name)
    for cache in list(dest.rglob("__pycache__")):
        shutil.rmtree(cache)
    for dist_info in dest.glob("*.dist-info"):
        for name in PIP_BOOKKEEPING:
            (dist_info / name).unlink(missing_ok=True)


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_outside(module: str) -> bool:
    return any(module == pkg or module.startswith(pkg + ".") for pkg in OUTSIDE_PACKAGES)


def _is_local_clutter(relative: Path) -> bool:
    """What tools leave in a working tree and git ignores: caches, hidden folders, egg-info."""
    return any(
        part == "__pycache__" or part.startswith(".") or part.endswith(".egg-info")
        for part in relative.parts
    )


def copy_first_party(dest: Path, source: Path = LAMBDA_DIR) -> list[Path]:
    """Copy the ``lambda/`` tree as it is: only local clutter is left behind, never a module."""
    copied = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if not path.is_file() or _is_local_clutter(relative):
            continue
        if path.suffix in (".pyc", ".pyo"):
            continue
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        copied.append(relative)
    return copied


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def check_no_unshipped_imports(dest: Path) -> None:
    """Fail when shipped code imports a first-party package that lives outside ``lambda/``."""
    problems = []
    for path in [*sorted(dest.glob("muscle_guide/**/*.py")), dest / "lambda_function.py"]:
        relative = path.relative_to(dest)
        module = _module_name(relative)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(relative))
        for imported in _imports(tree, module, path.name == "__init__.py"):
            if _is_outside(imported):
                problems.append(f"{relative} imports {imported}")
    if problems:
        raise BuildError(
            "runtime code imports packages that live outside lambda/ and do not ship: "
            + "; ".join(sorted(set(problems)))
        )


# --------------------------------------------------------------------------- precompiling

#: Runs under the target interpreter: imports the staged handler, sends every sample event through
#: it (also as from a device with a screen), then compiles what was imported plus ALWAYS_COMPILE
#: into unchecked-hash pycs. Isolation comes from -s -P and a fresh environment rather than -I,
#: which would ignore PYTHONHASHSEED: a fixed seed orders frozenset constants, so the pycs are
#: reproducible. -B keeps the trace from writing timestamp pycs of its own.
_DRIVER = r"""
import importlib.machinery, importlib.util, json, py_compile, sys
from pathlib import Path

root = Path(sys.argv[1]).resolve()
events = json.loads(Path(sys.argv[2]).read_text())
always = json.loads(sys.argv[3])
sys.path.insert(0, str(root))

# Record every module the import system finds, not only those still in sys.modules at the end:
# an import that fails after its source was compiled (dateutil.tz.win on Linux) costs a compile
# on every cold start too.
found = set()


class Recorder:
    @staticmethod
    def find_spec(fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            found.add(Path(spec.origin).resolve())
        return None


sys.meta_path.insert(0, Recorder)
import lambda_function

answered = 0
for path in events:
    event = json.loads(Path(path).read_text())
    variants = [event]
    system = event.get("context", {}).get("System", {})
    if isinstance(system.get("device"), dict):
        screen = json.loads(json.dumps(event))
        interfaces = screen["context"]["System"]["device"].setdefault("supportedInterfaces", {})
        interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": "2024.3"}}
        variants.append(screen)
    for variant in variants:
        response = lambda_function.lambda_handler(variant, None)
        if not isinstance(response, dict) or "response" not in response:
            raise SystemExit(f"{path}: the handler returned no response envelope")
        answered += 1

sys.meta_path.remove(Recorder)
sources = {path for path in found if path.is_relative_to(root)}
traced = len(sources)
for name in always:
    package, module = root / name, root / (name + ".py")
    if package.is_dir():
        sources.update(p.resolve() for p in package.rglob("*.py"))
    if module.is_file():
        sources.add(module.resolve())

for source in sorted(sources):
    py_compile.compile(
        str(source),
        cfile=importlib.util.cache_from_source(str(source)),
        dfile=str(source.relative_to(root)),
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
print(json.dumps({"version": sys.version.split()[0], "traced": traced,
                  "compiled": len(sources), "answered": answered}))
"""


def precompile(dest: Path, python: str, events: Sequence[Path]) -> Precompiled:
    """Trace and compile with ``python``; a failing trace means a broken artifact."""
    with tempfile.TemporaryDirectory(prefix="muscle-guide-trace-") as scratch:
        events_file = Path(scratch) / "events.json"
        events_file.write_text(json.dumps([str(p) for p in events]), encoding="utf-8")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": scratch,
            "LANG": "C.UTF-8",
            # No memory store while tracing: never write to a developer's home directory.
            "MUSCLE_GUIDE_STATE_FILE": os.devnull,
            "LOG_LEVEL": "ERROR",
            "PYTHONHASHSEED": "0",
        }
        done = subprocess.run(
            [
                *(python, "-s", "-P", "-B", "-c", _DRIVER),
                *(str(dest), str(events_file), json.dumps(ALWAYS_COMPILE)),
            ],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise BuildError(
            f"the staged artifact failed under {python}:\n{done.stderr.strip()[-4000:]}"
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Precompiled(python, result["version"], result["traced"], result["compiled"])


# --------------------------------------------------------------------------- zipping


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def write_zip(source: Path, out: Path, files: Iterable[Path] | None = None) -> int:
    """Zip ``source`` reproducibly into ``out``; returns the zip's size in bytes."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(out.suffix + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files if files is not None else _files(source):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.create_system = 3  # Unix, so the permission bits are honoured
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(out)
    return out.stat().st_size


def _largest_packages(source: Path, count: int = 5) -> str:
    sizes: dict[str, int] = {}
    for path in _files(source):
        top = path.relative_to(source).parts[0]
        sizes[top] = sizes.get(top, 0) + path.stat().st_size
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:count]
    return ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in biggest)


# --------------------------------------------------------------------------- the build


def check_data_is_current() -> None:
    """Refuse to ship a search index or topic model built from other data (the skill trusts
    both)."""
    from muscle_guide.retrieval import is_current
    from muscle_guide_tools import topic_classifier

    if not is_current():
        raise BuildError("the search index is stale: run `make index` (or `make model`)")
    if not topic_classifier.is_current():
        raise BuildError("the topic model is stale: run `make index` (or `make model`)")


def stage(dest: Path, python: str | None, *, require_python: bool = False) -> Precompiled | None:
    """Fill ``dest`` with everything the function needs, precompiled where possible."""
    check_data_is_current()
    _clean(dest)
    install_dependencies(dest)
    removed = remove_runtime_provided(dest)
    trim_install(dest)
    copy_first_party(dest)
    check_no_unshipped_imports(dest)
    if removed:
        print(f"not bundled, the Lambda runtime provides them: {', '.join(removed)}")
    if python is None:
        message = (
            f"no Python {'.'.join(map(str, TARGET_PYTHON))} interpreter found "
            "(set LAMBDA_PYTHON, or `pyenv install 3.13`)"
        )
        if require_python:
            raise BuildError(message)
        print(f"warning: {message}; shipping sources only, so every cold start compiles them")
        return None
    return precompile(dest, python, sorted(EVENTS_DIR.glob("*.json")))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--out", type=Path, default=DEFAULT_OUT, help="zip to write")
    target.add_argument(
        "--dir", type=Path, help="write the unpacked tree here instead (sam build's ARTIFACTS_DIR)"
    )
    parser.add_argument("--staging", type=Path, default=DEFAULT_STAGING, help="scratch tree")
    parser.add_argument("--python", help="the Python 3.13 interpreter to compile with")
    parser.add_argument(
        "--require-python",
        action="store_true",
        help="fail instead of shipping sources when no Python 3.13 is found",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    python = args.python or find_python()
    try:
        if args.python and _python_version(args.python) != TARGET_PYTHON:
            raise BuildError(f"{args.python} is not Python {'.'.join(map(str, TARGET_PYTHON))}")
        tree = args.dir if args.dir is not None else args.staging
        compiled = stage(tree.resolve(), python, require_python=args.require_python)
        files = _files(tree)
        how = (
            f"{compiled.compiled} modules precompiled by Python {compiled.version} "
            f"(unchecked-hash; {compiled.traced} imported by the sample events)"
            if compiled
            else "not precompiled"
        )
        if args.dir is not None:
            print(f"{args.dir}: {len(files)} files, {how}")
            return 0
        size = write_zip(tree, args.out, files)
        print(
            f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
            f"{size / 1e6:.2f} MB ({size:,} bytes, limit {MAX_ZIP_BYTES / 1e6:.1f} MB), "
            f"{len(files)} files, {how}"
        )
        if size >= MAX_ZIP_BYTES:
            raise BuildError(
                f"the artifact is {size:,} bytes, over the {MAX_ZIP_BYTES:,}-byte budget; "
                f"largest parts: {_largest_packages(tree)}"
            )
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
