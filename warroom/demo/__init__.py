"""The simulated outage of `warroom demo` and the tests: `scenario` is the script, `world`
serves it over HTTP on 127.0.0.1, `fakefly` prints it as byte-exact `fly logs` lines.
"""
