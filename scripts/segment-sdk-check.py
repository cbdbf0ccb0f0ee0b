#!/usr/bin/env python3
"""Sends track, identify and page calls with Segment's own Python SDK (segment-analytics-python)
to a Kairos server, exactly as a customer's back end would after changing only the host.

Usage: segment-sdk-check.py BASE_URL WRITE_KEY RUN_ID
"""
import sys

import segment.analytics as analytics

base, write_key, run = sys.argv[1], sys.argv[2], sys.argv[3]
errors = []
analytics.write_key = write_key
analytics.host = base
analytics.sync_mode = True  # send each call at once and raise on failure
analytics.on_error = lambda error, items: errors.append(str(error))

anonymous = f"sdk-anon-{run}"
user = f"sdk-user-{run}"
analytics.page(anonymous_id=anonymous, category="Shop", name="Home", properties={"path": "/"})
analytics.track(anonymous_id=anonymous, event="Product Viewed", properties={"product_id": "shoe-1", "price": 129.0})
analytics.identify(user_id=user, anonymous_id=anonymous, traits={"email": "sdk@example.com", "plan": "pro"})
analytics.track(user_id=user, event="Order Completed", properties={"order_id": "o-1", "revenue": 129.0})
analytics.flush()
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print("sent 4 calls")
