"""`python -m csm_gpu [--host H] [--port P]`: serve with uvicorn; the port defaults to `PORT` or 8001."""

from __future__ import annotations

import argparse
import logging
import os


def main() -> None:
    """Parse flags and run uvicorn."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m csm_gpu")
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8001")))
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    uvicorn.run("csm_gpu.app:app", host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
