"""The page's own CSS and one small script, passed to Gradio at mount time (no files, no
network). The script makes `[n]` markers work: a click opens that citation's article view
with the exact span highlighted and scrolls to it; if the evidence panel is still showing
another answer (an older turn was clicked), it waits for the server to switch the panel.
"""

CSS = """
.fc-badge { display:inline-block; padding:2px 10px; border-radius:999px; font-weight:600;
  font-size:0.85em; letter-spacing:0.02em; color:#fff; margin-right:8px; }
.fc-supported { background:#1f7a3f; } .fc-refuted { background:#b3261e; }
.fc-conflicting { background:#a05a00; } .fc-not_enough_info { background:#5f6368; }
.fc-conf { font-size:0.85em; opacity:0.8; }
.fc-answer .fc-head { margin-bottom:6px; }
.fc-answer p.fc-sent { margin:4px 0; }
.fc-unsupported { text-decoration: underline wavy #b3261e; }
.fc-flag { font-size:0.75em; background:#fde7e4; color:#8c1d18; padding:1px 6px;
  border-radius:4px; text-decoration:none; display:inline-block; }
.fc-warnings { font-size:0.85em; color:#8c5a00; margin:6px 0 0 0; padding-left:18px; }
.fc-error { color:#8c1d18; }
.fc-pending { opacity:0.7; font-style:italic; }
.fc-notice { color:#8c1d18; background:#fde7e4; border-radius:6px; padding:6px 10px;
  font-size:0.92em; }
#fc-counter { font-size:0.85em; color:#555; min-height:0; }
.fc-count.fc-over { color:#8c1d18; font-weight:600; }
a.fc-cite { padding:0 1px; cursor:pointer; color:#1a56c4; font-weight:600; font-size:0.85em;
  vertical-align:super; line-height:1; text-decoration:none; }
a.fc-cite:hover, a.fc-cite:focus { text-decoration:underline; }
.fc-evidence { font-size:0.95em; }
.fc-evidence.fc-empty { opacity:0.75; }
.fc-ev-head { margin-bottom:10px; }
.fc-ev-query { font-style:italic; margin-top:4px; }
.fc-group > h4 { margin:12px 0 6px 0; font-size:0.95em; }
.fc-group[data-stance="supports"] > h4 { color:#1f7a3f; }
.fc-group[data-stance="refutes"] > h4 { color:#b3261e; }
.fc-card { border:1px solid var(--border-color-primary, #ddd); border-radius:8px;
  padding:10px 12px; margin:0 0 10px 0; }
.fc-title { font-weight:600; font-family: system-ui, sans-serif; }
.fc-untitled { font-weight:400; font-style: italic; }
.fc-meta, .fc-source-id { font-size:0.8em; opacity:0.8; }
.fc-lang { font-weight:600; }
.fc-stance-supports { color:#1f7a3f; } .fc-stance-refutes { color:#b3261e; }
.fc-stance-neutral, .fc-stance-mixed { color:#5f6368; }
.fc-quote-block { margin-top:8px; border-radius:6px; padding:4px 6px; }
.fc-quote-block.fc-focus { outline:2px solid #1a56c4; }
.fc-quote-head { font-size:0.85em; }
.fc-reason { opacity:0.8; }
blockquote.fc-context { margin:4px 0; padding:4px 10px; border-left:3px solid #c9c9c9;
  font-family: Georgia, 'Times New Roman', serif; white-space:pre-wrap; }
mark.fc-quote, mark.fc-span { background:#fff1a8; color:#111; padding:0 1px; }
details.fc-article summary { cursor:pointer; font-size:0.85em; color:#1a56c4; }
.fc-article-text { white-space:pre-wrap; max-height:320px; overflow:auto; padding:8px;
  border:1px solid var(--border-color-primary, #ddd); border-radius:6px; margin-top:6px;
  font-family: Georgia, 'Times New Roman', serif; font-size:0.92em; }
table.fc-claims, table.fc-sources { width:100%; border-collapse:collapse; }
table.fc-claims td, table.fc-claims th, table.fc-sources td, table.fc-sources th {
  border-bottom:1px solid var(--border-color-primary, #ddd); padding:6px; vertical-align:top;
  text-align:left; }
.fc-num { text-align:right; }
.fc-summary .fc-count { margin-left:4px; color:#fff; padding:0 6px; border-radius:4px; }
"""

HEAD = """
<script>
(() => {
  // the character counter under the chat input (ui.chat.counter_html): near and over the
  // limit it says how many characters there are, so a long question is cut before Ask
  document.addEventListener('input', (e) => {
    const t = e.target;
    if (!t || !t.closest || !t.closest('#fc-input')) return;
    const el = document.querySelector('#fc-counter .fc-count');
    if (!el) return;
    const lim = Number(el.dataset.limit), from = Number(el.dataset.from);
    const n = (t.value || '').length;
    el.textContent = n >= from * lim ? n.toLocaleString('en') + ' / ' +
      lim.toLocaleString('en') + ' characters' + (n > lim ? ' — too long to send, shorten it'
      : '') : '';
    el.classList.toggle('fc-over', n > lim);
  }, true);
})();
</script>
<script>
(() => {
  // the script carries no data; it only opens the citation a [n] link points at
  function openCitation(id, tries) {
    const block = document.getElementById(id);
    if (!block) {
      if (tries > 0) setTimeout(() => openCitation(id, tries - 1), 150);
      return;
    }
    document.querySelectorAll('.fc-quote-block.fc-focus')
      .forEach((el) => el.classList.remove('fc-focus'));
    block.classList.add('fc-focus');
    // open every enclosing <details> too, e.g. a claim's collapsed evidence (Check tab)
    for (let d = block.closest('details'); d; d = d.parentElement?.closest('details')) {
      d.open = true;
    }
    const article = block.querySelector('details.fc-article');
    if (article) article.open = true;
    const mark = block.querySelector('mark.fc-span') || block;
    mark.scrollIntoView({block: 'center'});
  }
  document.addEventListener('click', (ev) => {
    const link = ev.target instanceof Element ? ev.target.closest('a.fc-cite') : null;
    if (!link) return;
    ev.preventDefault();  // the page has a <base>: never navigate, open the panel instead
    openCitation((link.getAttribute('href') || '').slice(1), 80);  // up to 12 s
  });
})();
</script>
"""
