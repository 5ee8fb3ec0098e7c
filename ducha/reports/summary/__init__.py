"""The campaign summary report (issue 9): content from the statistics and the narratives
(content.py, sentences.py, phrasing.py), written as Word (docx.py) or HTML (html.py)."""
