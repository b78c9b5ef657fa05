"""Fact-check retrieval QA over a set of news articles.

    from rag import FactChecker
    fc = FactChecker.from_settings()
    answer = fc.ask("Does harm to NATO trainers trigger Article 5?")
    print(answer.to_dict())

Nothing is loaded at import time: models and the index load on first use.
"""

from typing import Any

__all__ = ["FactChecker", "Answer", "Settings"]


def __getattr__(name: str) -> Any:  # lazy: keep `import rag` free of heavy imports
    if name == "FactChecker":
        from rag.pipeline import FactChecker

        return FactChecker
    if name == "Answer":
        from rag.types import Answer

        return Answer
    if name == "Settings":
        from rag.config import Settings

        return Settings
    raise AttributeError(name)
