#!/bin/sh
# Prints the path of a Python interpreter >= 3.12, or explains on stderr why none fits.
# Tries, in order: $PYTHON, python3.13, python3.12, python3, then the newest 3.12+ that
# pyenv lists (pyenv shims only answer when a version is selected).
ok() { "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
where() { "$@" -c 'import sys; print(sys.executable)'; }
for cand in ${PYTHON:-} python3.14 python3.13 python3.12 python3; do
    if command -v "$cand" >/dev/null 2>&1 && ok "$cand"; then where "$cand"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.[0-9]+)?$' | sort -t. -k1,1nr -k2,2nr -k3,3nr); do
        minor=$(echo "$v" | cut -d. -f1,2)
        if PYENV_VERSION=$v ok "python$minor"; then PYENV_VERSION=$v where "python$minor"; exit 0; fi
    done
fi
echo "CityPocket needs Python 3.12 or newer; none was found." >&2
echo "Tried: \$PYTHON, python3.14, python3.13, python3.12, python3 and pyenv versions." >&2
echo "Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.13') or set PYTHON=/path/to/python." >&2
exit 1
