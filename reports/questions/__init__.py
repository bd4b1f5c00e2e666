"""Understanding questions about the annual reports (pure: no store, no network, no language model).

``understand(question, agencies=…, years_available=…, today=…)`` reads Chinese or English into an
explicit ``Query`` (intent, metrics, agencies, years, filters). The pieces:

- ``metrics``  — what can be asked for, built from ``reports.templates`` ids, with the words people use;
- ``agencies`` — matching a mention to known agencies (distinctive place name, pinyin, typos);
- ``years``    — explicit, relative (去年, "last year"), spans (近三年) and ranges;
- ``query``    — the ``Query`` itself, with its compact form for clarification buttons.

``services.questions`` computes the answer from the store.
"""
