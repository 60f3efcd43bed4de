"""Zip bombs refused from an XLSX's central directory, before anything is decompressed."""

from __future__ import annotations

import zipfile
from pathlib import Path

from data_loaders.readers.limits import MB, ReadLimits
from data_loaders.readers.messages import human_size
from threatmon.errors import UnreadableFileError


def check_zip(path: Path, name: str, limits: ReadLimits) -> None:
    """Refuse zip bombs from the central directory, before anything is decompressed.

    zipfile stops decompressing a member at its declared size, so these declared
    sizes bound what openpyxl can ever inflate.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFileError(f"{name} is a damaged ZIP container: {exc}.") from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise UnreadableFileError(
            f"{name} would unpack to {human_size(total)}; the limit is "
            f"{human_size(limits.max_uncompressed_bytes)}. It was refused as a possible zip bomb."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MB and ratio > limits.max_compression_ratio:
            raise UnreadableFileError(
                f"{name} contains {member.filename} compressed {ratio:,.0f}:1 "
                f"({human_size(member.compress_size)} unpacking to "
                f"{human_size(member.file_size)}); "
                f"the limit is {limits.max_compression_ratio:g}:1. It was refused as a "
                "possible zip bomb."
            )
