"""Admin of figures requests (opening one, its progress, adding firms) and of the firms' answers
(the review page, re-issuing and revoking links).

Staff see the requests of their incubators (figures.selectors); managers and liaisons of the
request's incubator act on them, counsellors only look. What a user may not see answers 404.
"""

from figures.admin.requests import answer_admin, request_admin  # noqa: F401
