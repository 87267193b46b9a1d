# Vendored official evaluation code (see each file's header for its source, commit, licence and the changes made).
# Used only by tests/eval/make_eval_fixtures.py to produce the expected scores; never built into DPN Studio.
