"""Instructor and TA tools of the course: release, autograding extensions, grading batch, review.

Run ``python -m coursetools --help`` from the course root.
"""
