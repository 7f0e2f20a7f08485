from setuptools import setup

# The AWS plugin 3.1.7's dependencies, as its setup.py gives them: about 78 wheels, and
# pycryptodome 3.9.7, which publishes no wheel for Python 3.9+, so both
# tools compile its C extensions from the sdist. A setup.py project, because `wagon create`
# accepts nothing else.
setup(
    name="cext-plugin",
    version="1.0.0",
    packages=["cext_plugin"],
    python_requires=">=3.9",
    install_requires=[
        "boto3",
        "cloudify-common>=4.5",
        "cloudify-utilities-plugins-sdk>=0.0.119",
        "botocore",
        "pycryptodome==3.9.7",
        "deepdiff==6.3.1",
        "datetime",
        "pytz==2022.2.1",
        "urllib3==1.26.16",
        "requests-toolbelt==0.9.1",
    ],
)
