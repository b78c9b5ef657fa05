"""Ingest: article files -> `Document`s -> sentence-aligned `Chunk`s -> a new index build.

- `sources`: reading a file (UTF-8, NFC), its title, language, provenance (text or
  sources.yaml, never invented) and clean spans (hidden text marked by `rag.safety.hidden`);
- `chunk`: token-bounded (tiktoken), sentence-aligned windows with offsets into the text;
- `build`: the `ingest` / `remove_documents` commands: incremental, atomic, one writer.

What it does not hold: where builds are stored and how they are read back (`rag.index.vectors`).
"""
