"""What is shown: Jinja2 templates, print CSS, charts and HTML to PDF rendering."""
