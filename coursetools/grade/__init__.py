"""Grade: a submission staged on the release, autograded by nbgrader with the course's steps in a sandbox on a
Dask worker, merged into autograded/ and the gradebook (``batch`` runs it all for a class)."""
