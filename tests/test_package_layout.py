"""The package reads as the flow it implements: stages import only the stages before them.

Every import in ``pipeline/`` (module level and inside functions) is read with
``ast``; a stage may import its own modules and the stages listed before it,
never one after it, and no set of modules imports itself round in a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

#: The stages in flow order; a module may import its own stage and the ones before it.
STAGES: tuple[tuple[str, ...], ...] = (
    ("errors", "config", "model"),
    ("read",),
    ("parse",),
    ("enrich",),
    ("index",),
    ("search",),
    ("ingest",),
    ("output",),
    ("fetch",),
    ("web", "cli", "evaluate", "__main__"),
)
#: Modules above every stage: the facade imports lazily from all of them.
FACADE = "pipeline"
#: Longest module a newcomer should have to read, in lines.
MAX_MODULE_LINES = 800
#: Third-party engines behind a seam: each is imported only inside its own module or package.
ENGINE_HOMES: dict[str, str] = {
    "whoosh": "pipeline.index.whoosh",
    "tantivy": "pipeline.index.tantivy",
    "pypdfium2": "pipeline.read.pdfium",
    "pdfplumber": "pipeline.read.pdfplumber",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> int:
    top = module.split(".")[1] if "." in module else module
    for rank, names in enumerate(STAGES):
        if top in names:
            return rank
    raise AssertionError(f"{module}: its stage {top!r} is not listed in STAGES")


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The pipeline modules that ``module`` imports (submodules named in a from-import included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "pipeline"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "pipeline":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {m for m in found if m != module}


def _third_party(path: Path) -> set[str]:
    """The top-level names of the packages outside ``pipeline`` that a module imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - {"pipeline"}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {m: _imports(m, p, known) & known for m, p in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_a_later_stage():
    wrong = [
        f"{m} imports {dep}"
        for m, deps in sorted(_graph().items())
        if m != FACADE
        for dep in sorted(deps)
        if dep != FACADE and _stage(dep) > _stage(m)
    ]
    assert wrong == []


def test_no_module_imports_the_facade():
    # ``pipeline/__init__`` imports lazily from every stage: a stage that imported it would depend on all.
    assert [m for m, deps in sorted(_graph().items()) if FACADE in deps and m != FACADE] == []


def test_the_package_has_no_import_cycles():
    assert _cycles(_graph()) == []


@pytest.mark.parametrize("module", sorted(_modules()))
def test_module_is_short_enough_to_read(module):
    lines = len(_modules()[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines"


@pytest.mark.parametrize("engine", sorted(ENGINE_HOMES))
def test_each_engine_is_imported_only_in_its_own_package(engine):
    home = ENGINE_HOMES[engine]
    importers = [m for m, p in sorted(_modules().items()) if engine in _third_party(p)]
    assert home in importers
    assert [m for m in importers if m != home and not m.startswith(home + ".")] == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
