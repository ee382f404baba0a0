"""`python -m archive`: runs the command line (`cli.main`) by name — an entry point, not an
import: nothing in the library depends on the command line above it."""
import runpy

runpy.run_module("cli.main", run_name="__main__", alter_sys=True)
