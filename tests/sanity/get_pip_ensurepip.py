"""Bootstrap pip into a fresh venv for ansible-test without downloading get-pip.py.

ansible-test runs this file the way it would run get-pip.py: the arguments are pip install
options and the packages to install (pip, setuptools, wheel pins). ensurepip installs the pip
bundled with this Python, which then installs the requested versions from the package index.
"""
import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

env = dict(os.environ)
ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null; the real install must see the machine's pip
# configuration (index mirrors, CA bundle) again.
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=env))
