"""The engine is plain Python: no module under methodologies/engine imports Django."""

import ast
from pathlib import Path

import methodologies.engine

ENGINE = Path(methodologies.engine.__file__).parent


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_no_engine_module_imports_django():
    files = sorted(ENGINE.rglob("*.py"))
    assert {"calculation.py", "document.py", "reader.py"} <= {f.name for f in files}

    for path in files:
        source = path.read_text(encoding="utf-8")
        modules = imported_modules(source)
        assert not [m for m in modules if m == "django" or m.startswith("django.")], path
        assert "__import__" not in source and "import_module" not in source, path


def test_the_check_itself_sees_django_imports():
    assert "django.db" in imported_modules("from django.db import models")
    assert "django" in imported_modules("import django")
