"""The life of personal data: who read what, unusual reading, retention, erasure and a person's
own copy of their data."""
