"""The test set-up's own installs: Debian's Chromium, ChromeDriver and a Chinese font.

CI runs as root on a fresh Debian machine that reaches Debian's package
registry; there the missing packages are installed once.  Elsewhere the tests
that need them are skipped with the command that would install them.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

PACKAGES = ("chromium", "chromium-driver", "fonts-wqy-zenhei")


def _present() -> bool:
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    return bool(shutil.which("chromium") and shutil.which("chromedriver") and "WenQuanYi" in fonts)


def install() -> str | None:
    """Install the missing packages where possible; returns why not (None when they are there)."""
    if _present():
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"needs Debian packages: apt-get install {' '.join(PACKAGES)}"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update"], capture_output=True, env=env)
    done = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0 or not _present():
        return f"could not install {' '.join(PACKAGES)}: {done.stderr[-500:]}"
    return None


def ensure() -> None:
    """The packages are there (installed now if need be), or the calling test is skipped or fails."""
    why = install()
    if why is None:
        return
    if why.startswith("needs"):
        pytest.skip(why)
    pytest.fail(why)
