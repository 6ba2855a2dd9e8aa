"""Imports aiogram with its Bot API models built when first used, not all at import.

`aiogram.types` ends by calling `model_rebuild()` on each of its ~450 models so that pydantic resolves
the names they import only under `TYPE_CHECKING`: that builds every schema and validator of the whole
Bot API at import, ~100 MB of RSS that a bot using a few dozen of them never needs (`import aiogram`
alone was 165 MB here, against a budget of 150 MB for the whole bot). The models already ask for
`defer_build`; only that loop defeats it. So while aiogram is imported the loop is skipped, and then
the names it would have passed are put in the modules of aiogram's types and methods, as if imported
at run time: pydantic finds them there when it builds a model on its first use.

Measured (aiogram 3.31, pydantic 2.13): `import aiogram` 166 MB, `import bot` (aiogram through this)
69 MB. tests/test_lazy_models.py checks that every model still builds and Telegram's answers parse.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


def import_aiogram_lazily() -> None:
    """Import aiogram, its models to be built on first use. Does nothing if it is imported already
    (then it was imported the usual way, every model built)."""
    if "aiogram" in sys.modules:
        return
    rebuild = BaseModel.__dict__["model_rebuild"]
    names: dict[str, Any] = {}

    def defer(
        cls: type[BaseModel],
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Mapping[str, Any] | None = None,
    ) -> bool | None:
        if _types_namespace is None or force or cls.__pydantic_complete__:
            return rebuild.__func__(  # type: ignore[no-any-return]
                cls,
                force=force,
                raise_errors=raise_errors,
                _parent_namespace_depth=_parent_namespace_depth + 1,
                _types_namespace=_types_namespace,
            )
        if not names:  # the same for every model: aiogram's types and typing's names
            names.update(_types_namespace)
        return None

    BaseModel.model_rebuild = classmethod(defer)  # type: ignore[assignment, method-assign]
    try:
        import aiogram.methods  # noqa: F401  (aiogram.client imports them all anyway)
    finally:
        BaseModel.model_rebuild = rebuild  # type: ignore[method-assign]
    for name, module in list(sys.modules.items()):
        if name.startswith(("aiogram.types.", "aiogram.methods.")):
            for key, value in names.items():
                module.__dict__.setdefault(key, value)
