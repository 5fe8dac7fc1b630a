"""Health of our services and providers' status pages: `monitor` polls with httpx, `judging`
turns one answer into a state, purely.
"""
