"""Models written natively in PyTorch Geometric.

PyG renders a ``propagate`` module for each ``MessagePassing`` class from a jinja template
and imports it from a file in the system temp folder, which it never removes. Importing this
package makes that file go away as soon as the module is loaded (its source stays readable
for tracebacks, from the line cache).
"""

from __future__ import annotations

import functools
import linecache
import os
import tempfile
from typing import Any

import torch_geometric.nn.conv.message_passing as _message_passing


def _loaded_then_removed(render: Any) -> Any:
    @functools.wraps(render)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        module = render(*args, **kwargs)
        path = getattr(module, "__file__", None)
        if not path or os.path.dirname(path) != tempfile.gettempdir() or not os.path.isfile(path):
            return module
        try:
            with open(path) as fh:
                lines = fh.readlines()
            linecache.cache[path] = (sum(map(len, lines)), None, lines, path)
            os.unlink(path)
        except OSError:
            pass
        return module

    wrapper._gnnlift_cleans = True  # type: ignore[attr-defined]
    return wrapper


if not getattr(_message_passing.module_from_template, "_gnnlift_cleans", False):
    _message_passing.module_from_template = _loaded_then_removed(_message_passing.module_from_template)
