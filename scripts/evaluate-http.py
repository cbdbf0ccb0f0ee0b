#!/usr/bin/env python3
"""Leave-last-out evaluation through the HTTP API, as an outside user would run it.

Reads an interactions file of Kairos tracking events (e.g. `kairos simulate --out DIR`), holds out
each person's last positive interaction with an item new to them, sends everything else in time order with POST /v1/batch,
then asks POST /v1/decide (default strategy, limit K, `exclude` = what the person interacted with)
for every held-out case and reports HR@K and NDCG@K.

Usage: scripts/evaluate-http.py EVENTS.ndjson [ITEMS.ndjson] --url http://127.0.0.1:8080 \
           --write-key K --secret-key S [--k 10]
"""
import argparse, base64, json, math, sys, urllib.request

POSITIVE = {"Product Viewed", "Product Clicked", "Product Added to Wishlist", "Product Shared", "Product Added",
            "Product Reviewed", "Order Completed"}


def items_of(event):
    properties = event.get("properties") or {}
    ids = []
    if properties.get("product_id") is not None:
        ids.append(str(properties["product_id"]))
    for product in properties.get("products") or []:
        if isinstance(product, dict) and product.get("product_id") is not None and str(product["product_id"]) not in ids:
            ids.append(str(product["product_id"]))
    return ids


def post(url, key, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": "Basic " + base64.b64encode((key + ":").encode()).decode()})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("events")
    parser.add_argument("items", nargs="?")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--write-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()

    events = [json.loads(line) for line in open(args.events) if line.strip()]
    events.sort(key=lambda e: e.get("timestamp", ""))  # ISO 8601 UTC sorts as text
    person = lambda e: e.get("userId") or e.get("anonymousId")
    # Each person's last positive interaction with an item new to them, after at least one other.
    last, positives, touched = {}, {}, {}
    for index, event in enumerate(events):
        if event.get("type") != "track":
            continue
        who, ids = person(event), items_of(event)
        new = [item for item in ids if item not in touched.setdefault(who, set())]
        touched[who].update(ids)
        if event.get("event") in POSITIVE:
            if len(ids) == 1 and new and positives.get(who, 0) >= 1:
                last[who] = index
            positives[who] = positives.get(who, 0) + 1
    held = set(last.values())

    if args.items:
        items = [json.loads(line) for line in open(args.items) if line.strip()]
        for start in range(0, len(items), 500):
            post(args.url, args.secret_key, "/v1/items", {"items": items[start:start + 500]})
    interacted = {}
    batch = []
    for index, event in enumerate(events):
        if index in held:
            continue
        if event.get("type") == "track":
            interacted.setdefault(person(event), set()).update(items_of(event))
        batch.append(event)
        if len(batch) == 500:
            post(args.url, args.write_key, "/v1/batch", {"batch": batch})
            batch = []
    if batch:
        post(args.url, args.write_key, "/v1/batch", {"batch": batch})

    hits, ndcg = 0, 0.0
    for index in sorted(held):
        event = events[index]
        who = person(event)
        request = {"placement": "evaluation", "limit": args.k, "exclude": sorted(interacted.get(who, ()))}
        request["userId" if event.get("userId") else "anonymousId"] = who
        ranked = [item["id"] for item in post(args.url, args.write_key, "/v1/decide", request)["items"]]
        target = items_of(event)[0]
        if target in ranked:
            hits += 1
            ndcg += 1 / math.log2(ranked.index(target) + 2)
    cases = len(held)
    print(f"{len(events)} events, {cases} held-out cases through {args.url}: "
          f"HR@{args.k} {hits / cases:.4f}, NDCG@{args.k} {ndcg / cases:.4f}")


if __name__ == "__main__":
    main()
