#!/usr/bin/env python3
"""Helper of scripts/bench-offers.sh (standard library only).

  bench-offers.py setup PORT
      PUT 200 offers (3 issues, 10 groups, values 1-50, most with an eligibility expression, some
      with an applicability, a few with a daily budget) and the action placement nba_home.
  bench-offers.py outcomes PORT N PROFILES
      POST /v1/decide N times (random users) collecting decisionIds and offer ids, then send the
      "Offer Accepted" outcomes in /v1/batch requests of 100 and wait until GET /v1/admin/models
      shows N more updates (and N more positives) for nba_home. Exits 1 if they do not arrive.
"""
import base64
import http.client
import json
import random
import sys
import time

WRITE = "Basic " + base64.b64encode(b"kw:").decode()
SECRET = "Basic " + base64.b64encode(b"ks:").decode()
PLACEMENT = "nba_home"
ISSUES = ["retention", "sales", "service"]
# group -> issue: 4 retention groups, 4 sales groups, 2 service groups
GROUPS = [(f"g{g}", ISSUES[0] if g < 4 else ISSUES[1] if g < 8 else ISSUES[2]) for g in range(10)]
ELIGIBILITY = [
    'profile.traits.tier != "blocked"',
    'profile.traits.plan == "prepaid" && profile.traits.tier != "blocked"',
    'profile.traits.tier == "gold" || profile.traits.tier == "silver"',
    'double(profile.traits.usage) > 20.0',
    'profile.traits.plan != "business" && double(profile.traits.usage) < 80.0',
    'profile.traits.plan == "postpaid" || double(profile.traits.usage) >= 50.0',
]


class Client:
    def __init__(self, port):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, auth=WRITE):
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"Authorization": auth}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                if attempt:
                    raise
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        if response.status >= 300:
            raise SystemExit(f"{method} {path}: HTTP {response.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None


def offers():
    for i in range(200):
        group, issue = GROUPS[i % len(GROUPS)]
        offer = {
            "issue": issue,
            "group": group,
            "value": 1 + (i * 37) % 50,
            "channels": {"inapp": {"title": f"Offer {i}", "body": f"Offer {i} of {group}: {{{{profile.traits.plan}}}} plan"}},
            "suppression": [{"impressions": 3, "within": "14d"}],
            "attributes": {"margin": (i * 13) % 20},
        }
        if i % 10 != 9:  # 180 of 200 have an eligibility expression
            offer["eligibility"] = ELIGIBILITY[i % len(ELIGIBILITY)]
        if i % 7 == 0:  # 29 fit only some pages (home among them)
            offer["applicability"] = 'context.page == "home" || context.page == "account"'
        elif i % 23 == 0:  # 6 never fit the home page
            offer["applicability"] = 'context.page == "checkout"'
        if i % 40 == 5:  # 5 with a daily budget
            offer["budget"] = {"perDay": 100000}
        if i % 11 == 0:
            offer["suppression"].append({"dismissed": True})
        yield f"offer_{i:03d}", offer


def setup(port):
    client = Client(port)
    started = time.perf_counter()
    counts = {"offers": 0, "eligibility": 0, "applicability": 0, "budget": 0}
    for offer_id, offer in offers():
        client.call("PUT", f"/v1/admin/offers/{offer_id}", offer, auth=SECRET)
        counts["offers"] += 1
        for key in ("eligibility", "applicability", "budget"):
            counts[key] += key in offer
    placement = {"limit": 1, "actions": {"channel": "inapp", "exploration": {"policy": "epsilon-greedy", "epsilon": 0.05}}}
    client.call("PUT", f"/v1/admin/placements/{PLACEMENT}", placement, auth=SECRET)
    elapsed = time.perf_counter() - started
    print(
        f"{counts['offers']} offers ({len(GROUPS)} groups, {len(ISSUES)} issues; {counts['eligibility']} with eligibility, "
        f"{counts['applicability']} with applicability, {counts['budget']} with a budget) and placement {PLACEMENT} "
        f"put in {elapsed:.1f} s")
    answer = client.call("POST", "/v1/decide", {"userId": "u-1", "placement": PLACEMENT, "context": {"page": "home"}})
    actions = answer.get("actions") or []
    shown = actions[0]["id"] + " " + actions[0]["reasons"][0] if actions else f"no action ({answer.get('noAction')})"
    print(f"sample decide for u-1: {shown}")


def model(client):
    for entry in client.call("GET", "/v1/admin/models", auth=SECRET)["models"]:
        if entry and entry.get("id") == PLACEMENT:
            return int(entry["updates"]), int(entry["positives"])
    return 0, 0


def outcomes(port, n, profiles):
    client = Client(port)
    rng = random.Random(11)
    decisions = []
    attempts = 0
    started = time.perf_counter()
    while len(decisions) < n and attempts < 5 * n:
        attempts += 1
        user = f"u-{rng.randrange(profiles)}"
        answer = client.call("POST", "/v1/decide", {"userId": user, "placement": PLACEMENT, "context": {"page": "home"}})
        if answer.get("actions"):
            decisions.append((user, answer["decisionId"], answer["actions"][0]["id"]))
    decided = time.perf_counter() - started
    print(
        f"outcomes over HTTP: {attempts} decisions in {decided:.1f} s, one client ({attempts / decided:.0f} req/s), "
        f"{len(decisions)} with an action")
    if len(decisions) < n:
        raise SystemExit(f"only {len(decisions)} of {attempts} decisions chose an action")
    updates0, positives0 = model(client)
    started = time.perf_counter()
    for start in range(0, n, 100):
        batch = [
            {"type": "track", "event": "Offer Accepted", "userId": user,
             "messageId": f"bench-outcome-{decision_id}",
             "properties": {"decisionId": decision_id, "offerId": offer_id}}
            for user, decision_id, offer_id in decisions[start:start + 100]
        ]
        client.call("POST", "/v1/batch", {"batch": batch})
    posted = time.perf_counter() - started
    updates, positives = updates0, positives0
    while time.perf_counter() - started < 60:
        updates, positives = model(client)
        if positives - positives0 >= n:
            break
        time.sleep(0.01)
    learned = time.perf_counter() - started
    print(
        f"  {n} 'Offer Accepted' outcomes in {(n + 99) // 100} POST /v1/batch: stored in {posted * 1000:.0f} ms "
        f"({n / posted:.0f} outcomes/s), models updated after {learned * 1000:.0f} ms ({n / learned:.0f} outcomes/s)")
    ok = positives - positives0 == n and updates - updates0 >= n
    print(
        f"  GET /v1/admin/models {PLACEMENT}: updates {updates0} -> {updates} (+{updates - updates0}), "
        f"positives {positives0} -> {positives} (+{positives - positives0}): {'OK' if ok else 'MISMATCH'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "setup" and len(sys.argv) == 3:
        setup(int(sys.argv[2]))
    elif command == "outcomes" and len(sys.argv) == 5:
        outcomes(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit(__doc__)
