"""What the orchestration tests share: the alert automations exactly as docs/orchestration.md documents them."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "orchestration.md"
MARKER = "<!-- alert-automations -->"


def documented_alert_automations(block_document_id: str) -> str:
    """The YAML block after the marker in docs/orchestration.md, with the notification block's id filled in."""
    text = DOCS.read_text(encoding="utf-8")
    block = text.split(MARKER, 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    return block.replace("BLOCK_DOCUMENT_ID", block_document_id)
