"""Use cases shared by the CLI and the app. Roles and provenance are enforced here, not in UIs."""
