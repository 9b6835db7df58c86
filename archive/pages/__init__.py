"""Plan the site: every URL, the template that renders it, and the context it needs.

`plan()` builds the cross-references once (dicts keyed by jurisdiction, department, topic, year) and
returns one `Page` per URL. A page's context is computed only when the page is rendered: planning stays
cheap, memory stays flat at 100,000 items, and the render workers compute contexts in parallel.

Everything a template shows is decided here, as plain dicts and lists; templates only loop and branch.
"""
from .plan import Page, plan
from .site import Site, Topic, TopicMatcher, load_topics
from .views import FLAG_LABEL, FLAG_TEXT, paginate

__all__ = ["Page", "Site", "Topic", "TopicMatcher", "load_topics", "paginate", "plan", "FLAG_LABEL", "FLAG_TEXT"]
