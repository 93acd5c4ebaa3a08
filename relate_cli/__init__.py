"""The `relate-pipeline` command and its process plumbing: runs, reports, the UI and the embedded emulator."""
