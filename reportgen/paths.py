"""Where a project's templates are: needed by the renderer and by the build's cache check.

Kept apart from `render` (which imports Jinja2 and matplotlib) so that a
build with nothing to do can find its inputs without loading any renderer.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def templates_dir(project_root: Path) -> Path:
    """The project's own templates/, or the ones that come with reportgen."""
    own = Path(project_root) / "templates"
    return own if (own / "base.html").is_file() else PACKAGE_TEMPLATES
