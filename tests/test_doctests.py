"""The examples in fbgym's docstrings run, and say what they show."""

import doctest
import importlib
import pkgutil

import pytest

import fbgym

OPTIONAL = ("fbgym.agents.llm", "fbgym.integrations")
"""Modules that need an optional extra; their examples run where it is installed."""

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(fbgym.__path__, "fbgym.")
    if not info.name.startswith(OPTIONAL)
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
