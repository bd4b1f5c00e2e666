"""Pure domain: templates, extraction, parsing, checks, questions, deadlines."""

# Stored with every report; bump it whenever parsing or checking changes what a file yields, so
# ``python -m bot reparse`` can tell which stored reports were read by an older parser.
PARSER_VERSION = "0.1.0"
