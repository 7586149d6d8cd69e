"""The BAST form takes the position from the phone (issue 15, observation 5: latitude and
longitude had to be typed): a "Use my position" button, script from our static files (CSP),
geolocation allowed on that page only; the fields stay plain, editable inputs."""

from __future__ import annotations

import re


def test_the_bast_form_offers_the_phones_position(cast, delivered, client_for):  # type: ignore[no-untyped-def]
    response = client_for(cast.executor).get(f"/field/deliveries/{delivered.pk}/")
    body = response.content.decode()
    button = re.search(r"<button[^>]*data-geolocate=\"bast-lat bast-lon\"[^>]*>", body)
    assert button and " hidden" in button.group(0)  # shown by the script only
    assert re.search(r'<script src="/static/ksbb/js/geolocate\.js"[^>]*defer', body)
    assert 'name="latitude"' in body and 'name="longitude"' in body
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "geolocation=()" in client_for(cast.executor).get("/field/")["Permissions-Policy"]
