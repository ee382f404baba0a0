"""The `archive` command line, on top of everything: `cli.main.main` is the console script, and
`python -m archive` runs it too (archive/__main__.py runs this module by name, so the library
never imports its command line)."""
