# As the hooks of Cloudify's public plugins: only the 3.11 builder image sets PY311=1.
if [[ $PY311 == 1 ]]
then
    cat <<EOF2 > ./flagged_plugin/py311_shim.py
def get_doc(*args):
    return ''
EOF2
fi
if [[ $PY311 == 1 ]]
then
    git apply python311.patch
fi
