"""No code execution from policy text: the package never evaluates, executes or imports text it is given."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FILES = sorted(p for folder in ("dsl", "plugins", "repl") for p in (ROOT / folder).rglob("*.py"))

# Calls that run or load code chosen at run time.
FORBIDDEN = {"eval", "exec", "compile", "execfile", "breakpoint", "input"}
FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "subprocess", "ctypes", "code", "codeop", "runpy"}
# The compiled runner turns the checked AST into Python source and compiles it: that source is
# generated (names mapped, literals passed in a namespace), never text from a policy, which
# tests/test_compiler.py::test_generated_code_holds_no_text_from_the_policy checks. It is the
# one file allowed to call compile() and exec(), with the fused loop of `racepolicy run`, whose source
# holds field positions and generated names only (tests/test_batch_fast.py::test_the_generated_loop_holds_no_text_from_the_input).
CODE_GENERATORS = {"dsl/evaluation/codegen.py", "dsl/tools/batch_fast.py"}
# Dynamic imports whose argument is not a literal, where the module name comes from the package's own table.
# And the plugins' entry points, as installed distributions declare them in their entry_points.txt (pluggy imported them
# itself before; plugin_cache reads the declaration again before importing what the cache names).
ALLOWED_DYNAMIC_IMPORTS = {("dsl/cli/main.py", "COMMANDS"), ("dsl/__init__.py", "_LAZY"), ("dsl/pluginapi/plugin_cache.py", "declared")}


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def test_the_package_has_python_files_to_check() -> None:
    assert any(p.name == "interpreter.py" for p in PACKAGE_FILES)


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_eval_exec_or_compile_of_text(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = {"compile", "exec"} if str(path.relative_to(ROOT)) in CODE_GENERATORS else set()
    found = [
        f"line {c.lineno}: {_name(c.func)}()" for c in _calls(tree)
        if isinstance(c.func, ast.Name) and c.func.id in FORBIDDEN - allowed
    ]
    found += [f"line {c.lineno}: builtins.{c.func.attr}()" for c in _calls(tree)
              if isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name) and c.func.value.id == "builtins"]
    assert not found, f"{path.name} runs code from text: {found}"


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_that_runs_or_deserialises_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & FORBIDDEN_MODULES


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dynamic_imports_only_take_names_from_the_package_itself(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in _calls(tree):
        if _name(call.func) not in ("import_module", "__import__") or not call.args:
            continue
        arg = call.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            continue
        sources = {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}
        table_lookups = {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)}
        assert any((relative, table) in ALLOWED_DYNAMIC_IMPORTS and (table in sources or table in table_lookups) for table in
                   {t for _, t in ALLOWED_DYNAMIC_IMPORTS}), f"{relative}:{call.lineno} imports a module named at run time"


def test_a_policy_that_looks_like_python_is_just_a_syntax_error() -> None:
    from racepolicy.language.errors import PolicyError
    from racepolicy.language.parser import parse_policy

    for text in ['__import__("os").system("true")', 'rule r = eval("1")', 'edition utmb 2022 "t" rule r = exec("import os")']:
        try:
            parse_policy(text)
        except PolicyError:
            continue
        # Parsing may succeed (a call to an unknown function), but loading must refuse it.
        from racepolicy.language.source import Source
        from racepolicy.query.policyset import compile_source

        with pytest.raises(PolicyError):
            compile_source(Source("evil.policy", text), None)
