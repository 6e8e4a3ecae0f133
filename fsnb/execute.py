"""Run a notebook headless (papermill) and export it to HTML with the inputs hidden (nbconvert)."""
from __future__ import annotations

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def run_notebook(name: str, out_dir: str | Path, parameters: dict, timeout: int = 240) -> Path:
    import papermill as pm
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / name
    # papermill's injected-parameters cell is visible in the output: only file paths and flags go in, never secrets
    for key, value in parameters.items():
        if isinstance(value, str) and any(w in key.lower() for w in ("password", "secret", "token")):
            raise ValueError(f"parameter {key!r} looks like a secret; pass secret sources through the target file")
    pm.execute_notebook(str(NOTEBOOKS / name), str(out), parameters={**parameters, "headless": True},
                        kernel_name="python3", progress_bar=False, execution_timeout=timeout, cwd=str(out_dir))
    return out


def export_html(notebook: str | Path, hide_input: bool = True) -> Path:
    import nbformat
    from nbconvert import HTMLExporter
    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(exclude_input=hide_input, exclude_input_prompt=hide_input, exclude_output_prompt=hide_input)
    body, _ = exporter.from_notebook_node(nb)
    out = Path(notebook).with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out
