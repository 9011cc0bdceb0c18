"""Instructor and TA tools of the course, a package per stage of a submission's way:

``collect`` (into submitted/) → ``grade`` (staged, autograded in a sandbox, merged into the gradebook) →
``report`` (review list, insight page, grades for the LMS, feedback); ``course`` answers every fact of the
course, ``outcomes`` holds what can happen to a submission as data, ``pipeline`` the steps nbgrader_config.py
installs, ``instructor`` the release; ``dev`` holds the developer tools. ``python -m coursetools --help`` from
the course root.
"""
