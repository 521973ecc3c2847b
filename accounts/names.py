"""How a person's name is written: one rule for users, reps and candidates.

"Given Family" with a space (Alice Anders), except a Chinese (or Japanese, Korean) name, which
is written family name first with no space (王伟), as those languages write it whatever the
page's language.
"""

import re

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def person_name(first: str, last: str) -> str:
    first, last = (first or "").strip(), (last or "").strip()
    if _CJK.search(first) or _CJK.search(last):
        return f"{last}{first}"
    return f"{first} {last}".strip()
