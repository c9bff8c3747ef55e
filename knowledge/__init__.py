"""Touchstone's knowledge: notes, their hybrid index, and cited answers.

Nothing here imports Discord. The entry point is :class:`knowledge.service.KnowledgeBase`;
the submodules are named for what they hold (note, chunking, embeddings, bm25, store,
retrieval, answer). Imports stay light so ``import knowledge`` costs nothing: chromadb,
onnxruntime and the text splitters load on first use.
"""
