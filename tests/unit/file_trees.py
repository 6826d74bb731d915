"""Write and read small file trees that stand for a host's filesystem in unit tests."""

import os


# An agent packaged with one file per flag, loading one library of someone else's.
OTHER_MANIFEST = '{"libraries": [{"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}]}\n'
FLAGDIR_AGENT = {"etc/mesos-slave/modules": "/etc/mesos/modules.json\n",
                 "etc/mesos-slave/hooks": "com_example_Other\n",
                 "etc/mesos/modules.json": OTHER_MANIFEST}


def write_tree(root, files):
    """Create ``files`` ({host path: text or bytes}) below ``root``; return ``root`` as str."""
    for path, content in files.items():
        real = os.path.join(str(root), path.lstrip("/"))
        if not os.path.isdir(os.path.dirname(real)):
            os.makedirs(os.path.dirname(real))
        if isinstance(content, str):
            content = content.encode("utf-8")
        with open(real, "wb") as handle:
            handle.write(content)
    return str(root)


def read_tree(root, skip=()):
    """Every file below ``root`` as {relative path: bytes}, leaving out directories named in ``skip``."""
    result = {}
    for directory, dirs, names in os.walk(str(root)):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(names):
            real = os.path.join(directory, name)
            with open(real, "rb") as handle:
                result[os.path.relpath(real, str(root))] = handle.read()
    return result
