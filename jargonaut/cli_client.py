"""Client-side commands: `jargonaut env` (a shell set up for the AWS tools) and the signed calls
that `jargonaut models retrain|report` make to a running server."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from jargonaut.settings import ClientEnvironment, Settings


def _credentials(settings: Settings) -> tuple[str, str]:
    """The caller's keys: the AWS environment variables, else the server's credentials.json."""
    client = ClientEnvironment.load()
    key, secret = client.access_key_id, client.secret_access_key
    if key and secret:
        return key, secret
    creds_file = settings.data_dir / "credentials.json"
    if not creds_file.exists():
        raise SystemExit(f"jargonaut: error: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                         f"or pass the --data-dir whose credentials.json the server wrote ({creds_file} is missing)")
    stored = json.loads(creds_file.read_text())
    return stored["access_key_id"], stored["secret_access_key"]


def signed_call(args: argparse.Namespace, method: str, path: str) -> dict[str, Any]:
    """A SigV4-signed request to the server's own (beyond Amazon) endpoints; exits with its error."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    settings = Settings.load(data_dir=args.data_dir)
    key, secret = _credentials(settings)
    region = getattr(args, "region", None) or ClientEnvironment.load().region or settings.region
    url = f"{args.endpoint_url.rstrip('/')}{path}"
    body = b"" if method == "POST" else None
    # urllib would add an unsigned form Content-Type to a POST; the server requires a sent one signed.
    headers = {"Content-Type": "application/x-amz-json-1.1"} if body is not None else {}
    request = AWSRequest(method=method, url=url, data=body or b"", headers=headers)
    SigV4Auth(Credentials(key, secret), "transcribe", region).add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=dict(prepared.headers),
                                                           method=method)) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as err:
        raise SystemExit(f"jargonaut: error: {aws_error_line(err.read())}") from None
    except urllib.error.URLError as err:
        raise SystemExit(f"jargonaut: error: cannot connect to the server at {args.endpoint_url} ({err.reason}); "
                         "is `jargonaut serve` running?") from None


def aws_error_line(body: bytes) -> str:
    """`Type: message` from an AWS error body (the raw text when it is not one)."""
    try:
        error = json.loads(body)
        return f"{error['__type']}: {error.get('Message') or error.get('message')}"
    except (ValueError, KeyError, TypeError):
        return body.decode(errors="replace").strip()


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", default=ClientEnvironment.load().endpoint_url or "http://127.0.0.1:8080",
                        help="the server (default: AWS_ENDPOINT_URL_TRANSCRIBE, which `jargonaut env` sets)")
    parser.add_argument("--region", default=None, help="the region the model is in (default: AWS_REGION, "
                        "AWS_DEFAULT_REGION, then JARGONAUT_REGION)")
    parser.add_argument("--data-dir", default=None)


def report(args: argparse.Namespace) -> int:
    """Print a CLM's full training report."""
    from jargonaut.lm.report import report_from_dict

    result = signed_call(args, "GET", f"/jargonaut/language-models/{args.name}/report")
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(f"{result['ModelName']}  {result['ModelArn']}")
    print(report_from_dict(result["Report"]))
    terms = result["DomainTerms"]
    shown = terms if args.all else terms[:args.terms]
    print(f"\ndomain terms ({len(terms):,}, most salient first{'' if len(shown) == len(terms) else f'; {len(shown)} shown, --all for every one'}):")
    print("  " + ", ".join(shown) if shown else "  (none)")
    spellings = result["SpellingVariants"]
    print(f"\nspelling variants ({len(spellings):,}; transcripts write the right-hand form):")
    for variant, form in sorted(spellings.items()):
        print(f"  {variant} -> {form}")
    if not spellings:
        print("  (none: the text spells nothing two ways that sound alike)")
    return 0


def _env(args: argparse.Namespace) -> int:
    """Shell lines that point the AWS CLI, boto3 and the SDKs at this server's default account."""
    settings = Settings.load(data_dir=args.data_dir)
    creds_file = settings.data_dir / "credentials.json"
    if not creds_file.exists():
        raise SystemExit(f"No {creds_file}: run `jargonaut serve` (or `make serve`) once first.")
    creds = json.loads(creds_file.read_text())
    cert = Path(settings.tls_cert) if settings.tls_cert else settings.data_dir / "tls" / "cert.pem"
    values = {
        "AWS_ACCESS_KEY_ID": creds["access_key_id"], "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"],
        "AWS_DEFAULT_REGION": settings.region,
        # botocore's service-specific endpoint variable: the AWS CLI and boto3 send Transcribe here
        "AWS_ENDPOINT_URL_TRANSCRIBE": f"http://{settings.host}:{settings.port}",
        # the self-signed certificate of the TLS port: Python (streaming SDK) and Node trust it
        "SSL_CERT_FILE": str(cert.resolve()), "NODE_EXTRA_CA_CERTS": str(cert.resolve()),
    }
    sys.stdout.write("".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    env = sub.add_parser("env", help="print `export` lines for the AWS tools: eval \"$(jargonaut env)\"")
    env.add_argument("--data-dir", default=None)
    env.set_defaults(func=_env)
