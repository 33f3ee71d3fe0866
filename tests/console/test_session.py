"""Console sign-in: account keys, session cookie flags, CSRF on every form, sign-out, expiry."""
from __future__ import annotations

import re
import ssl
import time
import urllib.request

import pytest

from tests.console.browser import sign_in
from tests.console.conftest import unique
from tests.support.server import make_server

pytestmark = pytest.mark.slow


def test_sign_in_with_account_keys_and_sign_out(console_server, context):
    page = context.new_page()
    base = console_server.endpoint
    page.goto(base + "/console/models")
    assert page.url.startswith(base + "/console/signin")
    creds = console_server.credentials
    page.get_by_label("Access key ID").fill(creds["access_key_id"])
    page.get_by_label("Secret access key").fill(creds["secret_access_key"] + "x")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The access key ID or secret access key is incorrect."
    assert not [c for c in context.cookies() if c["name"] == "jargonaut_session"]

    page.get_by_label("Secret access key").fill(creds["secret_access_key"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/console/models")  # back where the user was going
    assert page.get_by_role("heading", name="Custom language models").is_visible()
    assert creds["account_id"] in page.locator(".account").inner_text()
    cookie = next(c for c in context.cookies() if c["name"] == "jargonaut_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # plain-HTTP port
    assert page.evaluate("document.cookie") == ""  # scripts can't read it

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/console/signin$"))
    page.goto(base + "/console/jobs")
    assert "/console/signin" in page.url
    # The old cookie is dead on the server, not just deleted in this browser.
    context.add_cookies([{**cookie}])
    page.goto(base + "/console/jobs")
    assert "/console/signin" in page.url


def test_forms_without_the_session_csrf_token_are_refused(console_server, context):
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    name = unique("csrf")
    form = {"model_name": name, "language": "en-US", "base_model": "WideBand",
            "training_data": "s3://console-data/biomed/train/", "data_access_role": console_server.role_arn}
    for token in (None, "forged-token"):
        data = {**form, **({"csrf_token": token} if token else {})}
        response = page.request.post(console_server.endpoint + "/console/models/train", form=data, max_redirects=0)
        assert response.status == 403
        assert "CSRF check failed" in response.text()
    names = [m["ModelName"] for m in console_server.client().list_language_models(NameContains=name)["Models"]]
    assert names == []
    # Sign-out is a form too.
    response = page.request.post(console_server.endpoint + "/console/signout", form={}, max_redirects=0)
    assert response.status == 403
    page.goto(console_server.endpoint + "/console/models")
    assert page.get_by_role("heading", name="Custom language models").is_visible()
    # A sign-in form posted from elsewhere (no sign-in token cookie) is refused as well.
    creds = console_server.credentials
    other = page.request.post(console_server.endpoint + "/console/signin", max_redirects=0, form={
        "access_key_id": creds["access_key_id"], "secret_access_key": creds["secret_access_key"], "csrf_token": "x"})
    assert other.status == 403


def test_expired_session_is_refused(tmp_path, browser):
    server = make_server(tmp_path, JARGONAUT_CONSOLE_SESSION_SECONDS="2").start()
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, server.endpoint, server.credentials)
        page.goto(server.endpoint + "/console/models/train")
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        time.sleep(2.5)
        response = page.request.post(server.endpoint + "/console/models/train", max_redirects=0, form={
            "csrf_token": token, "model_name": "late", "language": "en-US", "base_model": "WideBand",
            "training_data": "s3://x/y/", "data_access_role": "arn:aws:iam::000000000000:role/x"})
        assert response.status == 401 and "session has expired" in response.text()
        page.goto(server.endpoint + "/console/models")
        assert "/console/signin" in page.url
        assert server.client().list_language_models()["Models"] == []
    finally:
        context.close()
        server.stop()


def test_session_cookie_is_secure_on_the_tls_port(console_server):
    """The same console on the TLS port: the session cookie carries Secure there."""
    tls = ssl.create_default_context(cafile=str(console_server.data_dir / "tls" / "cert.pem"))
    base = f"https://127.0.0.1:{console_server.tls_port}"
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls))
    with opener.open(base + "/console/signin") as response:
        signin_cookie = response.headers["Set-Cookie"]
        page = response.read().decode()
    assert "Secure" in signin_cookie and "HttpOnly" in signin_cookie and "SameSite=strict" in signin_cookie
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    creds = console_server.credentials
    body = urllib.parse.urlencode({"csrf_token": token, "access_key_id": creds["access_key_id"],
                                   "secret_access_key": creds["secret_access_key"], "next": "/"}).encode()
    request = urllib.request.Request(base + "/console/signin", data=body, headers={
        "Cookie": signin_cookie.split(";")[0], "Content-Type": "application/x-www-form-urlencoded"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls), NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request)
    assert redirect.value.code == 303
    session_cookie = [v for k, v in redirect.value.headers.items() if k.lower() == "set-cookie" and "jargonaut_session" in v][0]
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie


def test_a_form_that_cannot_be_parsed_is_a_page_not_a_crash(console_server, context):
    page = context.new_page()
    sign_in(page, console_server.endpoint, console_server.credentials)
    page.goto(console_server.endpoint + "/console/jobs/create")
    token = page.locator("#create-job input[name=csrf_token]").get_attribute("value")
    for headers, body in [({"Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\nbroken"),
                          ({"Content-Type": "multipart/form-data"}, b"no boundary"),
                          ({"Content-Type": "application/x-www-form-urlencoded"}, b"%%%=&&=%zz")]:
        for extra in ({}, {"X-CSRF-Token": token}):
            response = page.request.post(console_server.endpoint + "/console/jobs/create", max_redirects=0,
                                         headers={**headers, **extra}, data=body)
            assert response.status in (400, 403), (headers, extra, response.status)
            assert "nothing was changed" in response.text() or "validation error" in response.text()
            assert "Traceback" not in response.text()
    assert console_server.client().list_transcription_jobs(JobNameContains="broken")["TranscriptionJobSummaries"] == []
