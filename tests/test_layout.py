"""The layout a newcomer relies on: folders by pipeline stage, small folders, every import line leads to its file."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DSL = ROOT / "dsl"
STAGES = sorted(p for p in DSL.iterdir() if p.is_dir() and (p / "__init__.py").exists())
MODULES = sorted(p for p in DSL.rglob("*.py"))
MAX_MODULES = 12  # "at most about ten modules in one folder"


def import_name(path: Path) -> str:
    parts = path.relative_to(DSL).with_suffix("").parts
    return ".".join(("racepolicy", *(p for p in parts if p != "__init__")))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(DSL)) for p in MODULES])
def test_every_import_name_leads_to_its_file(path: Path) -> None:
    # pyproject's package-dir maps dsl/ to racepolicy: racepolicy.query.forms is dsl/query/forms.py.
    module = importlib.import_module(import_name(path))
    assert Path(module.__file__).resolve() == path.resolve()  # type: ignore[arg-type]


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(DSL)) for p in MODULES])
def test_every_module_says_what_it_is_for_in_one_line(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, f"{path.relative_to(ROOT)} has no docstring"


@pytest.mark.parametrize("folder", STAGES, ids=[p.name for p in STAGES])
def test_no_folder_is_a_heap(folder: Path) -> None:
    modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES, f"{folder.name}/ holds {len(modules)} modules: split it by what they are for"


def test_the_readme_layout_names_every_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    listed = set(re.findall(r"^\| `([a-z/]+)/` \| `(racepolicy[a-z.]*)` \|", layout, flags=re.M))
    for folder in STAGES:
        assert (f"dsl/{folder.name}", f"racepolicy.{folder.name}") in listed, folder.name


def test_the_public_surface_needs_no_internals() -> None:
    import racepolicy

    for name in ("load", "loads", "Rulebook", "RuleFunction", "Decision", "Answer", "PolicySet", "PolicyError", "PolicyErrors", "to_python"):
        assert name in racepolicy.__all__ and getattr(racepolicy, name) is not None
    for internal in ("Source", "NOWHERE", "Evaluator", "compile_edition"):
        assert internal not in racepolicy.__all__
