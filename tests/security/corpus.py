"""Hostile text, each entry one attack a help desk's inputs meet in the wild."""

HOSTILE = {
    "script": "<script>alert('x')</script>",
    "html_img": '<img src=x onerror="alert(1)">',
    "markdown_image": "![tracker](http://evil.example/pixel.png)",
    "markdown_link": "[your invoice](javascript:alert(1))",
    "streamlit_directives": ":red[urgent] :material/warning: $x^2$",
    "control_chars": "bell\x07 escape\x1b[31m backspace\x08 end",
    "nul_byte": "before\x00after",
    "rtl_override": "invoice\u202egnp.exe",
    "zero_width": "pass\u200bword\ufeff",
    "sql": "Robert'); DROP TABLE tickets;--",
    "like_wildcards": "100% _sure_ \\",
    "template": "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}",
    "csv_formula": "=HYPERLINK(\"http://evil.example\",\"click\")",
    "header_injection": "Hello\r\nBcc: victim@example.com\r\nX-Evil: 1",
    "emoji_and_scripts": "日本語 العربية עברית 🙂‍↔️",
}
MEGABYTE = "A" * (1024 * 1024)
