"""Run a notebook headless (papermill) and export it to HTML with the inputs hidden (nbconvert).

The export is an incident write-up that must open offline and must not run anything: it is self-contained (no
require.js, MathJax, mermaid or widget manager from a CDN; widget views and JavaScript outputs are left out) and
carries a Content-Security-Policy like the report's, so even markup that slipped through could not run script or
fetch anything. Every string from the target in the outputs is escaped by fsnb.present.escape where it is rendered.
"""
from __future__ import annotations

import os
from pathlib import Path

from fsnb.errors import TargetError

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"   # fsnb/present/notebook/ → the repository

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"

# the lab template, minus everything that fetches or runs script
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head -%}
<meta http-equiv="Content-Security-Policy" content="__CSP__">
{{ super() }}
{%- endblock html_head -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block footer_js -%}{%- endblock footer_js -%}
{%- block data_javascript scoped -%}{%- endblock data_javascript -%}
{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}
""".replace("__CSP__", CSP)


def check_out_dir(out_dir: str | Path) -> Path:
    """`--out`: a directory that exists or can be made in an existing parent (checked before anything runs)."""
    p = Path(out_dir).expanduser().absolute()
    if p.exists() and not p.is_dir():
        raise TargetError(f"--out {p}: exists and is not a directory")
    if not p.exists() and not p.parent.is_dir():
        raise TargetError(f"--out {p}: its parent directory {p.parent} does not exist")
    if not os.access(p if p.exists() else p.parent, os.W_OK):
        raise TargetError(f"--out {p}: not writable")
    return p


def run_notebook(name: str, out_dir: str | Path, parameters: dict, timeout: int = 240) -> Path:
    import papermill as pm
    from fsnb.present.output import private_dir
    out_dir = private_dir(Path(out_dir))
    out = out_dir / name
    # papermill's injected-parameters cell is visible in the output: only file paths and flags go in, never secrets
    for key, value in parameters.items():
        if isinstance(value, str) and any(w in key.lower() for w in ("password", "secret", "token")):
            raise ValueError(f"parameter {key!r} looks like a secret; pass secret sources through the target file")
    pm.execute_notebook(str(NOTEBOOKS / name), str(out), parameters={**parameters, "headless": True},
                        kernel_name="python3", progress_bar=False, execution_timeout=timeout, cwd=str(out_dir))
    return out


def exporter(hide_input: bool = True):
    import jinja2
    from nbconvert import HTMLExporter
    return HTMLExporter(template_file="fsnb_export.html.j2", extra_loaders=[jinja2.DictLoader({"fsnb_export.html.j2": _TEMPLATE})],
                        exclude_input=hide_input, exclude_input_prompt=hide_input, exclude_output_prompt=hide_input)


def export_html(notebook: str | Path, hide_input: bool = True) -> Path:
    import nbformat
    nb = nbformat.read(str(notebook), as_version=4)
    nb.metadata.pop("widgets", None)          # widget state: only for a widget manager, which is left out
    body, _ = exporter(hide_input).from_notebook_node(nb)
    from fsnb.present.output import write_private
    return write_private(Path(notebook).with_suffix(".html"), body, "export")
