"""Run the simulator with uvicorn (``evodash simulator`` / ``python -m evodash.simulator``)."""

from __future__ import annotations

import argparse

import uvicorn

from evodash.simulator.app import create_simulator_app


def run_simulator(
    host: str,
    port: int,
    api_key: str,
    *,
    public_url: str | None = None,
    qr_interval: float = 45.0,
    whatsapp_reachable: bool = True,
) -> None:
    """Serve the simulator until interrupted. ``public_url`` (shown as ``server_url`` in
    webhooks) defaults to ``http://{host}:{port}``."""
    app = create_simulator_app(
        api_key=api_key,
        public_url=public_url or f"http://{host}:{port}",
        qr_interval=qr_interval,
        whatsapp_reachable=whatsapp_reachable,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evodash.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--api-key", required=True, help="the global key (AUTHENTICATION_API_KEY)")
    parser.add_argument("--public-url", default=None, help="SERVER_URL shown in webhooks")
    parser.add_argument("--qr-interval", type=float, default=45.0, help="seconds per QR code")
    parser.add_argument(
        "--offline", action="store_true", help="WhatsApp unreachable (no QR, endless connecting)"
    )
    args = parser.parse_args(argv)
    run_simulator(
        args.host,
        args.port,
        args.api_key,
        public_url=args.public_url,
        qr_interval=args.qr_interval,
        whatsapp_reachable=not args.offline,
    )
