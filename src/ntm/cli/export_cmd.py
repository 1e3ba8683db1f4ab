"""`ntm export --commune NAME --period YEAR --format png|pptx|pdf|xlsx -o OUT [--db URL]`.

Assesses the commune from the current revisions in the database (every period, for the history
and the change since last year) and writes one file for meetings (issue 6):

- `pptx`: the slide deck; `pdf`: the same as an A4-landscape report; `xlsx`: the attainment
  tables;
- `png`: OUT ending in `.png` is that one file, the progress chart (1920 × 1080); OUT ending in
  `.zip` gives one zip of every chart, at 1920 × 1080 and at 2× for print; any other OUT is a
  folder (created if needed) that receives every chart as files.

Prints `{"output": OUT, "format": ..., "files": [...], "bytes": N, "seconds": S}` on stdout.
Exit 0 on success; 1 when the export cannot be made (no values for that commune and year, no
browser to draw the charts, no Vietnamese font), with the reason on stderr; 2 on a usage
error (unknown commune or format).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ntm.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

FORMAT_CHOICES = ["png", "pptx", "pdf", "xlsx"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "export",
        help="xuất bộ trình chiếu, báo cáo PDF, bảng Excel hoặc ảnh biểu đồ của một xã",
    )
    p.add_argument("--commune", required=True, metavar="NAME", help="tên xã")
    p.add_argument("--period", required=True, type=int, metavar="YEAR", help="năm đánh giá")
    p.add_argument("--format", required=True, choices=FORMAT_CHOICES)
    p.add_argument("-o", "--output", required=True, type=Path, metavar="OUT")
    p.add_argument("--db", metavar="URL", help="cơ sở dữ liệu (mặc định: của ứng dụng)")
    p.add_argument("--lang", choices=["vi", "en"], default="vi")
    p.add_argument(
        "--no-print-copy",
        action="store_true",
        help="png: không tạo bản 2× để in (chỉ 1920 × 1080)",
    )
    p.set_defaults(func=run)


def _fail(message: str, code: int = EXIT_PROBLEMS) -> int:
    print(f"ntm export: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from ntm.exports import (
        FontNotFoundError,
        ImageRenderError,
        NoDataError,
        export,
        png_zip,
        progress_png,
    )
    from ntm.exports.images import chart_images
    from ntm.exports.report import report_from_store
    from ntm.i18n import t
    from ntm.storage import Store

    started = time.perf_counter()
    commune = " ".join(str(args.commune).split())
    with Store(args.db) as store:
        store.migrate()
        names = [p.name for p in store.communes()]
        if commune not in names:
            return _fail(
                t(
                    "export.error.unknown_commune",
                    args.lang,
                    commune=commune,
                    choices=", ".join(names) or "—",
                ),
                EXIT_USAGE,
            )
        try:
            report = report_from_store(store, commune, args.period, lang=args.lang)
        except NoDataError as exc:
            return _fail(str(exc))

    out: Path = args.output
    files: list[str] = []
    try:
        if args.format == "png" and out.suffix.lower() not in (".zip", ".png"):
            out.mkdir(parents=True, exist_ok=True)
            for name, data in chart_images(report, print_copy=not args.no_print_copy):
                (out / name).write_bytes(data)
                files.append(str(out / name))
            size = sum(Path(f).stat().st_size for f in files)
        else:
            if args.format == "png" and out.suffix.lower() == ".png":
                data = progress_png(report)
            elif args.format == "png":
                data = png_zip(report, print_copy=not args.no_print_copy)
            else:
                data = export(report, args.format).data
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            files.append(str(out))
            size = len(data)
    except ImageRenderError as exc:
        return _fail(t("export.error.images", args.lang, detail=str(exc)))
    except FontNotFoundError as exc:
        return _fail(t("export.error.font", args.lang, detail=str(exc)))
    except OSError as exc:
        return _fail(f"{out}: {exc.strerror or exc}")
    seconds = round(time.perf_counter() - started, 2)
    json.dump(
        {
            "output": str(out),
            "format": args.format,
            "commune": commune,
            "period": args.period,
            "files": files,
            "bytes": size,
            "seconds": seconds,
        },
        sys.stdout,
        ensure_ascii=False,
        indent=1,
    )
    sys.stdout.write("\n")
    print(f"ntm export: {out} ({seconds} s)", file=sys.stderr)
    return EXIT_OK
