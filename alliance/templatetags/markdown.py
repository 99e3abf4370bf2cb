from django import template
from django.utils.safestring import SafeString

from alliance.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """``{{ project.description|markdown }}``: safe HTML from Markdown (see alliance.markdown)."""
    return render_markdown(text)
