"""Reviewing drafts: reading .docx files, comparing drafts, the redline, a returned draft's edits."""
