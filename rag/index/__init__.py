"""The index: where builds live and how a query reads them.

- `vectors`: Chroma through llama-index — the only code that imports chromadb or llama-index;
- `bm25`: the lexical (BM25) index over stems;
- `store`: the `Store` protocol, and embedded mode's files: the manifest, each build's
  documents, chunks and sentence vectors, the writer lock;
- `server`: server mode, the whole index (and a writer lease) in a Chroma server;
- `snapshot`: one loaded build (everything a query needs), reloaded when the manifest moves;
- `checkpoint`: named points along the write path (a crash-test hook, inert otherwise).

What it does not hold: reading article files (`rag.ingest.build`) or ranking (`rag.query`).
"""
