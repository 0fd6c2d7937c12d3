"""Presentation shared by the CLI, the HTML report and the web app: charts and text."""
