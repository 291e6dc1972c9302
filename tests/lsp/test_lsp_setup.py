"""Setting the server up: the subcommand, the VS Code extension folder and the editor configurations of docs/editors.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from racepolicy.language.parser import parser

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"
RACEPOLICY = str(Path(sys.executable).parent / "racepolicy")


def test_lsp_is_a_subcommand() -> None:
    done = subprocess.run([RACEPOLICY, "--help"], capture_output=True, text=True, check=True)
    assert re.search(r"^\s+lsp\s", done.stdout, flags=re.MULTILINE)
    assert "--stdio" in subprocess.run([RACEPOLICY, "lsp", "--help"], capture_output=True, text=True, check=True).stdout


def test_without_pygls_the_subcommand_says_what_to_install() -> None:
    code = "import sys; sys.modules['pygls'] = None; from racepolicy.cli.main import main; sys.exit(main(['lsp']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "pip install 'racepolicy[lsp]'" in done.stderr


def test_the_vscode_extension_starts_racepolicy_lsp_on_policy_files() -> None:
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    (language,) = package["contributes"]["languages"]
    assert language["extensions"] == [".policy"] and (VSCODE / language["configuration"]).is_file()
    (grammar,) = package["contributes"]["grammars"]
    assert (VSCODE / grammar["path"]).is_file() and (VSCODE / package["main"]).is_file()
    assert package["contributes"]["configuration"]["properties"]["racepolicy.server.command"]["default"] == ["racepolicy", "lsp"]
    assert "vscode-languageclient" in package["dependencies"]


def test_the_textmate_grammar_highlights_every_keyword_of_the_language() -> None:
    grammar = json.loads((VSCODE / "syntaxes" / "racepolicy.tmLanguage.json").read_text(encoding="utf-8"))
    pattern = grammar["repository"]["keyword"]["match"]
    highlighted = set(re.search(r"\(([^)]*)\)", pattern).group(1).split("|"))
    keywords = {t.pattern.value for t in parser().terminals if t.pattern.type == "str" and t.pattern.value.isalpha()}
    assert highlighted == keywords
    comment = re.compile(grammar["repository"]["comment"]["match"])
    assert comment.search("rule x = 1  # a note").group(0) == "# a note"
    citation = re.compile(grammar["repository"]["citation"]["match"])
    assert citation.search('fee 305 EUR § "ENTRY FEE ... UTMB®: 305€",').group(2) == '"ENTRY FEE ... UTMB®: 305€"'


def test_the_editor_configurations_in_the_docs_start_racepolicy_lsp() -> None:
    page = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    helix = tomllib.loads(re.search(r"```toml\n(.*?)```", page, re.S).group(1))
    assert helix["language-server"]["racepolicy"]["command"] == "racepolicy" and helix["language-server"]["racepolicy"]["args"] == ["lsp"]
    assert helix["language"][0]["file-types"] == ["policy"]
    settings = json.loads(re.search(r"```json\n(.*?)```", page, re.S).group(1))
    assert settings["racepolicy.server.command"][-1] == "lsp"
    assert 'cmd = { "racepolicy", "lsp" }' in page  # Neovim
