"""The spec: its model, how a spec file is read, its JSON Schema and reference, its types."""
