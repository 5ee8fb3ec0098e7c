"""The weekly bulletin (周调度通报): content.py gathers a reporting week's figures and
findings; html.py and docx.py write them, as a web page or file and as a Word document
in the official layout (reports/official_docx.py)."""
