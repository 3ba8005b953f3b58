"""A local S3 stand-in (moto's server) for the storage tests and the two-instance test."""

import socket
from contextlib import contextmanager

BUCKET = "offset-plans-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def s3_environment(endpoint_url: str, bucket: str = BUCKET) -> dict:
    """The environment variables that point the product's storage at `endpoint_url`."""
    return {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint_url,
        "AWS_S3_REGION_NAME": REGION,
        **CREDENTIALS,
    }


def client(endpoint_url: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@contextmanager
def moto_server(bucket: str = BUCKET, port: int | None = None):
    """Yield the endpoint URL of a running moto S3 server holding an empty `bucket`."""
    from moto.server import ThreadedMotoServer

    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint_url = f"http://127.0.0.1:{port}"
    try:
        client(endpoint_url).create_bucket(Bucket=bucket)
        yield endpoint_url
    finally:
        server.stop()
