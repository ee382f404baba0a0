"""The README's command reference says what `archive --help` says: the same commands, and for
each the same options (and choices), so the two cannot drift apart."""
import re
from pathlib import Path

import pytest

from cli.main import main

README = Path(__file__).resolve().parents[1] / "README.md"
FLAG = re.compile(r"--[a-z][a-z-]*")


def readme_commands() -> dict[str, str]:
    """command -> its syntax as the README's command block writes it ("" = the global line)."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## The command line", 1)[1].split("```", 2)[1]
    commands: dict[str, str] = {}
    last = None
    for line in block.splitlines():
        syntax = re.split(r"\s{2,}(?=[^\s\[])", line.strip(), maxsplit=1)[0]
        if line.startswith("archive "):
            words = re.sub(r"\[[^\]]*\]", "", syntax).split()[1:]
            last = "" if words[0] == "COMMAND" else words[0]
            commands[last] = syntax
        elif line.startswith(" ") and syntax.startswith("[") and last is not None:
            commands[last] += " " + syntax
    return commands


def help_text(capsys, *argv) -> str:
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def usage(help_out: str) -> str:
    return help_out.split("\n\n", 1)[0]


def test_the_readme_lists_every_command_and_no_other(capsys):
    commands = set(re.findall(r"^    ([a-z]+) ", help_text(capsys), flags=re.M))
    assert len(commands) >= 10 and set(readme_commands()) - {""} == commands


@pytest.mark.parametrize("command", sorted(set(readme_commands()) - {""}))
def test_each_command_has_the_options_the_readme_gives(capsys, command):
    documented = readme_commands()[command]
    said = usage(help_text(capsys, command))
    assert set(FLAG.findall(documented)) == set(FLAG.findall(said)) - {"--help"}
    for flag, choices in re.findall(r"(--[a-z-]+) ([a-z0-9]+(?:\|[a-z0-9]+)+)", documented):
        assert f"{flag} {{{choices.replace('|', ',')}}}" in said


def test_the_global_options_are_documented(capsys):
    said = usage(help_text(capsys))
    assert set(FLAG.findall(readme_commands()[""])) == set(FLAG.findall(said)) - {"--help"}


def readme_invocations() -> list[str]:
    """Every `archive …` command the README's prose and examples write (inline code and
    shell lines), e.g. `archive restore SRC --data DIR`."""
    text = README.read_text(encoding="utf-8").split("## The command line", 1)
    prose = text[0] + text[1].split("```", 2)[2]  # all but the reference block itself
    found = re.findall(r"`(?:[^`]*/)?(archive (?:--?[a-z][^`]*?|[a-z][^`]*?))`", prose)
    found += re.findall(r"^\s*(?:sudo .*?)?(?:\S*/)?(archive [^\n#`]+)", prose, flags=re.M)
    return found


def test_every_command_the_readme_mentions_exists_with_those_options(capsys):
    said = {}
    for line in readme_invocations():
        words = [w for w in line.split() if not w.startswith("$")]
        rest = words[1:]
        while rest and rest[0].startswith("-"):  # global options, e.g. --data DIR
            rest = rest[2:] if rest[0] == "--data" else rest[1:]
        if not rest or not re.fullmatch(r"[a-z]+", rest[0]):
            continue
        command = rest[0]
        if command not in said:
            said[command] = usage(help_text(capsys, command))
        flags = set(FLAG.findall(" ".join(rest[1:]))) - {"--help"}
        assert flags <= set(FLAG.findall(said[command])), (line, flags)
    assert {"backup", "restore", "unlock", "check", "reindex"} <= set(said)
