# contractgen runtime: copied verbatim into every scaffolded project as PACKAGE/_runtime/.
# Generated there, rewritten on every scaffold run: edit it in contractgen, not in a copy.
"""The library a contractgen service runs on.

Edge limits, SSE and JSON Lines framing, WebSocket checks, rate limiters and problem
responses, written and tested once. `contractgen mock` imports it as `contractgen.runtime`;
`contractgen scaffold` copies it into each project as `PACKAGE._runtime`, so a generated
service installs from the package index alone. Modules import each other relatively and
import nothing else from contractgen. This file imports nothing, so reading `spec` costs
no FastAPI import.
"""
