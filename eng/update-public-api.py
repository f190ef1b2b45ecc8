#!/usr/bin/env python3
"""Adds every symbol that RS0016 reports as undeclared to the project's PublicAPI.Unshipped.txt.

Usage: eng/update-public-api.py src/Some.Project
Review the diff afterwards: the file is the record of the public API.
"""
import pathlib
import re
import subprocess
import sys

project = pathlib.Path(sys.argv[1])
out = subprocess.run(["dotnet", "build", str(project), "-p:TreatWarningsAsErrors=false", "--no-incremental"],
                     capture_output=True, text=True).stdout
symbols = set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", out))
unshipped = project / "PublicAPI.Unshipped.txt"
lines = [l for l in unshipped.read_text().splitlines() if l.strip()]
header = [l for l in lines if l.startswith("#")]
body = set(l for l in lines if not l.startswith("#")) | symbols
unshipped.write_text("\n".join(header + sorted(body)) + "\n")
print(f"{len(symbols)} symbols added to {unshipped}")
