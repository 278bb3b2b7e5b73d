"""Strip a shared library of everything the dynamic loader does not read, in plain Python.

An ELF shared object is loaded through its program headers alone: the loadable segments and the
dynamic section inside them (System V gABI, "Program Loading and Dynamic Linking";
https://refspecs.linuxfoundation.org/elf/gabi4+/ch5.intro.html). The section header table and
the sections outside every segment (.symtab, .strtab, .comment, .debug_*) are for linkers and
debuggers. Wheels place them after the segments, so cutting the file where the last segment ends
and marking the section header table absent (e_shoff = e_shnum = e_shstrndx = 0, which the gABI
allows: "If the file has no section header table, e_shoff holds zero") leaves what dlopen needs,
byte for byte. Symbols the loader resolves (PyInit_*) live in .dynsym, inside a segment.

Why not `strip`: the host's binutils usually cannot read aarch64 objects, and an asset that
depended on which tools a machine has would break the rule that one asset hash means one bundle.
"""

from __future__ import annotations

import struct
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
ELFCLASS64, ELFDATA2LSB = 2, 1
# Offsets in the 64-bit ELF header and program header (gABI, "ELF Header", "Program Header").
E_PHOFF, E_SHOFF, E_PHENTSIZE, E_PHNUM, E_SHNUM, E_SHSTRNDX = 0x20, 0x28, 0x36, 0x38, 0x3C, 0x3E
P_OFFSET, P_FILESZ = 0x08, 0x20


def loaded_size(data: bytes) -> int | None:
    """Where the last byte any program header refers to ends, or None if `data` is not a
    64-bit little-endian ELF file (those are all Lambda runs; others are left alone)."""
    if data[:4] != ELF_MAGIC or data[4] != ELFCLASS64 or data[5] != ELFDATA2LSB or len(data) < 64:
        return None
    (phoff,) = struct.unpack_from("<Q", data, E_PHOFF)
    (phentsize,) = struct.unpack_from("<H", data, E_PHENTSIZE)
    (phnum,) = struct.unpack_from("<H", data, E_PHNUM)
    end = max(64, phoff + phentsize * phnum)
    for index in range(phnum):
        header = phoff + index * phentsize
        (offset,) = struct.unpack_from("<Q", data, header + P_OFFSET)
        (size,) = struct.unpack_from("<Q", data, header + P_FILESZ)
        end = max(end, offset + size)
    return end


def strip_shared_object(path: Path) -> int:
    """Drop what follows the loaded segments, and the section header table; returns bytes saved."""
    data = path.read_bytes()
    end = loaded_size(data)
    if end is None or end >= len(data):
        return 0
    stripped = bytearray(data[:end])
    struct.pack_into("<Q", stripped, E_SHOFF, 0)
    struct.pack_into("<H", stripped, E_SHNUM, 0)
    struct.pack_into("<H", stripped, E_SHSTRNDX, 0)
    path.write_bytes(bytes(stripped))
    return len(data) - end


def strip_tree(root: Path) -> int:
    """Strip every shared object (*.so) under `root`; returns bytes saved."""
    return sum(strip_shared_object(path) for path in sorted(root.rglob("*.so")) if path.is_file())
