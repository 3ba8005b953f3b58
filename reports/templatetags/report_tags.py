from django import template

register = template.Library()


@register.filter
def box(checked) -> str:
    """■ for a ticked check box, □ otherwise."""
    return "■" if checked else "□"
