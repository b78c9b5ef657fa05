import pytest
from conftest import SEEDS, seed_text

from rag.errors import ConfigError
from rag.ingest.sources import build_document, load_sources_yaml, read_text_file


def _doc(source):
    return build_document(source, seed_text(source))


def _marked(doc, kind):
    return [doc.text[s.start:s.end] for s in doc.spans if s.kind == kind]


def test_languages_and_titles_of_the_seeds():
    langs = {p.stem: build_document(p.stem, p.read_text("utf-8")).lang
             for p in SEEDS.glob("*.txt")}
    assert langs["000_50532e2996062e32"] == "sv"
    assert [v for k, v in langs.items() if k != "000_50532e2996062e32"] == ["en"] * 4
    assert _doc("004_797c8833192f9c9f").title.startswith("Estonia Says NATO Countries")
    d = _doc("001_0f2719b2d72ad6a5")
    assert d.title_from == "first_sentence" and d.title


@pytest.mark.parametrize("source,snippet", [
    ("002_02562407c6cc2ec0", "Read also:"),
    ("002_02562407c6cc2ec0", "Macron advocates strategic ambiguity"),
    ("003_fd4e6618132d0377", "Photo: insidethegames.biz"),
    ("003_fd4e6618132d0377", "Read LB.ua news on social networks"),
    ("003_fd4e6618132d0377", "MainNews -"),
    ("004_797c8833192f9c9f", "follow him on Twitter"),
])
def test_boilerplate_is_marked_and_never_body(source, snippet):
    doc = _doc(source)
    assert any(snippet in t for t in _marked(doc, "boilerplate"))
    assert not any(snippet in t for t in _marked(doc, "body"))


def test_provenance_only_where_the_text_states_it():
    assert _doc("004_797c8833192f9c9f").provenance.author == "Dave DeCamp"
    assert _doc("003_fd4e6618132d0377").provenance.publisher == "LB.ua"
    p = _doc("001_0f2719b2d72ad6a5").provenance
    assert (p.publisher, p.author, p.url, p.date) == (None, None, None, None)


def test_sources_yaml_is_validated(tmp_path):
    (tmp_path / "sources.yaml").write_text("a:\n  publisher: X\n  colour: red\n")
    with pytest.raises(ConfigError, match="unknown field 'colour'"):
        load_sources_yaml(tmp_path)
    (tmp_path / "sources.yaml").write_text("a:\n  url: not-a-url\n")
    with pytest.raises(ConfigError, match="http"):
        load_sources_yaml(tmp_path)
    (tmp_path / "sources.yaml").write_text("a:\n  date: 2024-13-45\n")
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        load_sources_yaml(tmp_path)
    (tmp_path / "sources.yaml").write_text("a: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_sources_yaml(tmp_path)
    (tmp_path / "sources.yaml").write_text("a:\n  publisher: Example News\n  date: 2024-03-05\n")
    assert load_sources_yaml(tmp_path) == {"a": {"publisher": "Example News",
                                                  "date": "2024-03-05"}}


def test_the_project_sources_yaml_loads():
    meta = load_sources_yaml(SEEDS)
    assert set(meta) <= {p.stem for p in SEEDS.glob("*.txt")}


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"), (b"   \n\t", "empty"), (b"\x00\x01binary", "binary"),
    (b"caf\xe9 latin-1", "UTF-8"),
])
def test_bad_files_have_reasons(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(ValueError, match=reason):
        read_text_file(p, 1000)


def test_huge_file_is_refused(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("a" * 2000)
    with pytest.raises(ValueError, match="too large"):
        read_text_file(p, 1000)


def test_nfc_and_nfd_hash_the_same():
    import unicodedata

    text = "Kosiniak-Kamysz och Šimonytė sade något."
    a = build_document("a", unicodedata.normalize("NFC", text))
    b = build_document("a", unicodedata.normalize("NFD", text))
    assert a.hash == b.hash and a.text != b.text
