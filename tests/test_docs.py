"""Documentation keeps up with the code: every CLI command and option, every setting."""

import argparse
import re
from pathlib import Path

from threatmon.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_cli_command_and_option_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text()
    for name, sub in _subcommands().items():
        assert f"threatmon {name}" in text, f"`threatmon {name}` is not in docs/cli.md"
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in text, f"{option} of `threatmon {name}` is undocumented"


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:\w+)?\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no code block"
    assert blocks[0].split() == ["make", "run", "make", "test"]


def test_environment_variables_are_documented():
    code = "\n".join(p.read_text() for p in ROOT.glob("*/*.py") if ".venv" not in p.parts)
    names = set(re.findall(r"\"(THREATMON_[A-Z_]+)\"", code))
    docs = "\n".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    missing = sorted(n for n in names if n not in docs)
    assert not missing, f"undocumented environment variables: {missing}"
