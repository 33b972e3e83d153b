"""The house plan, held by tests: only engine/ and bench/ touch torch, the camera's side imports none of it,
imports form no cycle, and the live and control code stays in functions that fit on a screen."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vcam"
TORCH_PACKAGES = ("engine", "bench")
MAX_FUNCTION_LINES = 80


def modules() -> dict[str, Path]:
    """vcam's modules by dotted name."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imported_names(path: Path) -> list[tuple[str, bool]]:
    """(module, at top level) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append((node.module, id(node) in top))
            names += [(f"{node.module}.{alias.name}", id(node) in top) for alias in node.names]
    return names


def test_only_engine_and_bench_import_torch():
    offenders = []
    for name, path in modules().items():
        if name.split(".")[1:2] and name.split(".")[1] in TORCH_PACKAGES:
            continue
        offenders += [f"{name} imports {mod}" for mod, _ in imported_names(path)
                      if mod == "torch" or mod.startswith("torch.")]
    assert offenders == []


@pytest.mark.parametrize("module", ["vcam", "vcam.cli", "vcam.live", "vcam.live.run", "vcam.live.onair",
                                    "vcam.control", "vcam.control.controller", "vcam.control.show",
                                    "vcam.remote.client", "vcam.remote.server",
                                    "vcam.remote.uploader", "vcam.prompttext", "vcam.engine.weight_files",
                                    "vcam.engine.taehv_weights"])
def test_the_light_side_leaves_torch_unloaded(module):
    code = f"import sys, {module}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_vcams_modules_import_each_other_without_a_cycle():
    """Counting imports made when a module is imported (top level), which are the ones that can deadlock or
    half-initialise a module; imports inside functions are deliberate and lazy."""
    known = modules()
    graph = {name: set() for name in known}
    for name, path in known.items():
        for mod, at_top in imported_names(path):
            if at_top and mod in known and mod != name and not (name == "vcam" or mod == "vcam"):
                graph[name].add(mod)
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_control_does_not_reach_into_the_live_loop():
    """Data flows one way: controls make actions; the live loop applies them. A control module importing the
    live loop would turn that around."""
    offenders = [f"{name} imports {mod}" for name, path in modules().items() if name.startswith("vcam.control")
                 for mod, at_top in imported_names(path) if at_top and mod.startswith("vcam.live")]
    assert offenders == []


def test_the_engine_does_not_import_the_live_loop():
    """The engine is a library under the live loop (vcam render, bench and scripts load it without a show): its
    progress lines and terminal widths live beside it in vcam/, not in live/."""
    offenders = [f"{name} imports {mod}" for name, path in modules().items() if name.startswith("vcam.engine")
                 for mod, at_top in imported_names(path) if at_top and mod.startswith("vcam.live")]
    assert offenders == []


@pytest.mark.parametrize("package", ["live", "control"])
def test_functions_fit_on_a_screen(package):
    long = []
    for path in (PACKAGE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


MAX_LINE = 120


def test_every_line_of_the_code_fits_in_120_characters():
    """A line past the width is cut or wrapped in a side-by-side diff and a terminal: the package, its scripts and
    its tests keep to one width."""
    root = PACKAGE.parent
    long = [f"{path.relative_to(root)}:{n}: {len(line)} characters"
            for folder in ("vcam", "scripts", "tests") for path in sorted((root / folder).rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if len(line) > MAX_LINE]
    assert not long, "lines past 120 characters (wrap them):\n" + "\n".join(long)


def readme_layout() -> str:
    """The README's map of the code: the fenced block under its "Where things are" heading."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Where things are", 1)[1]
    return section.split("```", 2)[1]


def test_the_readme_map_names_every_module_and_folder():
    """A module added without its line in the README's map leaves a reader looking for it in the wrong place."""
    named = set(re.findall(r"\w+", readme_layout()))
    folders = {path.parent.name for path in PACKAGE.rglob("__init__.py") if path.parent != PACKAGE}
    missing = sorted(f"vcam/{path.relative_to(PACKAGE)}" for path in PACKAGE.rglob("*.py")
                     if path.stem not in ("__init__", "__main__") and path.stem not in named)
    missing += sorted(f"vcam/{folder}/" for folder in folders if f"{folder}/" not in readme_layout())
    assert not missing, "not in the README's 'Where things are' map:\n" + "\n".join(missing)
