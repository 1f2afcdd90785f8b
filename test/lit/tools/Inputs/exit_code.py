"""Runs a command and prints "exit code N" after its output (lit's `not` only tells zero
from non-zero): exit_code.py CMD ARGS..."""
import subprocess
import sys

rc = subprocess.call(sys.argv[1:])
sys.stdout.flush()
print(f"exit code {rc}")
