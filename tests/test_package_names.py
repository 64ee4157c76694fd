"""One name, one thing: the package's public names, its layering, and its history keys."""

import ast
import importlib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from tools.docs_sybil import expand_snippets
from tools.fences import find_fences
from tools.mkdocs_config import ROOT

PACKAGE = ROOT / "snippets"
MODULES = sorted(
    path for path in PACKAGE.rglob("*.py") if not path.name.startswith("_") and "figures" not in path.parts
)
# The layer library: what a post builds networks from. It imports none of the modules
# that train it, so that a reader can take the layers without the experiments.
LAYER_LIBRARY = {"activations", "losses", "layers", "conv", "network", "optim", "gradcheck", "checks", "data"}
EXPERIMENTS = {"intro", "numpy_net", "cnn", "frameworks", "figures"}
LAYER_MODULES = {"layers", "conv", "network", "optim"}
HISTORY_KEYS = {"loss", "accuracy", "val_loss", "val_accuracy"}


def top_level_public_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return {name for name in names if not name.startswith("_")}


def snippets_imports(path: Path) -> set[str]:
    """The snippets modules a file imports: "layers" for ``from snippets.layers import ...``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("snippets."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("snippets."))
    return found


def module_name(path: Path) -> str:
    """The dotted name of a module of the package: snippets/exercises/cnn.py -> snippets.exercises.cnn."""
    return ".".join(("snippets", *path.relative_to(PACKAGE).with_suffix("").parts))


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_every_public_module_lists_its_public_names_in_all(path):
    module = importlib.import_module(module_name(path))
    assert hasattr(module, "__all__"), f"snippets/{path.name} has no __all__"
    assert sorted(module.__all__) == sorted(top_level_public_names(path)), (
        f"snippets/{path.name}: __all__ must list exactly the public names it defines"
    )


def test_each_public_name_is_defined_once_across_the_package():
    places = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in top_level_public_names(path):
            places[name].append(str(path.relative_to(ROOT)))
    repeated = {name: where for name, where in places.items() if len(where) > 1}
    assert not repeated, f"names defined in several modules: {repeated}"


@pytest.mark.parametrize("name", sorted(LAYER_LIBRARY))
def test_the_layer_library_imports_no_experiment(name):
    imported = snippets_imports(PACKAGE / f"{name}.py")
    assert not imported & EXPERIMENTS, f"snippets/{name}.py imports {sorted(imported & EXPERIMENTS)}"


@pytest.mark.parametrize("name", ["activations", "losses", "layers", "conv"])
def test_a_layer_needs_no_network_optimiser_or_data(name):
    """Conv2D sits beside the other layers, not beside the loop that trains it."""
    imported = snippets_imports(PACKAGE / f"{name}.py")
    assert imported <= {"checks", "activations", "layers"}, f"snippets/{name}.py imports {sorted(imported)}"


def test_the_autograd_engine_imports_no_layer():
    imported = snippets_imports(PACKAGE / "autograd.py")
    assert not imported & LAYER_MODULES, f"snippets/autograd.py imports {sorted(imported & LAYER_MODULES)}"


def test_no_module_is_private_except_the_package_files():
    private = [path.name for path in PACKAGE.glob("_*.py") if path.name not in {"__init__.py", "__main__.py"}]
    assert not private, f"a private module cannot be shown to readers: {private}"


def shown_texts():
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for fence in find_fences(page.read_text(encoding="utf-8")):
            yield f"{page.relative_to(ROOT)}:{fence.line}", expand_snippets(fence.source)
    for notebook in sorted((ROOT / "docs" / "notebooks").glob("*.py")):
        yield str(notebook.relative_to(ROOT)), notebook.read_text(encoding="utf-8")


def test_shown_imports_name_public_modules_only():
    private = [
        f"{place}: {line.strip()}"
        for place, text in shown_texts()
        for line in text.splitlines()
        if line.lstrip().startswith(("from snippets._", "import snippets._"))
    ]
    assert not private, "shown imports of private modules:\n" + "\n".join(private)


def test_histories_use_one_set_of_keys():
    from snippets.cnn import train_adam_cosine
    from snippets.layers import Dense
    from snippets.network import Sequential
    from snippets.optim import Adam

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)), np.eye(2)[rng.integers(0, 2, 8)]
    model = Sequential([Dense(3, 2, rng)])
    fitted = model.fit(x, y, Adam(), epochs=1, batch_size=4, rng=rng, validation=(x, y))
    trained = train_adam_cosine(Sequential([Dense(3, 2, rng)]), x, y, x, y, rng, epochs=1)
    assert set(fitted) == HISTORY_KEYS
    assert set(trained) <= HISTORY_KEYS
    assert {"loss", "val_loss", "val_accuracy"} <= set(trained)
