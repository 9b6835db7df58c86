"""sitemap.xml (split past the protocol's 50,000 URLs) and robots.txt."""
from __future__ import annotations

SITEMAP_LIMIT = 50_000     # URLs per sitemap file, as the sitemaps protocol allows


def sitemaps(base: str, urls: list[str]) -> dict[str, bytes]:
    """sitemap.xml; past 50,000 URLs, a sitemap index pointing at sitemap-1.xml, sitemap-2.xml, …"""
    def urlset(chunk: list[str]) -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        lines += [f"<url><loc>{base}{url}</loc></url>" for url in chunk]
        return ("\n".join(lines) + "\n</urlset>\n").encode()

    chunks = [urls[n:n + SITEMAP_LIMIT] for n in range(0, len(urls), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        return {"sitemap.xml": urlset(chunks[0])}
    files = {f"sitemap-{n}.xml": urlset(chunk) for n, chunk in enumerate(chunks, 1)}
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    index += [f"<sitemap><loc>{base}/{name}</loc></sitemap>" for name in files]
    files["sitemap.xml"] = ("\n".join(index) + "\n</sitemapindex>\n").encode()
    return files


def robots(base: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()
