// Page behaviour that htmx attributes do not cover.
