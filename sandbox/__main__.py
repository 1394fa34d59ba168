"""`python -m sandbox`: serve the sandbox without the sapo-sync CLI."""

from __future__ import annotations

import argparse

from sandbox.server import serve


def main() -> None:
    """Parse the same options as `sapo-sync sandbox` and serve."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--seed", default="demo", help="demo, empty or bench:N")
    parser.add_argument("--bucket", type=int, default=40)
    parser.add_argument("--leak-rate", type=float, default=2.0)
    parser.add_argument("--api-key", default="sandbox")
    parser.add_argument("--api-secret", default="sandbox-secret")
    args = parser.parse_args()
    serve(
        host=args.host,
        port=args.port,
        seed=args.seed,
        bucket=args.bucket,
        leak_rate=args.leak_rate,
        api_key=args.api_key,
        api_secret=args.api_secret,
    )


if __name__ == "__main__":
    main()
