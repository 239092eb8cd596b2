"""The renderers: Word (the only module that imports docx), Markdown and plain text, PDF."""
