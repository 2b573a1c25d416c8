"""The layers of DESIGN.md §1 hold: a lower layer never imports a higher one, and no two modules import each other.

Inline imports count too: an import inside a function is still a dependency. Upward calls go through
signals and registries (like `members.services.EXPORTERS`), which need no import of the higher app.
"""

import ast
import configparser
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# The layer order, lowest first. The project shell sits on top of every app.
LAYERS = [
    "coalition",
    "members",
    "network",
    "signals",
    "groups",
    "surveys",
    "journal",
    "events",
    "announcements",
    "cockpit",
]
SHELL = {"coalition.views", "coalition.urls", "coalition.wsgi", "coalition.asgi"}
SHELL_PACKAGES = ("coalition.management",)


def _modules():
    for app in LAYERS:
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def _layer(module):
    if module in SHELL or module.startswith(SHELL_PACKAGES):
        return len(LAYERS)
    return LAYERS.index(module.split(".")[0])


def _imports(module, path):
    """Every module of ours that `module` imports, at the top or inline, resolved to absolute names."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
                names = [target] + [f"{target}.{alias.name}" for alias in node.names]
            else:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] in LAYERS)
    return found


def _graph():
    modules = dict(_modules())
    graph = {}
    for module, path in modules.items():
        # "from .models import Event" names the module events.models, not a module events.models.Event.
        graph[module] = {name for name in _imports(module, path) if name in modules and name != module}
    return graph


def test_no_lower_layer_imports_a_higher_one():
    upward = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_no_two_modules_import_each_other():
    graph = _graph()
    cycles = set()

    def visit(module, trail):
        for target in graph[module]:
            if target in trail:
                cycle = trail[trail.index(target) :]
                start = cycle.index(min(cycle))
                cycles.add(" -> ".join([*cycle[start:], *cycle[:start], min(cycle)]))
            elif target not in done:
                visit(target, [*trail, target])
        done.add(module)

    done = set()
    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    assert sorted(cycles) == []


def test_the_suite_collects_the_tests_of_every_app():
    """`make test` and CI run pytest's testpaths: an app missing there has tests that never run."""
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    with_tests = {app for app in LAYERS if (ROOT / app / "tests").is_dir()}
    assert with_tests - testpaths == set()
    assert "tests_e2e" in testpaths
