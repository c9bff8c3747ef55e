"""Hypothesis strategies for the text members actually type (and some they shouldn't)."""

from __future__ import annotations

from hypothesis import strategies as st

SAMPLES: tuple[str, ...] = (
    "",
    " ",
    "   \t\n  ",
    "\n\n\n",
    "x" * 4000,
    "word " * 800,
    "🙂" * 1000,
    "👩🏽‍💻🏳️‍🌈🇩🇪",
    "e\u0301\u0302\u0303\u0304" * 50,
    "Z̷̡̛̗͎̈́a̶̺͝l̴̜̆g̷̱̈o̵͇͋",
    "\u202eright-to-left override\u202c",
    "مرحبا بالعالم، هذا نص من اليمين إلى اليسار",
    "שלום עולם",
    "```python\nimport os; os.system('rm -rf /')\n```",
    "`code` **bold** __underline__ ~~strike~~ ||spoiler|| > quote\n# Heading\n-# small",
    "[a link](https://evil.example/phish)",
    "@everyone",
    "@here look",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&987654321098765432>",
    "<#111111111111111111>",
    "</ask:1234>",
    "https://discord.com/channels/1/2/3",
    "http://127.0.0.1:9/x?y=z#frag",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\r\n\r\n",
    "'; DROP TABLE users; --",
    '{"json": true}',
    "---\nid: x\n---",
    "{server_name} {0} {{}} %s %(x)s",
    "0",
    "-1",
    "99999999999999999999999",
    "NaN",
    "1e309",
    "25%",
    "2026-02-30",
    "Europe/Berlin",
    "../../etc/passwd",
)

nasty_text = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60).map(lambda s: s * 3),
    st.builds(lambda a, b: a + b, st.sampled_from(SAMPLES), st.text(max_size=40)),
)
