"""An S3-compatible object store on 127.0.0.1 for ``make stack`` (moto's server, in memory), with the bucket made.

python -m bench.media --port 9000 --bucket portal-media
"""

import argparse
import signal
import threading

import boto3
from moto.server import ThreadedMotoServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--bucket", default="portal-media")
    args = parser.parse_args()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{args.port}",
        aws_access_key_id="stack",
        aws_secret_access_key="stack",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=args.bucket)
    print(f"S3 on http://127.0.0.1:{args.port}/, bucket {args.bucket}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
