"""The synthesis draft and its exports (Markdown, ODT, DOCX, PDF). No Textual, no Rich."""
