"""Where the repository's own files are: one place, so moving a module never breaks a path."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
EVAL_DIR = ROOT / "eval"
