"""External data in the harness: public sets nobody on this project wrote.

- `data`: where they are (`../shared/data` beside the checkout, `FACTCHECK_EXTERNAL_DATA`,
  or `--data`), and the one-line error when they are not there;
- `loaders`: one loader per file, each returning frozen `Pair`s (premise, hypothesis,
  NLI label) or `Claim`s, with `file:line` errors on malformed rows;
- `pairs`: pair suites — `score_pairs(pairs, predict)` scores any stance function
  (balanced accuracy, per-label precision/recall, confusion, per phenomenon, per language)
  and adapters from the harness's judges to such a function;
- `sample`: seeded, stratified subsets (the CI-sized run);
- `corpus`: the Climate-FEVER corpus suite (documents by article, a temp index, every claim
  asked through `FactChecker`, the same metrics as the own suites);
- `cli`: `factcheck eval external`.

Data is read where it lies and never copied into the repository.
"""
