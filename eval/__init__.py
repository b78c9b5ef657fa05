"""The eval harness: suites and labels (`dataset`), per-answer scoring (`scoring`), metrics
as plain functions (`metrics`), support judges (`judges`, `offline_judge`, `llm_judge`) and
their meta-evaluation (`meta`), the runner, paired tests (`stats`), the release gate
(`gate`), reports (`report`, `plots`) and the `factcheck eval` commands (`cli`).

Importing it does no work; nothing here changes the engine (`rag/`), it only calls it.
"""
