"""Amazon's documented IAM documents for CLM data access, and helpers to create roles."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def trust_policy(account_id: str, region: str = "us-east-1") -> dict:
    """The trust relationship from Amazon Transcribe's guide, with the account filled in."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "transcribe.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "StringLike": {"aws:SourceArn": f"arn:aws:transcribe:{region}:{account_id}:*"},
                },
            }
        ],
    }


def read_policy(bucket: str) -> dict:
    """The permissions policy from Amazon's guide (s3:GetObject + s3:ListBucket), bucket replaced."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }


def create_role(data_dir: Path, tmp: Path, name: str, trust: dict, *policies: dict, account: str | None = None) -> str:
    """`jargonaut roles create ...`, the documented way; returns the printed ARN."""
    trust_file = tmp / f"{name}-trust.json"
    trust_file.write_text(json.dumps(trust))
    args = [sys.executable, "-m", "jargonaut.cli", "roles", "--data-dir", str(data_dir), "create", "--name", name,
            "--trust-policy", str(trust_file)]
    for i, policy in enumerate(policies):
        policy_file = tmp / f"{name}-policy-{i}.json"
        policy_file.write_text(json.dumps(policy))
        args += ["--policy", str(policy_file)]
    if account:
        args += ["--account", account]
    result = subprocess.run(args, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def wait_for_model(client, name: str, timeout: float = 300) -> dict:
    """The polling loop from Amazon's documentation: DescribeLanguageModel until COMPLETED or FAILED."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = client.describe_language_model(ModelName=name)["LanguageModel"]
        if model["ModelStatus"] in ("COMPLETED", "FAILED"):
            return model
        time.sleep(0.5)
    raise TimeoutError(name)
