"""schema.org ClaimReview JSON-LD for a claim's verdict (what fact-checkers publish so that
search engines and aggregators can read the rating)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rag.types import Answer

RATINGS = {
    "supported": (5, "Supported by the sources"),
    "conflicting": (3, "Sources conflict"),
    "refuted": (1, "Refuted by the sources"),
    "not_enough_info": (None, "Not enough information in the sources"),
}


def claimreview(answer: Answer, docs_meta: dict[str, dict[str, Any]] | None = None,
                today: date | None = None) -> dict[str, Any]:
    docs_meta = docs_meta or {}
    value, name = RATINGS[answer.verdict]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": name,
                              "bestRating": 5, "worstRating": 1}
    if value is not None:
        rating["ratingValue"] = value
    appearances = []
    for c in answer.citations:
        meta = docs_meta.get(c.source, {})
        work: dict[str, Any] = {"@type": "CreativeWork", "headline": c.title,
                                "identifier": c.source, "inLanguage": c.lang}
        for key, prop in (("url", "url"), ("publisher", "publisher"), ("author", "author"),
                          ("date", "datePublished")):
            if meta.get(key):
                work[prop] = meta[key]
        if work not in appearances:
            appearances.append(work)
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": answer.query,
        "datePublished": (today or date.today()).isoformat(),
        "inLanguage": answer.lang,
        "author": {"@type": "Organization", "name": "factcheck (automated, extractive)"},
        "reviewRating": rating,
        "reviewBody": answer.answer,
        "itemReviewed": {"@type": "Claim", "appearance": appearances},
    }
